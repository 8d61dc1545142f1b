"""The command line: click parses flags and calls one plain function per command.

Every command returns an exit code. One error boundary turns svtool's own errors into
`file:line:col: message` on stderr and exit code 2; anything else is a bug and keeps its traceback.
Heavy modules are imported inside the commands so `svtool --help` starts fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from supervisor_tools import __version__
from supervisor_tools.errors import SvtoolError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


def _guard(func: Callable[[], int]) -> int:
    try:
        return func()
    except SvtoolError as exc:
        click.echo(f"svtool: {exc}" if exc.span is None else str(exc), err=True)
        return EXIT_USAGE
    except BrokenPipeError:
        # `svtool show x | head` closes our stdout early; that is not an error.
        sys.stderr.close()
        return EXIT_OK


def _exit(code: int) -> None:
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="svtool")
def cli() -> None:
    """Lint, convert, generate and run Supervisor (supervisord) configurations."""


# -- foundation commands (show) --


@cli.command()
@click.argument("config", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the effective configuration as JSON.")
@click.option("--fragment", is_flag=True,
              help="The file is a conf.d fragment: do not require [supervisord].")
@click.option("--no-host-checks", is_flag=True,
              help="Do not check users and directories against this machine.")
def show(config: str, as_json: bool, fragment: bool, no_host_checks: bool) -> None:
    """Print the effective configuration supervisord would run."""
    from supervisor_tools.commands import show_command

    _exit(_guard(lambda: show_command(config, as_json=as_json, fragment=fragment,
                                      host_checks=not no_host_checks)))

# -- lint commands --

# -- converter commands --

# -- generator commands --

# -- runtime commands --


def main(argv: list[str] | None = None) -> Any:
    return cli.main(args=argv, prog_name="svtool")
