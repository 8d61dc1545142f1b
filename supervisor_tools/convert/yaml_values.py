"""Option values in the YAML form: native types people write by hand.

Booleans and numbers stay native, sizes read like "50MB", umasks like "022", lists are lists
and environments are mappings. The same function gives the JSON Schema its defaults.
"""

from __future__ import annotations

from typing import Any

from supervisor_tools.options import types as t
from supervisor_tools.options.dependencies import WaitForType
from supervisor_tools.options.table import OptionSpec


def native(row: OptionSpec, value: Any) -> Any:
    """`value` (as the model holds it) in the YAML form of option `row`."""
    kind = row.type
    if value is None or isinstance(value, bool):
        return value
    if isinstance(kind, t.ByteSizeType):
        text = kind.format(value)  # "50MB"; sizes that are no whole KB stay numbers
        return int(text) if text.lstrip("-").isdigit() else text
    if isinstance(kind, t.OctalType):
        return kind.format(value)
    if isinstance(kind, t.SignalType):
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):  # seconds and factors: 1, not 1.0
        return int(value) if value.is_integer() else value
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return kind.format(value) if not isinstance(value, str) else value


def ini_text(row: OptionSpec, value: Any) -> str:
    """A YAML value as the INI text supervisord reads for option `row`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if isinstance(row.type, WaitForType):  # name:state words, space-separated
            return row.type.format(tuple(str(v) for v in value))
        return ",".join(str(v) for v in value)
    return str(value)
