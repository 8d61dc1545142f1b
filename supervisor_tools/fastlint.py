"""`svtool lint` without click, for the command lines CI and pre-commit run.

A cold `svtool lint one.conf` is mostly start-up, and importing click is a fifth of it. The
plain command lines (paths and lint's own options, nothing unusual) are parsed here, from the
options lint_args.py declares for both, into exactly the parameters click would hand cli.lint;
anything else, and every mistake, is left to click, which explains it. tests/test_fastlint.py
holds this parser to click's on generated command lines.
"""

from __future__ import annotations

import os
from typing import Any, NoReturn

from supervisor_tools import boundary
from supervisor_tools.lint_args import OPTIONS, LintOption, initial

# each spelling of an option the parser takes; a flag's or switch's with the value it sets
_TAKEN: dict[str, tuple[LintOption, bool]] = {
    flag: (option, option.kind != "switch" or i == 0)
    for option in OPTIONS if option.fast for i, flag in enumerate(option.flags)}


def _value_ok(option: LintOption, value: str) -> bool:
    """Whether click would accept `value` for `option`: else the command line is click's."""
    if option.kind == "choice":
        return value in option.choices
    if option.path == "existing":  # click.Path(exists=True, dir_okay=False)
        return os.path.isfile(value) and os.access(value, os.R_OK)
    if option.path == "file":  # click.Path(dir_okay=False)
        return not os.path.isdir(value)
    return True


def parse(args: list[str]) -> dict[str, Any] | None:
    """cli.lint's parameters for `svtool lint ARGS`, or None to let click parse them."""
    paths: list[str] = []
    params: dict[str, Any] = {"paths": paths}
    params.update((option.dest, initial(option)) for option in OPTIONS)
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "-" or not arg.startswith("-"):
            if os.path.exists(arg) and not os.access(arg, os.R_OK):
                return None  # click refuses an unreadable path with its own message
            paths.append(arg)
            continue
        taken = _TAKEN.get(arg)
        if taken is not None and taken[0].kind in ("flag", "switch"):
            params[taken[0].dest] = taken[1]
            continue
        # `--name=value`; a short option's `-o=x` means "=x" to click: left to it
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        taken = _TAKEN.get(name)
        if taken is None or taken[0].kind in ("flag", "switch"):
            # help, `--`, -c/--config, --settings, an unknown or misspelt option, `--fix=1`
            return None
        option = taken[0]
        if not eq:
            if i == len(args):
                return None
            value = args[i]
            i += 1
        if option.kind == "multiple":
            params[option.dest].append(value)
        elif not _value_ok(option, value):
            return None
        else:
            params[option.dest] = value
    return params if paths else None


def run(params: dict[str, Any], process: boundary.Process) -> NoReturn:
    """Lint as the click command would, and exit."""
    from supervisor_tools.lint.command import run_lint

    del params["config"]  # never set here: a command line with -c/--config is click's
    boundary.run(lambda forks: run_lint(**params, forks=forks), short_lived=True,
                 process=process)
