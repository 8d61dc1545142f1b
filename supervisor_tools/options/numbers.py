"""Decimal numbers of seconds and factors: the values of svtool's restart-policy options."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from supervisor_tools.options.conversion import ConversionError
from supervisor_tools.options.valuetype import ValueType


@dataclass(frozen=True)
class NumberType(ValueType):
    """A decimal number ("1", "0.5", "2.5"), at least `minimum`."""

    minimum: float = 0.0
    name = "number"
    doc = "decimal number"

    def convert(self, text: str, host: bool = True) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise ConversionError(f"not a number: {text!r}") from None
        import math  # here: only a written number needs it, not every start

        if not math.isfinite(value):
            raise ConversionError(f"not a finite number: {text!r}")
        if value < self.minimum:
            raise ConversionError(f"{format_number(value)} is below the minimum "
                                  f"{format_number(self.minimum)}")
        return value

    def format(self, value: Any) -> str:
        return "" if value is None else format_number(float(value))

    def schema(self) -> dict[str, Any]:
        return {"type": "number", "minimum": self.minimum}


def format_number(value: float) -> str:
    """1.0 -> "1", 0.25 -> "0.25": the shortest text that reads back as the same value."""
    return str(int(value)) if value.is_integer() else repr(value)


SECONDS = NumberType(0.0)
FACTOR = NumberType(1.0)
