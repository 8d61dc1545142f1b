"""The option vocabulary svtool's commands share, so that each word means one thing.

`-c/--config FILE` is the supervisord config a command reads, `-o/--output` where its output
goes (atomically), `-q/--quiet` says less, `-s/--serverurl` is the supervisor to talk to, and
`--format json` asks for JSON (`--json` stays as its alias). tests/test_cli_language.py checks
every command against this.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import click

from supervisor_tools.errors import Severity
from supervisor_tools.lint.output import COLOR_CHOICES
from supervisor_tools.lint.report import FORMATS

F = TypeVar("F", bound=Callable[..., Any])


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


def lint_options(fn: F) -> F:
    """`svtool lint`'s arguments and options, in the order `--help` lists them."""
    for decorate in reversed(
        [
            click.argument("paths", nargs=-1, type=click.Path()),
            click.option(
                "--format",
                "output_format",
                type=click.Choice(FORMATS),
                default="text",
                show_default=True,
                help="Output format.",
            ),
            click.option(
                "-o",
                "--output",
                "--output-file",
                "output_file",
                type=click.Path(dir_okay=False),
                help="Write the report to this file (atomically) instead of stdout.",
            ),
            click.option(
                "--fail-on",
                type=click.Choice([s.value for s in Severity]),
                default=None,
                help="Exit 1 when a finding is at least this severe (default: error).",
            ),
            click.option(
                "--exit-zero",
                is_flag=True,
                help="Exit 0 even when there are findings (2 still means unreadable input).",
            ),
            click.option(
                "-q",
                "--quiet",
                is_flag=True,
                help="Only the findings: no source lines, no summary.",
            ),
            click.option(
                "--statistics", "--stats", "stats", is_flag=True, help="Count findings per rule."
            ),
            click.option(
                "--select",
                multiple=True,
                metavar="RULES",
                help="Only these rules: IDs, prefixes such as SV2, names, groups (host, strict) "
                "or ALL; comma-separated. Replaces the settings' select.",
            ),
            click.option(
                "--extend-select",
                multiple=True,
                metavar="RULES",
                help="Add these rules to the selection (e.g. strict).",
            ),
            click.option("--ignore", multiple=True, metavar="RULES", help="Leave out these rules."),
            click.option(
                "--host-checks/--no-host-checks",
                default=None,
                help="Also check users, directories, imports and environment variables against "
                "this machine (the host group; off by default: lint on the target host).",
            ),
            click.option(
                "--fix", "apply_fixes", is_flag=True, help="Apply certain fixes in place."
            ),
            click.option(
                "--diff",
                "show_diff",
                is_flag=True,
                help="Print the fixes as a diff; write nothing.",
            ),
            click.option(
                "-c",
                "--config",
                "config",
                type=click.Path(dir_okay=False),
                metavar="FILE",
                help="The main supervisord config, as --config-root. A .toml file is taken as "
                "the settings file, as --settings (the old meaning of --config).",
            ),
            click.option(
                "--settings",
                "config_path",
                type=click.Path(dir_okay=False),
                metavar="FILE",
                help="Settings file (default: .svtool.toml or pyproject.toml [tool.svtool]).",
            ),
            click.option(
                "--no-settings",
                "--no-config",
                "no_config",
                is_flag=True,
                help="Ignore settings files.",
            ),
            click.option(
                "--show-settings",
                is_flag=True,
                help="Print the resolved settings and the rules they enable, and exit.",
            ),
            click.option(
                "--color",
                type=click.Choice(COLOR_CHOICES),
                default="auto",
                show_default=True,
                help="Colour the text report (auto: on a terminal or with FORCE_COLOR set, "
                "never with NO_COLOR set).",
            ),
            click.option(
                "--stdin-filename",
                metavar="PATH",
                help="With - (stdin): the file's name, for positions and per-file settings.",
            ),
            click.option(
                "--only-supervisor",
                is_flag=True,
                help="Skip files without a supervisor section (an nginx .conf, a tox.ini) "
                "unless a main config includes them; the pre-commit hook's flag.",
            ),
            click.option(
                "--config-root",
                type=click.Path(exists=True, dir_okay=False),
                help="The main config: conf.d fragments it includes are checked inside it "
                "(default: a supervisord.conf found above them).",
            ),
        ]
    ):
        fn = decorate(fn)
    return fn
