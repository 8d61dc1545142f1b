"""Lint rule fixtures: fixtures/lint/<ID>-<name>/ holds config files and `expected.txt`, one
`path:line:col CODE` per finding when the whole directory is linted (paths relative to it).
A `.svtool.toml` in the directory holds its settings (`host-checks = true` for the host rules);
without one it is linted with the default settings.

Refresh the expected files on purpose with `SVTOOL_UPDATE_LINT_FIXTURES=1 pytest tests/lint`,
then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

from supervisor_tools.errors import Diagnostic
from supervisor_tools.lint import config
from supervisor_tools.lint.engine import run

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "lint"
UPDATE = bool(os.environ.get("SVTOOL_UPDATE_LINT_FIXTURES"))


def fixture_dirs() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name.startswith("SV"))


def lint_dir(directory: Path) -> list[Diagnostic]:
    """Lint a fixture directory from inside it, so paths are relative and stable.

    The default rules run, and the fixture's own rule even when it belongs to an opt-in group.
    """
    old = os.getcwd()
    os.chdir(directory)
    try:
        settings = config.load(".svtool.toml") if os.path.isfile(".svtool.toml") else None
        settings = settings or config.Settings()
        rule_id = directory.name.split("-", 1)[0]
        return run(["."], settings._replace(select=settings.select + (rule_id,))).diagnostics
    finally:
        os.chdir(old)


def as_lines(diagnostics: list[Diagnostic], directory: Path) -> list[str]:
    out = []
    for d in diagnostics:
        path = os.path.relpath(os.path.join(directory, d.span.file), directory)
        out.append(f"{path}:{d.span.line}:{d.span.col} {d.code}")
    return out
