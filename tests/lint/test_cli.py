"""`svtool lint`, `svtool rule`, `svtool rules` through the real command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from supervisor_tools.cli import cli
from supervisor_tools.lint.registry import RULES

WARN_ONLY = "[program:web]\ncommand = /usr/bin/web\nuser = root\n"
ERROR = "[program:web]\ncommand = /usr/bin/web\nautostart = maybe\n"


def invoke(args: list[str], cwd: Path) -> tuple[int, str, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    (tmp_path / "warn.conf").write_text(WARN_ONLY)
    (tmp_path / "error.conf").write_text(ERROR)
    (tmp_path / "clean.conf").write_text("[program:web]\ncommand = /usr/bin/web\n")
    return tmp_path


def test_exit_codes_follow_fail_on(tree: Path) -> None:
    assert invoke(["lint", "clean.conf"], tree)[0] == 0
    assert invoke(["lint", "warn.conf"], tree)[0] == 0
    assert invoke(["lint", "--fail-on", "warning", "warn.conf"], tree)[0] == 1
    assert invoke(["lint", "--fail-on", "info", "warn.conf"], tree)[0] == 1
    code, out, _ = invoke(["lint", "error.conf"], tree)
    assert code == 1
    assert out.startswith("error.conf:3:13: SV103 error ")


def test_fail_on_from_settings(tree: Path) -> None:
    (tree / ".svtool.toml").write_text('fail-on = "warning"\n')
    assert invoke(["lint", "warn.conf"], tree)[0] == 1
    assert invoke(["lint", "--no-config", "warn.conf"], tree)[0] == 0
    assert invoke(["lint", "--fail-on", "error", "warn.conf"], tree)[0] == 0


def test_usage_errors_exit_2_without_traceback(tree: Path) -> None:
    code, _, err = invoke(["lint", "missing.conf"], tree)
    assert code == 2 and err.strip() == "missing.conf:1:1: no such file or directory"
    code, _, err = invoke(["lint", "--select", "SV999", "clean.conf"], tree)
    assert code == 2 and "unknown rule 'SV999'" in err
    (tree / "bad.toml").write_text("select = [")
    code, _, err = invoke(["lint", "--config", "bad.toml", "clean.conf"], tree)
    assert code == 2 and err.startswith("bad.toml:1:") and "invalid TOML" in err
    assert invoke(["rule", "SV99"], tree)[0] == 2


def test_unreadable_input_exits_2(tree: Path) -> None:
    (tree / "latin1.conf").write_bytes(b"[program:x]\ncommand=/bin/x ; caf\xe9\n")
    code, out, _ = invoke(["lint", "latin1.conf"], tree)
    assert code == 2 and "SV102" in out


def test_formats(tree: Path) -> None:
    code, out, _ = invoke(["lint", "--format", "json", "warn.conf", "error.conf"], tree)
    assert code == 1
    assert [d["code"] for d in json.loads(out)] == ["SV103", "SV236"]
    code, out, _ = invoke(["lint", "--format", "sarif", "warn.conf"], tree)
    assert json.loads(out)["runs"][0]["results"][0]["ruleId"] == "SV236"
    code, out, _ = invoke(["lint", "--format", "github", "warn.conf"], tree)
    assert out.startswith("::warning file=warn.conf,line=3,col=8,")


def test_quiet_and_stats(tree: Path) -> None:
    _, out, _ = invoke(["lint", "-q", "warn.conf", "error.conf"], tree)
    assert out.count("\n") == 2 and "Found" not in out
    _, out, _ = invoke(["lint", "--stats", "warn.conf", "error.conf"], tree)
    assert "     1  SV103      invalid-value" in out


def test_select_ignore_and_no_host_checks(tree: Path) -> None:
    (tree / "host.conf").write_text("[program:x]\ncommand=/bin/x\nuser=no-such-user-svtool\n")
    assert invoke(["lint", "host.conf"], tree)[0] == 0  # host checks are opt-in
    assert invoke(["lint", "--select", "host", "host.conf"], tree)[0] == 1
    assert invoke(["lint", "--select", "ALL", "--no-host-checks", "host.conf"], tree)[0] == 0
    assert invoke(["lint", "--select", "ALL", "--ignore", "SV116", "host.conf"], tree)[0] == 0
    assert invoke(["lint", "--select", "SV2,SV0", "error.conf"], tree)[0] == 0


def test_rule_and_rules(tree: Path) -> None:
    code, out, _ = invoke(["rule", "SV227"], tree)
    assert code == 0 and out.startswith("SV227 unquoted-environment: ")
    assert "Failing:" in out and "Passing:" in out
    assert invoke(["rule", "tmp-path"], tree)[1].startswith("SV246 tmp-path")
    code, out, _ = invoke(["rules"], tree)
    assert code == 0 and len(out.splitlines()) == len(RULES)
    data = json.loads(invoke(["rules", "--json"], tree)[1])
    assert {d["id"] for d in data} == {r.id for r in RULES}


def test_module_entry_point_reports_without_traceback(tree: Path) -> None:
    (tree / "binary.conf").write_bytes(bytes(range(256)) * 4)
    proc = subprocess.run([sys.executable, "-m", "supervisor_tools", "lint", "binary.conf",
                           "clean.conf", "nope"], cwd=tree, capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr + proc.stdout
