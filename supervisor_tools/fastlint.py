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
from supervisor_tools.lint.report import FORMATS

_FLAGS = {"-q": "quiet", "--quiet": "quiet", "--stats": "stats",
          "--no-host-checks": "no_host_checks", "--fix": "apply_fixes", "--diff": "show_diff",
          "--no-config": "no_config"}
_CHOICES = {"--format": ("output_format", FORMATS), "--fail-on": ("fail_on", tuple(s.value for s in Severity))}
_MULTIPLE = {"--select": "select", "--ignore": "ignore"}
# --config is left to click, which refuses a directory there.


def parse(args: list[str]) -> dict[str, Any] | None:
    """cli.lint's parameters for `svtool lint ARGS`, or None to let click parse them."""
    paths: list[str] = []
    select: list[str] = []
    ignore: list[str] = []
    params: dict[str, Any] = {
        "paths": paths, "output_format": "text", "fail_on": None, "quiet": False,
        "stats": False, "select": select, "ignore": ignore, "no_host_checks": False,
        "apply_fixes": False, "show_diff": False, "config_path": None, "no_config": False}
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if not arg.startswith("-"):
            if os.path.exists(arg) and not os.access(arg, os.R_OK):
                return None  # click refuses an unreadable path with its own message
            paths.append(arg)
            continue
        if arg in _FLAGS:
            params[_FLAGS[arg]] = True
            continue
        name, eq, value = arg.partition("=")
        if name not in _CHOICES and name not in _MULTIPLE:
            return None  # help, `--`, --config, an unknown or misspelt option
        if not eq:
            if i == len(args):
                return None
            value = args[i]
            i += 1
        if name in _MULTIPLE:
            params[_MULTIPLE[name]].append(value)
            continue
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

    boundary.leave(boundary.guard(lambda: run_lint(**params)))
