"""--fix and --diff: certain fixes through the syntax tree, comments and layout kept."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from supervisor_tools.files import write_atomic
from supervisor_tools.lint import fix
from supervisor_tools.lint.command import lint_command
from supervisor_tools.lint.engine import run

BROKEN = """; web server, owned by the web team
[progam:web]   ; typo in the kind
command = /usr/bin/web   ; the binary
autorestrt = true
environment = URL=http://x/?y=1,MODE=prod
stdout_logfile = syslog
  priority = 5

[Program:api]\r
command = /usr/bin/api\r
"""

FIXED = """; web server, owned by the web team
[program:web]   ; typo in the kind
command = /usr/bin/web   ; the binary
autorestart = true
environment = URL="http://x/?y=1",MODE=prod
stdout_logfile = NONE
stdout_syslog = true
priority = 5

[program:api]\r
command = /usr/bin/api\r
"""


def test_fix_rewrites_in_place_keeping_comments(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "web.conf"
    path.write_bytes(BROKEN.encode())
    os.chmod(path, 0o640)
    code = lint_command(["web.conf"], apply_fixes=True, no_config=True)
    assert path.read_bytes() == FIXED.encode()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["web.conf"]  # no temp file left behind
    assert code == 0
    assert "All checks passed." in capsys.readouterr().out
    assert run([str(path)]).diagnostics == []


def test_diff_shows_the_fix_and_writes_nothing(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "web.conf"
    path.write_text("[program:web]\ncommand = /usr/bin/web\nautorestrt = true\n")
    assert lint_command(["web.conf"], show_diff=True, no_config=True) == 1
    out = capsys.readouterr().out
    assert "-autorestrt = true\n+autorestart = true\n" in out
    assert out.startswith("--- a/web.conf\n+++ b/web.conf\n")
    assert path.read_text().endswith("autorestrt = true\n")
    path.write_text("[program:web]\ncommand = /usr/bin/web\n")
    assert lint_command(["web.conf"], show_diff=True, no_config=True) == 0
    assert capsys.readouterr().out == ""


def test_no_fix_when_the_intended_key_is_uncertain_or_taken(tmp_path: Path) -> None:
    path = tmp_path / "web.conf"
    path.write_text("[program:web]\ncommand = /usr/bin/web\nstd_logfile = /var/log/z.log\n"
                    "stdout_logfle = /var/log/x.log\nstdout_logfile = /var/log/y.log\n")
    result = run([str(path)])
    assert [f.fix for f in result.findings if f.diagnostic.code == "SV210"] == [None, None]
    assert fix.planned(result.findings, result.documents) == {}


def test_diff_of_a_file_without_final_newline() -> None:
    diff = fix.unified_diff("x.conf", "[Program:a]\ncommand=/bin/a", "[program:a]\ncommand=/bin/a")
    assert "\\ No newline at end of file" not in diff.split("@@")[2].splitlines()[0]
    assert diff.endswith("command=/bin/a\n\\ No newline at end of file\n")


def test_insert_after_an_option_at_end_of_file_without_newline(tmp_path: Path) -> None:
    path = tmp_path / "web.conf"
    path.write_text("[program:web]\ncommand = /usr/bin/web\nstderr_logfile = syslog")
    result = run([str(path)])
    new = fix.planned(result.findings, result.documents)[str(path)]
    assert new == ("[program:web]\ncommand = /usr/bin/web\nstderr_logfile = NONE\n"
                   "stderr_syslog = true\n")


def test_write_atomic_replaces_in_one_step(tmp_path: Path) -> None:
    path = tmp_path / "x.conf"
    path.write_text("old")
    write_atomic(str(path), "new ✓")
    assert path.read_text(encoding="utf-8") == "new ✓"
    assert os.listdir(tmp_path) == ["x.conf"]


def test_fix_through_a_symlink_fixes_the_real_file_and_keeps_the_link(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # conf.d entries are often links into a checkout; --fix must not turn them into copies
    monkeypatch.chdir(tmp_path)
    (tmp_path / "available").mkdir()
    (tmp_path / "conf.d").mkdir()
    real = tmp_path / "available" / "web.conf"
    real.write_bytes(BROKEN.encode())
    link = tmp_path / "conf.d" / "web.conf"
    os.symlink(os.path.join("..", "available", "web.conf"), link)
    lint_command(["conf.d/web.conf"], apply_fixes=True, no_config=True)
    assert link.is_symlink()
    assert os.readlink(link) == os.path.join("..", "available", "web.conf")
    assert real.read_bytes() == FIXED.encode()
    assert sorted(os.listdir(tmp_path / "available")) == ["web.conf"]
    assert sorted(os.listdir(tmp_path / "conf.d")) == ["web.conf"]
