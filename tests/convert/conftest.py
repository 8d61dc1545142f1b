"""Fixtures of the converter tests (helpers.py holds the functions)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import REPO, verify_units


@pytest.fixture
def verify(tmp_path: Path) -> Callable[..., str]:
    """systemd-analyze verify over a dict of units; returns its stderr."""

    def run(units: dict[str, str], user: bool = False) -> str:
        return verify_units(units, tmp_path, user)

    return run


@pytest.fixture(autouse=True)
def _from_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    """Golden files name inputs relative to the checkout, wherever pytest was started."""
    monkeypatch.chdir(REPO)
