"""The option vocabulary svtool's commands share, so that each word means one thing.

`-c/--config FILE` is the supervisord config a command reads, `-o/--output` where its output
goes (atomically), `-q/--quiet` says less, `-s/--serverurl` is the supervisor to talk to, and
`--format json` asks for JSON (`--json` stays as its alias). tests/test_cli_language.py checks
every command against this.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from supervisor_tools import boundary
from supervisor_tools.lint_args import OPTIONS, LintOption

F = TypeVar("F", bound=Callable[..., Any])


def process() -> boundary.Process | None:
    """The entry point's hold on this process; None when a host (a test) invokes the command."""
    return click.get_current_context().find_object(boundary.Process)


def run(command: Callable[[], int]) -> NoReturn:
    """Run a command that writes or lives long: the collector as it was, no forks."""
    boundary.run(lambda _forks: command(), short_lived=False, process=process())


def read(command: boundary.Command) -> NoReturn:
    """Run a short-lived reader (lint, show): see boundary.run."""
    boundary.run(command, short_lived=True, process=process())


def config_of(positional: str | None, option: str | None) -> str:
    """The config named as the CONFIG argument or with -c/--config (once)."""
    if positional is not None and option is not None and positional != option:
        raise click.UsageError("name the config once: as CONFIG or with -c/--config")
    config = option if option is not None else positional
    if config is None:
        raise click.UsageError("Missing argument 'CONFIG' (or -c/--config FILE).")
    return config


def config_option(
    help_text: str = "The config to read (instead of the CONFIG argument).", **kw: Any
) -> Callable[[F], F]:
    return click.option("-c", "--config", "config_opt", metavar="FILE", help=help_text, **kw)


def format_options(what: str) -> Callable[[F], F]:
    """`--format text|json`, and `--json` as its old spelling."""

    def decorate(func: F) -> F:
        func = click.option("--json", "as_json", is_flag=True, help="Same as --format json.")(func)
        return click.option(
            "--format",
            "output_format",
            type=click.Choice(("text", "json")),
            default="text",
            show_default=True,
            help=f"Print {what} as text or JSON.",
        )(func)

    return decorate


def parent_output(ctx: click.Context) -> str | None:
    """`-o` given before the form (`svtool echo-conf -o F program ...`) applies to the form."""
    return ctx.parent.params.get("output") if ctx.parent is not None else None


def route_config(params: dict[str, Any]) -> None:
    """`lint -c FILE`: the main config, or for a .toml file the settings file (what
    `--config` meant before -c/--config named the supervisord config in every command)."""
    config = params.pop("config")
    if config is None:
        return
    key, other = (
        ("config_path", "--settings")
        if config.endswith(".toml")
        else ("config_root", "--config-root")
    )
    if params[key] is not None and params[key] != config:
        raise click.UsageError(f"-c/--config {config} and {other} {params[key]} name two files")
    if key == "config_root" and not (os.path.isfile(config) and os.access(config, os.R_OK)):
        raise click.BadParameter(
            f"File {config!r} does not exist or cannot be read.", param_hint="'-c' / '--config'"
        )
    params[key] = config


def _click_option(option: LintOption) -> Callable[[F], F]:
    """The click option of one of lint's declared options."""
    kw: dict[str, Any] = {"help": option.help}
    if option.metavar is not None:
        kw["metavar"] = option.metavar
    if option.show_default:
        kw["show_default"] = True
    if option.path:
        kw["type"] = click.Path(exists=option.path == "existing", dir_okay=False)
    names: tuple[str, ...] = option.flags
    if option.kind == "flag":
        kw["is_flag"] = True
    elif option.kind == "switch":
        names = ("/".join(option.flags),)
        kw["default"] = option.default
    elif option.kind == "choice":
        kw["type"] = click.Choice(option.choices)
        kw["default"] = option.default
    elif option.kind == "multiple":
        kw["multiple"] = True
    return click.option(*names, option.dest, **kw)


def lint_options(fn: F) -> F:
    """`svtool lint`'s arguments and options (lint_args.py), in the order `--help` lists them."""
    for option in reversed(OPTIONS):
        fn = _click_option(option)(fn)
    return click.argument("paths", nargs=-1, type=click.Path())(fn)
