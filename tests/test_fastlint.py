"""fastlint.py parses `svtool lint` command lines exactly as click does, or leaves them to it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_tools import fastlint
from supervisor_tools.lint_args import OPTIONS, LintOption
from supervisor_tools.cli import cli

ROOT = Path(__file__).resolve().parents[1]
LINT = cli.commands["lint"]


def click_params(args: list[str]) -> dict[str, Any] | None:
    """What click hands cli.lint for `svtool lint ARGS`, or None when it refuses them."""
    try:
        ctx = LINT.make_context("lint", list(args))
    except (click.UsageError, click.exceptions.Exit):
        return None
    return {k: list(v) if isinstance(v, tuple) else v for k, v in ctx.params.items()}


TOKEN_LIST = [
    "a.conf", "conf.d", "x y.conf", "", "lint", "a=b.conf", "-", "--", "-q", "-qq", "--quiet",
    "--stats", "--no-host-checks", "--fix", "--diff", "--no-config", "--no-config=1", "--format",
    "--format=json", "--format=JSON", "json", "sarif", "github", "text", "xml", "--fail-on",
    "--fail-on=warning", "warning", "info", "error", "--select", "--select=SV2", "SV210,SV211",
    "--ignore", "--ignore=", "SV1", "--config", "--config=pyproject.toml", "pyproject.toml",
    "--help", "-h", "--unknown", "-x", "--form", "-5", "--host-checks", "--host-checks=1",
    "--exit-zero", "--statistics", "--stat", "--show-settings", "--only-supervisor",
    "--extend-select", "--extend-select=host", "host", "strict", "--color", "--color=always",
    "never", "auto", "--color=AUTO", "-o", "-oout.txt", "-o=out.txt", "--output-file",
    "--output-file=out.txt", "out.txt", "--stdin-filename", "--stdin-filename=web.conf",
    "--config-root", "--config-root=main.conf", "main.conf", "--config-root=missing.conf",
    "adir", "--output", "--output=out.txt", "--settings", "--settings=pyproject.toml", "-c",
    "-cmain.conf", "--no-settings"]
TOKENS = st.sampled_from(TOKEN_LIST)


@pytest.fixture()
def in_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A directory where main.conf exists and adir is a directory: click checks both."""
    (tmp_path / "main.conf").write_text("[supervisord]\n")
    (tmp_path / "adir").mkdir()
    monkeypatch.chdir(tmp_path)


@settings(max_examples=1000, deadline=None)
@given(st.lists(TOKENS, max_size=7))
def test_fastlint_parses_like_click_or_leaves_it_to_click(args: list[str]) -> None:
    fast = fastlint.parse(args)
    if fast is not None:
        assert fast == click_params(args)


def test_fastlint_parses_like_click_where_paths_exist(in_tree: None) -> None:
    # the same check among files click looks at (hypothesis cannot share a tmp_path fixture)
    import random

    rng = random.Random(12)
    taken = 0
    for _ in range(3000):
        args = [rng.choice(TOKEN_LIST) for _ in range(rng.randint(0, 6))]
        fast = fastlint.parse(args)
        if fast is not None:
            taken += 1
            assert fast == click_params(args), args
    assert taken > 300


@pytest.mark.parametrize("args", [
    ["conf.d/"], ["-q", "--no-config", "supervisord.conf"], ["--format", "sarif", "a.conf"],
    ["--format=github", "--fail-on", "warning", "a.conf", "b.conf"],
    ["--select", "SV2", "--ignore=SV246", "--stats", "conf.d"], ["--fix", "a.conf"],
    ["--diff", "--no-host-checks", "a.conf"], ["--host-checks", "a.conf"],
    ["--only-supervisor", "conf.d/a.conf", "app.conf"], ["--exit-zero", "--statistics", "a.conf"],
    ["--format", "json", "-o", "out.json", "a.conf"], ["--output-file=out.txt", "a.conf"],
    ["--color", "always", "--extend-select", "strict,host", "a.conf"], ["--show-settings", "."],
    ["-", "--stdin-filename", "conf.d/web.conf"], ["--config-root", "main.conf", "a.conf"],
    ["--stats", "--no-host-checks", "--host-checks", "a.conf"]])
