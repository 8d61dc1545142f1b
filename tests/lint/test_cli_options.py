"""The options of `svtool lint` that CI, editors and pre-commit reach for: stdin, --exit-zero,
-o, --statistics, --show-settings, --color, --extend-select and --only-supervisor; through click
and through the fast path (fastlint.py) of the real `svtool` entry point."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from supervisor_tools.cli import cli
from tests.lint.test_cli import ERROR, WARN_ONLY, invoke

ROOT = Path(__file__).resolve().parents[2]
NGINX = "server {\n    listen 80;\n    location / { proxy_pass http://app; }\n}\n"
ANSI = "\033["


def svtool(args: list[str], cwd: Path, stdin: str = "",
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed entry point: plain command lines take the fast path."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-c", "from supervisor_tools.entry import main; "
                           "main()", "lint", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, env=full_env)


def invoke_in(args: list[str], cwd: Path, stdin: str = "",
              env: dict[str, str] | None = None) -> tuple[int, str, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, args, input=stdin, env=env, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    (tmp_path / "warn.conf").write_text(WARN_ONLY)
    (tmp_path / "error.conf").write_text(ERROR)
    (tmp_path / "clean.conf").write_text("[program:web]\ncommand = /usr/bin/web\n")
    (tmp_path / "nginx.conf").write_text(NGINX)
    return tmp_path


# -- stdin --


def test_stdin_with_and_without_a_file_name(tree: Path) -> None:
    code, out, _ = invoke_in(["lint", "-"], tree, stdin=ERROR)
    assert code == 1
    assert out.startswith("-:3:13: SV103 error ")
    assert "    3 | autostart = maybe" in out  # the source line comes from stdin
    code, out, _ = invoke_in(["lint", "-", "--stdin-filename", "conf.d/web.conf"], tree,
                             stdin=ERROR)
    assert code == 1 and out.startswith("conf.d/web.conf:3:13: SV103 error ")
    assert invoke_in(["lint", "-"], tree, stdin="[program:web]\ncommand = /bin/cat\n")[0] == 0


def test_stdin_filename_chooses_per_file_settings(tree: Path) -> None:
    (tree / ".svtool.toml").write_text('per-file-ignores = { "legacy/*.conf" = ["SV103"] }\n')
    args = ["lint", "-", "--stdin-filename"]
    assert invoke_in([*args, "legacy/web.conf"], tree, stdin=ERROR)[0] == 0
    assert invoke_in([*args, "new/web.conf"], tree, stdin=ERROR)[0] == 1


def test_stdin_of_a_fragment_sees_its_siblings(tree: Path) -> None:
    (tree / "conf.d").mkdir()
    (tree / "conf.d" / "web.conf").write_text("[program:web]\ncommand = /bin/cat\n")
    group = "[group:site]\nprograms = web\n"
    args = ["lint", "-", "--stdin-filename", "conf.d/site.conf"]
    assert invoke_in(args, tree, stdin=group)[0] == 0
    code, out, _ = invoke_in(args, tree, stdin=group.replace("web", "api"))
    assert code == 1 and "SV108" in out


def test_a_stdin_filename_alone_reads_stdin(tree: Path) -> None:
    code, out, _ = invoke_in(["lint", "--stdin-filename", "web.conf"], tree, stdin=ERROR)
    assert code == 1 and out.startswith("web.conf:3:13: SV103 error ")
    code, _, err = invoke_in(["lint"], tree)
    assert code == 2 and "no files to lint" in err


def test_stdin_mistakes_exit_2(tree: Path) -> None:
    code, _, err = invoke_in(["lint", "-", "clean.conf"], tree, stdin=ERROR)
    assert code == 2 and "stdin" in err
    code, _, err = invoke_in(["lint", "--fix", "-"], tree, stdin=ERROR)
    assert code == 2 and "--fix" in err
    code, out, _ = invoke_in(["lint", "-"], tree, stdin="")
    assert code == 0


def test_stdin_through_the_fast_path(tree: Path) -> None:
    proc = svtool(["-q", "-", "--stdin-filename", "x.conf"], tree, stdin=ERROR)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("x.conf:3:13: SV103 error ")


# -- exit code and output file --


def test_exit_zero_keeps_the_report(tree: Path) -> None:
    code, out, _ = invoke(["lint", "--exit-zero", "error.conf"], tree)
    assert code == 0 and "SV103" in out
    assert invoke(["lint", "--exit-zero", "--fail-on", "info", "warn.conf"], tree)[0] == 0
    # an input that cannot be read is not a finding: still 2
    (tree / "latin1.conf").write_bytes(b"[program:x]\ncommand=/bin/x ; caf\xe9\n")
    assert invoke(["lint", "--exit-zero", "latin1.conf"], tree)[0] == 2
    assert invoke(["lint", "--exit-zero", "--diff", "error.conf"], tree)[0] == 0


def test_output_file_gets_the_report_and_stdout_nothing(tree: Path) -> None:
    _, expected, _ = invoke(["lint", "--format", "json", "error.conf"], tree)
    report = tree / "out" / "report.json"
    report.parent.mkdir()
    code, out, _ = invoke(["lint", "--format", "json", "-o", "out/report.json", "error.conf"],
                          tree)
    assert code == 1 and out == ""
    assert report.read_text() == expected
    # replaced in one step, keeping the file's mode; no temporary file left behind
    report.chmod(0o640)
    code, _, _ = invoke(["lint", "--output-file", "out/report.json", "clean.conf"], tree)
    assert code == 0 and report.read_text() == "All checks passed.\n"
    assert stat.S_IMODE(report.stat().st_mode) == 0o640
    assert os.listdir(report.parent) == ["report.json"]


def test_output_file_mistakes_exit_2(tree: Path) -> None:
    (tree / "adir").mkdir()
    assert invoke(["lint", "-o", "adir", "clean.conf"], tree)[0] == 2
    code, _, err = invoke(["lint", "-o", "missing/dir/r.txt", "clean.conf"], tree)
    assert code == 2 and "cannot write" in err and "Traceback" not in err


def test_output_file_through_the_fast_path(tree: Path) -> None:
    proc = svtool(["--format=sarif", "-o", "r.sarif", "--exit-zero", "error.conf"], tree)
    assert proc.returncode == 0 and proc.stdout == "", proc.stderr
    assert '"ruleId": "SV103"' in (tree / "r.sarif").read_text()


def test_statistics_and_its_old_name(tree: Path) -> None:
    _, new, _ = invoke(["lint", "--statistics", "warn.conf", "error.conf"], tree)
    _, old, _ = invoke(["lint", "--stats", "warn.conf", "error.conf"], tree)
    assert new == old and "     1  SV103      invalid-value" in new


# -- settings --


def test_show_settings(tree: Path) -> None:
    (tree / ".svtool.toml").write_text('select = ["SV2"]\nignore = ["SV246"]\n'
                                       'fail-on = "warning"\n')
    code, out, _ = invoke(["lint", "--show-settings"], tree)
    assert code == 0
    assert "# settings file: " + str(tree / ".svtool.toml") in out
    assert 'select = ["SV2"]' in out and 'ignore = ["SV246"]' in out
    assert 'fail-on = "warning"' in out
    assert "#   SV234 bad-timing (warning)" in out and "SV103" not in out
    assert "SV246" not in out.split("rules enabled")[1]
    code, out, _ = invoke(["lint", "--show-settings", "--no-config", "--extend-select", "host",
                           "--select", "SV1", "clean.conf"], tree)
    assert code == 0 and "# settings file: none" in out
    assert 'select = ["SV1", "host"]' in out and "#   SV116 host-user (error) [host]" in out
    assert "SV234" not in out


def test_show_settings_prints_the_toml_that_gives_them(tree: Path) -> None:
    import tomllib

    from supervisor_tools.lint import config

    (tree / ".svtool.toml").write_text(
        'select = ["DEFAULT", "host"]\nignore = ["SV246", "bad-timing"]\n'
        'per-file-ignores = { "conf.d/legacy \\"x\\"-*.conf" = ["SV210"] }\n'
        'severity = { SV234 = "error" }\nfail-on = "info"\nhost-checks = false\n')
    code, out, _ = invoke(["lint", "--show-settings"], tree)
    assert code == 0
    shown = config.from_table(tomllib.loads(out), str(tree / ".svtool.toml"))
    assert shown == config.load(str(tree / ".svtool.toml"))


@pytest.mark.parametrize(("toml", "fires"), [
    ('select = ["DEFAULT", "host"]', True),
    ('select = ["ALL"]', True),
    ('select = ["SV1"]', False),              # a prefix leaves out opt-in rules
    ('select = ["SV116"]', True),
    ('select = ["host-user"]', True),
    ('select = ["ALL"]\nignore = ["host"]', False),
    ('select = ["ALL"]\nignore = ["host-user"]', False),
    ('select = ["host"]\nper-file-ignores = { "host.conf" = ["host"] }', False),
])
def test_settings_take_ids_names_prefixes_and_groups(tree: Path, toml: str, fires: bool) -> None:
    (tree / "host.conf").write_text("[program:x]\ncommand=/bin/x\nuser=no-such-user-svtool\n")
    (tree / ".svtool.toml").write_text(toml + "\n")
    code, out, _ = invoke(["lint", "host.conf"], tree)
    assert ("SV116" in out) == fires and code == (1 if fires else 0), out


def test_extend_select_adds_to_the_settings(tree: Path) -> None:
    (tree / "host.conf").write_text("[program:x]\ncommand=/bin/x\nuser=no-such-user-svtool\n")
    (tree / ".svtool.toml").write_text('select = ["SV1"]\n')
    assert invoke(["lint", "host.conf", "warn.conf"], tree)[0] == 0
    code, out, _ = invoke(["lint", "--extend-select", "host,SV234", "host.conf", "warn.conf"],
                          tree)
    assert code == 1 and "SV116" in out and "SV234" in out
    # --select replaces the settings' selection
    code, out, _ = invoke(["lint", "--select", "SV234", "host.conf", "warn.conf"], tree)
    assert code == 0 and "SV234" in out and "SV116" not in out
    code, _, err = invoke(["lint", "--extend-select", "nope", "clean.conf"], tree)
    assert code == 2 and "--extend-select: unknown rule 'nope'" in err


# -- colour --


@pytest.mark.parametrize(("args", "env", "coloured"), [
    ([], {}, False),                                   # not a terminal
    ([], {"FORCE_COLOR": "1"}, True),
    ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    (["--color", "always"], {"NO_COLOR": "1"}, True),  # the flag is final
    (["--color=never"], {"FORCE_COLOR": "1"}, False),
    (["--color", "auto"], {"FORCE_COLOR": "1"}, True),
])
def test_color(tree: Path, args: list[str], env: dict[str, str], coloured: bool) -> None:
    base = {"NO_COLOR": None, "FORCE_COLOR": None}
    _, out, _ = invoke_in(["lint", *args, "error.conf"], tree, env={**base, **env})  # type: ignore[dict-item]
    assert (ANSI in out) == coloured
    proc = svtool([*args, "error.conf"], tree, env=env)
    assert (ANSI in proc.stdout) == coloured, proc.stdout


def test_an_output_file_is_coloured_only_when_asked(tree: Path) -> None:
    env = {"FORCE_COLOR": "1", "NO_COLOR": None}
    invoke_in(["lint", "-o", "plain.txt", "error.conf"], tree, env=env)  # type: ignore[arg-type]
    assert ANSI not in (tree / "plain.txt").read_text()
    invoke_in(["lint", "--color", "always", "-o", "c.txt", "error.conf"], tree)
    assert ANSI in (tree / "c.txt").read_text()


def test_a_bad_color_is_a_usage_error(tree: Path) -> None:
    assert invoke(["lint", "--color", "sometimes", "clean.conf"], tree)[0] == 2


# -- which files are supervisor configs --


def test_only_supervisor_skips_other_named_files(tree: Path) -> None:
    code, out, _ = invoke(["lint", "nginx.conf"], tree)
    assert code == 1 and "SV101" in out  # named without the flag: linted as asked
    code, out, _ = invoke(["lint", "--only-supervisor", "nginx.conf", "clean.conf"], tree)
    assert code == 0 and out == "All checks passed.\n"
    code, out, _ = invoke(["lint", "--only-supervisor", "nginx.conf", "error.conf"], tree)
    assert code == 1 and "nginx" not in out and "SV103" in out
    # a supervisor config with a syntax error is still a supervisor config
    (tree / "broken.conf").write_text("[program:web]\ncommand = /bin/cat\nautostart true\n")
    code, out, _ = invoke(["lint", "--only-supervisor", "broken.conf"], tree)
    assert code == 1 and "SV101" in out
    assert svtool(["--only-supervisor", "nginx.conf"], tree).returncode == 0


def test_only_supervisor_applies_to_directories_and_globs(tree: Path) -> None:
    (tree / "error.conf").unlink()
    (tree / "tox.ini").write_text("[tox]\nenvlist = py311\n")
    # pointed at a directory, svtool lints every .conf and .ini there, as asked
    code, out, _ = invoke(["lint", "."], tree)
    assert code == 1 and "nginx.conf:1:1: SV101" in out
    code, out, _ = invoke(["lint", "--only-supervisor", "."], tree)
    assert code == 0 and "nginx" not in out and "tox" not in out
    code, out, _ = invoke(["lint", "--only-supervisor", "*.conf"], tree)  # a glob svtool expands
    assert code == 0 and "nginx" not in out


def test_only_supervisor_keeps_a_file_a_main_config_includes(tmp_path: Path) -> None:
    # supervisord reads every file its [include] matches: a stray one there breaks it
    (tmp_path / ".git").mkdir()
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "supervisord.conf").write_text(
        "[supervisord]\nlogfile = /var/log/sd.log\n\n[include]\nfiles = conf.d/*\n")
    (tmp_path / "conf.d" / "notes.conf").write_text("remember to add the worker\n")
    code, out, _ = invoke(["lint", "--only-supervisor", "conf.d/notes.conf"], tmp_path)
    assert code == 1 and out.startswith("conf.d/notes.conf:1:1: SV101"), out
    (tmp_path / "supervisord.conf").unlink()
    assert invoke(["lint", "--only-supervisor", "conf.d/notes.conf"], tmp_path) == \
        (0, "All checks passed.\n", "")


def test_the_other_new_flags_through_the_fast_path(tree: Path) -> None:
    proc = svtool(["--show-settings", "--no-config", "--extend-select=host", "."], tree)
    assert proc.returncode == 0 and "SV116 host-user" in proc.stdout, proc.stderr
    proc = svtool(["--statistics", "--exit-zero", "--host-checks", "error.conf"], tree)
    assert proc.returncode == 0 and "     1  SV103" in proc.stdout
    (tree / "conf.d").mkdir()
    (tree / "main.ini").write_text("[supervisord]\n\n[include]\nfiles = conf.d/*.conf lib/*.conf\n")
    (tree / "lib").mkdir()
    (tree / "lib" / "p.conf").write_text("[program:p1]\ncommand = /bin/cat\n")
    (tree / "conf.d" / "g.conf").write_text("[group:g]\nprograms = p1\n")
    assert svtool(["conf.d/g.conf"], tree).returncode == 1
    proc = svtool(["--config-root", "main.ini", "conf.d/g.conf"], tree)
    assert proc.returncode == 0, proc.stdout
