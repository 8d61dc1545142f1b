"""The values of closed option types (booleans, autorestart, signals, log levels, events):
what completion offers, and what hover says a written value means."""

from __future__ import annotations

from typing import Any

from supervisor_tools.options import types as t
from supervisor_tools.options.conversion import ConversionError
from supervisor_tools.options.signals import SIGNAL_NUMBERS, signal_name
from supervisor_tools.options.table import OptionSpec
from supervisor_tools.options.valuetype import ValueType


def closed_values(value_type: ValueType) -> list[str]:
    """The values a closed type takes, in the words its own module names them (its format of
    True and False, its constants, its JSON Schema's enum); [] for an open type (a path, a
    number, a command)."""
    if isinstance(value_type, t.BooleanType):
        return [value_type.format(True), value_type.format(False)]
    if isinstance(value_type, t.AutoRestartType):
        return [value_type.format(True), value_type.format(False), t.UNEXPECTED]
    if isinstance(value_type, t.SignalType):
        return sorted({value_type.convert(str(n)) for n in SIGNAL_NUMBERS
                       if n > 0 and signal_name(n) != str(n)})
    if isinstance(value_type, t.EventsType):
        return list(t.EVENT_TYPES)
    return _enum(value_type.schema())


def _enum(schema: dict[str, Any]) -> list[str]:
    if "enum" in schema:
        return [str(v) for v in schema["enum"]]
    for branch in schema.get("oneOf", []) + schema.get("anyOf", []):
        found = _enum(branch)
        if found:
            return found
    return []


def meaning(row: OptionSpec, text: str) -> str | None:
    """What supervisord makes of `text` as the value of a closed-type option, in words; None
    for an open type or a comma list."""
    if isinstance(row.type, t.CommaListType) or not closed_values(row.type):
        return None
    try:
        value = row.type.convert(text)
    except ConversionError as exc:
        return f"`{text}`: {exc} ({row.type.doc})"
    return f"`{text}` means **{row.type.format(value)}** ({row.type.doc})"