def test_the_command_lines_of_ci_and_pre_commit_take_the_fast_path(
        args: list[str], in_tree: None) -> None:
    assert fastlint.parse(args) is not None
    assert fastlint.parse(args) == click_params(args)


def spellings(option: LintOption) -> list[list[str]]:
    """Command-line words giving `option` each way it can be spelt, with a value click takes."""
    if option.kind in ("flag", "switch"):
        return [[flag] for flag in option.flags]
    value = "main.conf" if option.path == "existing" else "out.txt"
    if option.kind == "choice":
        value = option.choices[-1]
    found = [[flag, value] for flag in option.flags]
    return found + [[f"{flag}={value}"] for flag in option.flags if flag.startswith("--")]


@pytest.mark.parametrize("option", OPTIONS, ids=lambda o: o.dest)
def test_each_declared_option_is_parsed_by_both_parsers_alike(
        option: LintOption, in_tree: None) -> None:
    # one declared list builds both: a new option is taken by the fast path unless declared not
    for words in spellings(option):
        args = [*words, "a.conf"]
        assert click_params(args) is not None, args
        fast = fastlint.parse(args)
        if option.fast:
            assert fast == click_params(args), args
        else:
            assert fast is None, args


def test_an_unreadable_path_is_left_to_click(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.conf"
    path.write_text("[program:x]\ncommand=/bin/x\n")
    assert fastlint.parse([str(path)]) is not None
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)  # as for another user
    assert fastlint.parse([str(path)]) is None
    assert click_params([str(path)]) is None


PROBE = """
import sys
from supervisor_tools import boundary, entry

real_leave = boundary.leave


def leave(code):
    print("click imported:", "click" in sys.modules)
    real_leave(code)


boundary.leave = leave
sys.argv = ["svtool", "lint", "--no-config", sys.argv[1]]
entry.main()
"""


def test_svtool_lint_runs_without_importing_click(tmp_path: Path) -> None:
    conf = tmp_path / "one.conf"
    conf.write_text("[program:web]\ncommand = /usr/bin/web\nautorestrat = true\n")
    proc = subprocess.run([sys.executable, "-c", PROBE, str(conf)], capture_output=True,
                          text=True, cwd=ROOT)
    assert proc.returncode == 1, proc.stderr
    assert "SV210" in proc.stdout
    assert proc.stdout.strip().endswith("click imported: False")


# Modules a cold `svtool lint` of an ordinary config must not import: each costs every start
# from 0.1 to several milliseconds, and only some configs (or other subcommands) need them.
NOT_AT_START = (
    "click", "lark", "yaml", "pygls", "json", "tempfile", "urllib.parse", "ipaddress",
    "platform", "shlex", "math", "heapq",
    "supervisor_tools.model.depgraph", "supervisor_tools.model.restart",
    "supervisor_tools.runtime", "supervisor_tools.convert", "supervisor_tools.lsp",
)

IMPORT_PROBE = """
import sys
from supervisor_tools import boundary, entry

real_leave = boundary.leave
heavy = set(sys.argv[2].split(","))


def leave(code):
    print("imported:", sorted(heavy & set(sys.modules)))
    real_leave(code)


boundary.leave = leave
sys.argv = ["svtool", "lint", "--no-config", sys.argv[1]]
entry.main()
"""

ORDINARY = """\
[program:web]
command = /usr/bin/web --port 8080
directory = /srv/web
environment = APP_ENV="production",QUEUE="web"
autorestart = unexpected
startretries = 3
stopsignal = TERM
priority = 100
stdout_logfile = /var/log/web.log
"""


def test_a_cold_lint_imports_none_of_the_heavy_modules(tmp_path: Path) -> None:
    conf = tmp_path / "one.conf"
    conf.write_text(ORDINARY)
    proc = subprocess.run([sys.executable, "-c", IMPORT_PROBE, str(conf), ",".join(NOT_AT_START)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode in (0, 1), proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "imported: []"
