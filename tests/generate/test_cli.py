"""`svtool echo-conf` and `svtool docs` on the command line: exit codes, errors, -o."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from supervisor_tools.cli import cli
from supervisor_tools.generate.sample import full_sample


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_sample_on_stdout() -> None:
    code, out, err = run("echo-conf")
    assert (code, err) == (0, "")
    assert out == full_sample()


@pytest.mark.parametrize("args", [
    ["program", "web", "--command", "x", "--numprocs", "0"],
    ["program", "a:b", "--command", "x"],
    ["program", "a b", "--command", "x"],
    ["program", "web", "--command", "x", "--env", "NOEQUALS"],
    ["program", "web", "--command", "x", "--env", "1X=y"],
    ["program", "web", "--command", "sh -c 'a ; b'"],
    ["program", "web", "--command", "x", "--autorestart", "sometimes"],
    ["program", "web", "--command", "x", "--numprocs", "many"],
    ["program", "web"],
    ["group", "g", "--programs", "a,,b"],
    ["group", "g:h", "--programs", "a"],
    ["group", "g"],
    ["--minimal"],
    ["--minimal", "--dir", "/srv/x", "program", "web", "--command", "x"],
])
def test_bad_flags_exit_2_with_a_message(args: list[str]) -> None:
    code, out, err = run("echo-conf", *args)
    assert code == 2
    assert out == ""
    assert err.strip() and "Traceback" not in err


def test_program_error_names_the_problem() -> None:
    code, _, err = run("echo-conf", "program", "a b", "--command", "x")
    assert code == 2
    assert err == ("svtool: invalid program name 'a b': ' ' is not allowed (a name may not "
                   "contain whitespace or any of \"#%',/:;=[\\])\n")


def test_output_file_is_written_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "web.conf"
    target.write_text("old")
    os.chmod(target, 0o640)
    code, out, err = run("echo-conf", "program", "web", "--command", "/bin/cat", "-o",
                         str(target))
    assert (code, out, err) == (0, "", "")
    assert "\n[program:web] ;" in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["web.conf"]


def test_output_before_the_form_applies_to_it(tmp_path: Path) -> None:
    target = tmp_path / "g.conf"
    code, _, _ = run("echo-conf", "-o", str(target), "group", "g", "--programs", "a,b")
    assert code == 0
    assert target.read_text().startswith("[group:g]")


def test_unwritable_output_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    code, out, err = run("echo-conf", "-o", str(tmp_path / "missing" / "x.conf"))
    assert code == 2
    assert err.startswith("svtool: cannot write ")


def test_minimal_creates_its_directories(tmp_path: Path) -> None:
    base = tmp_path / "a" / "b"
    code, out, err = run("echo-conf", "--minimal", "--dir", str(base), "-o",
                         str(base / "supervisord.conf"))
    assert (code, err) == (0, "")
    assert sorted(p.name for p in base.iterdir()) == ["conf.d", "log", "supervisord.conf"]


def test_docs_check(tmp_path: Path) -> None:
    page = tmp_path / "options.md"
    assert run("docs", "-o", str(page))[0] == 0
    assert run("docs", "--check", "-o", str(page))[0] == 0
    page.write_text(page.read_text() + "edited\n")
    code, _, err = run("docs", "--check", "-o", str(page))
    assert code == 1
    assert "out of date" in err


def test_svtool_lint_finds_no_errors_in_generated_configs(tmp_path: Path) -> None:
    base = tmp_path / "sv"
    main = base / "supervisord.conf"
    assert run("echo-conf", "--minimal", "--dir", str(base), "-o", str(main))[0] == 0
    assert run("echo-conf", "-o", str(tmp_path / "sample.conf"))[0] == 0
    for args in (["program", "web", "--command", "bash -c 'exec gunicorn app:app'",
                  "--numprocs", "4", "--env", "A=1", "--logdir", str(base / "log")],
                 ["program", "worker", "--command", "/usr/bin/python3 -m worker"],
                 ["group", "app", "--programs", "web,worker"]):
        assert run("echo-conf", *args, "-o", str(base / "conf.d" / f"{args[1]}.conf"))[0] == 0
    code, out, err = run("lint", "--no-config", "--fail-on", "error", str(main),
                         str(tmp_path / "sample.conf"))
    assert code == 0, out + err
