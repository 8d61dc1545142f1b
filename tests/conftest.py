"""Fixtures more than one test directory uses."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory every user may write to, for a child run as another user (`user=`):
    tmp_path sits under a 0700 directory of whoever runs the tests."""
    path = Path(tempfile.mkdtemp(prefix="svtool-shared-", dir="/tmp"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path)
