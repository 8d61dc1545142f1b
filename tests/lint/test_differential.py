"""svtool lint against supervisord 4.3.0's own loader, on every lint fixture and seed:

- when supervisord refuses a file, lint reports at least one error;
- when lint reports an error of a rule marked `rejected` (group 1), supervisord refuses it.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from supervisor_tools.errors import Diagnostic, Severity
from supervisor_tools.lint.engine import lint_paths
from supervisor_tools.lint.registry import BY_ID
from tests.lint.fixtures import FIXTURES, ROOT
from tests.oracle import run_oracle

_SUPERVISORD = re.compile(rb"^[ \t]*\[supervisord\]", re.M)
_INCLUDE = re.compile(rb"^[ \t]*\[include\]", re.M)


# supervisord needs minutes to build 100000 process configs; svtool declines (SV206).
TOO_SLOW_FOR_SUPERVISORD = {"SV206-numprocs-limit"}


def _files() -> list[Path]:
    out = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".conf", ".ini")
                 and p.relative_to(FIXTURES).parts[0] not in TOO_SLOW_FOR_SUPERVISORD)
    seeds = ROOT / "fixtures" / "seeds"
    if seeds.is_dir():
        out += sorted(p for p in seeds.iterdir() if p.suffix in (".conf", ".ini"))
    return out


FILES = _files()


def _lint_one(path: Path) -> list[Diagnostic]:
    old = os.getcwd()
    os.chdir(path.parent)
    try:
        # supervisord reads the file alone and judges it on this machine: so does lint here
        return lint_paths([path.name], in_context=False, host_checks=True)
    finally:
        os.chdir(old)


def _oracle(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    fragment = not _SUPERVISORD.search(data) and not _INCLUDE.search(data)
    return run_oracle(str(path), fragment=fragment)


@pytest.fixture(scope="module")
def verdicts() -> dict[Path, dict[str, Any]]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(FILES, pool.map(_oracle, FILES), strict=True))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_agrees_with_supervisord(path: Path, verdicts: dict[Path, dict[str, Any]]) -> None:
    verdict = verdicts[path]
    found = _lint_one(path)
    errors = [d for d in found if d.severity == Severity.ERROR]
    if not verdict["ok"]:
        assert errors, f"supervisord refuses {path} ({verdict['error']}) but lint finds no error"
    rejected = [d for d in errors if BY_ID[d.code].rejected]
    if rejected:
        assert not verdict["ok"], f"lint says supervisord refuses {path}: {rejected[0]}"
