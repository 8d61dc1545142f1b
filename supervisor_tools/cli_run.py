"""`svtool run`'s flags: supervisord 4.3.0's command line, each value checked by its row.

A flag overrides the `[supervisord]` option of the same name, so the option table's row for that
option converts and checks its value, as the config file's would be.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def convert(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """A `svtool run` flag's value, checked and converted by its `[supervisord]` row."""
    if value is None or isinstance(value, bool):
        return value
    from supervisor_tools.options.conversion import ConversionError
    from supervisor_tools.options.table import spec

    assert param.name is not None
    row = spec("supervisord", param.name)
    assert row is not None, param.name
    try:
        return row.type.convert(value)
    except ConversionError as exc:
        raise click.BadParameter(str(exc)) from None


def print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    # `supervisord -v` prints the version supervisorctl's `version` reports, and so do we
    if value and not ctx.resilient_parsing:
        from supervisor_tools.runtime.rpc.faults import SUPERVISOR_VERSION

        click.echo(SUPERVISOR_VERSION)
        ctx.exit(0)


def flag(short: str | None, long: str, text: str) -> Callable[[F], F]:
    names = [short, long] if short else [long]
    return click.option(*names, is_flag=True, default=None, help=text)


def value(short: str | None, long: str, text: str, metavar: str) -> Callable[[F], F]:
    names = [short, long] if short else [long]
    return click.option(*names, callback=convert, metavar=metavar, help=text)
