"""`--target supervisord` / `target = "supervisord"`: svtool's extension keys and values are
findings (SV260), for every row the option table marks, whichever part of svtool adds it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from supervisor_tools.lint import config
from supervisor_tools.lint.engine import run
from supervisor_tools.options.table import NAMED_KINDS, TABLE

CONFIG = """\
[supervisord]
logfile = /var/log/supervisord.log

[program:web]
command = /usr/bin/web
startretries = -1
maxbackoff = 30
"""
SVTOOL = [sys.executable, "-m", "supervisor_tools"]


def lint(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SVTOOL, "lint", "--no-settings", *args, "supervisord.conf"],
                          cwd=tmp_path, text=True, capture_output=True, timeout=60)


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    path = tmp_path / "supervisord.conf"
    path.write_text(CONFIG)
    return path


def test_the_default_target_accepts_extensions(tmp_path: Path, conf: Path) -> None:
    res = lint(tmp_path)
    assert "SV260" not in res.stdout and res.returncode == 0, res.stdout


def test_target_supervisord_reports_extension_keys_and_values(tmp_path: Path,
                                                              conf: Path) -> None:
    res = lint(tmp_path, "--target", "supervisord", "-q")
    assert res.returncode == 1
    assert res.stdout.splitlines() == [
        "supervisord.conf:6:16: SV260 error [program:web] startretries=-1 means something else "
        "to supervisord 4.3.0 (svtool extension)",
        "supervisord.conf:7:1: SV260 error [program:web] maxbackoff is an svtool extension: "
        "supervisord 4.3.0 ignores it",
    ]


def test_the_target_setting_in_a_settings_file(tmp_path: Path, conf: Path) -> None:
    (tmp_path / ".svtool.toml").write_text('target = "supervisord"\n')
    res = subprocess.run([*SVTOOL, "lint", "-q", "supervisord.conf"], cwd=tmp_path, text=True,
                         capture_output=True, timeout=60)
    assert res.stdout.count("SV260") == 2, res.stdout
    shown = subprocess.run([*SVTOOL, "lint", "--show-settings"], cwd=tmp_path, text=True,
                           capture_output=True, timeout=60).stdout
    assert 'target = "supervisord"' in shown and "SV260 svtool-extension" in shown
    # the command line wins over the file
    res = subprocess.run([*SVTOOL, "lint", "-q", "--target", "svtool", "supervisord.conf"],
                         cwd=tmp_path, text=True, capture_output=True, timeout=60)
    assert "SV260" not in res.stdout


def test_a_bad_target_is_a_usage_error_with_a_position(tmp_path: Path, conf: Path) -> None:
    (tmp_path / ".svtool.toml").write_text('select = ["DEFAULT"]\ntarget = "systemd"\n')
    res = subprocess.run([*SVTOOL, "lint", "supervisord.conf"], cwd=tmp_path, text=True,
                         capture_output=True, timeout=60)
    assert res.returncode == 2
    assert res.stderr.strip() == f"{tmp_path}/.svtool.toml:2:1: setting 'target' must be " \
                                 "svtool or supervisord, not 'systemd'", res.stderr
    assert "Traceback" not in res.stderr
    res = lint(tmp_path, "--target", "systemd")
    assert res.returncode == 2 and "Traceback" not in res.stderr


def test_every_extension_row_is_reported(tmp_path: Path) -> None:
    """Any row marked as an extension, in any section kind, is a finding: the rule reads the
    table, so keys added later are covered once their rows say so."""
    sections: list[str] = []
    expected = 0
    for kind, rows in TABLE.items():
        marked = [r for r in rows if r.extension]
        if not marked:
            continue
        header = f"{kind}:x" if kind in NAMED_KINDS else kind
        lines = [f"[{header}]"]
        for row in rows:
            if row.required:
                lines.append(f"{row.name} = {row.example or row.default_text}")
        for row in marked:
            value = row.default_text or row.example or "1"
            lines.append(f"{row.name} = {value}")
            expected += 1
        sections.append("\n".join(lines) + "\n")
    assert expected >= 6  # the restart-policy and container-mode keys at least
    (tmp_path / "supervisord.conf").write_text("\n".join(sections))
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        settings = config.Settings(select=("SV260",), target="supervisord")
        found = [d for d in run(["supervisord.conf"], settings).diagnostics if d.code == "SV260"]
    finally:
        os.chdir(old)
    assert len(found) == expected, found
