"""The base of every option value type: text in, a value out, text back, a JSON Schema."""

from __future__ import annotations

from typing import Any


class ValueType:
    """Base: a string kept as written."""

    name = "string"
    doc = "text"
    host_dependent = False
    # convert() returns a value nobody can change (str, int, tuple...), so one result may
    # serve every option written the same way
    immutable = True

    def convert(self, text: str, host: bool = True) -> Any:
        return text

    def format(self, value: Any) -> str:
        return "" if value is None else str(value)

    def schema(self) -> dict[str, Any]:
        return {"type": "string"}
