"""`svtool lint` without click, for the command lines CI and pre-commit run.

A cold `svtool lint one.conf` is mostly start-up, and importing click is a fifth of it. The
plain command lines (paths and lint's own options, nothing unusual) are parsed here into exactly
the parameters click would hand cli.lint; anything else, and every mistake, is left to click,
which explains it. tests/test_fastlint.py holds this parser to click's on generated command lines.
"""

from __future__ import annotations

import os
from typing import Any, NoReturn

from supervisor_tools.errors import Severity
from supervisor_tools.lint.output import COLOR_CHOICES
from supervisor_tools.lint.report import FORMATS

_FLAGS: dict[str, tuple[str, bool]] = {
    "-q": ("quiet", True), "--quiet": ("quiet", True), "--stats": ("stats", True),
    "--statistics": ("stats", True), "--host-checks": ("host_checks", True),
    "--no-host-checks": ("host_checks", False), "--fix": ("apply_fixes", True),
    "--diff": ("show_diff", True), "--no-config": ("no_config", True),
    "--no-settings": ("no_config", True),
    "--exit-zero": ("exit_zero", True), "--show-settings": ("show_settings", True),
    "--only-supervisor": ("only_supervisor", True)}
_CHOICES = {"--format": ("output_format", FORMATS),
            "--fail-on": ("fail_on", tuple(s.value for s in Severity)),
            "--color": ("color", COLOR_CHOICES)}
_MULTIPLE = {"--select": "select", "--ignore": "ignore", "--extend-select": "extend_select"}
# values click checks against the file system: taken here only when click would accept them
_PATHS = {"-o": "output_file", "--output": "output_file", "--output-file": "output_file",
          "--config-root": "config_root"}
_STRINGS = {"--stdin-filename": "stdin_filename"}
# -c/--config and --settings are left to click, which refuses a directory there (and cli.lint
# decides what -c names).


def _path_ok(key: str, value: str) -> bool:
    if key == "config_root":  # click.Path(exists=True, dir_okay=False)
        return os.path.isfile(value) and os.access(value, os.R_OK)
    return not os.path.isdir(value)  # click.Path(dir_okay=False)


def parse(args: list[str]) -> dict[str, Any] | None:
    """cli.lint's parameters for `svtool lint ARGS`, or None to let click parse them."""
    paths: list[str] = []
    params: dict[str, Any] = {
        "paths": paths, "output_format": "text", "output_file": None, "fail_on": None,
        "exit_zero": False, "quiet": False, "stats": False, "select": [],
        "extend_select": [], "ignore": [], "host_checks": None, "apply_fixes": False,
        "show_diff": False, "config_path": None, "no_config": False, "show_settings": False,
        "color": "auto", "stdin_filename": None, "only_supervisor": False,
        "config_root": None, "config": None}
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "-" or not arg.startswith("-"):
            if os.path.exists(arg) and not os.access(arg, os.R_OK):
                return None  # click refuses an unreadable path with its own message
            paths.append(arg)
            continue
        if arg in _FLAGS:
            key, flag = _FLAGS[arg]
            params[key] = flag
            continue
        # `--name=value`; a short option's `-o=x` means "=x" to click: left to it
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name not in _CHOICES and name not in _MULTIPLE and name not in _PATHS \
                and name not in _STRINGS:
            return None  # help, `--`, -c/--config, --settings, an unknown or misspelt option
        if not eq:
            if i == len(args):
                return None
            value = args[i]
            i += 1
        if name in _MULTIPLE:
            params[_MULTIPLE[name]].append(value)
        elif name in _STRINGS:
            params[_STRINGS[name]] = value
        elif name in _PATHS:
            if not _path_ok(_PATHS[name], value):
                return None
            params[_PATHS[name]] = value
        else:
            key, choices = _CHOICES[name]
            if value not in choices:
                return None
            params[key] = value
    return params if paths else None


def run(params: dict[str, Any]) -> NoReturn:
    """Lint as the click command would, and exit."""
    from supervisor_tools import boundary

    boundary.standalone = True
    boundary.short_lived()
    from supervisor_tools.lint.command import run_lint

    del params["config"]  # never set here: a command line with -c/--config is click's
    boundary.leave(boundary.guard(lambda: run_lint(**params)))
