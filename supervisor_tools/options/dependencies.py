"""The value types of the dependency options and their vocabulary of conditions.

`dependent_startup_wait_for` is written as the `supervisord-dependent-startup` plugin reads it:
space-separated `name:state` words, several states separated by commas (any one of them will
do), `name` alone meaning `name:running`. `depends_on` is ochinchina/supervisord's
comma-separated list of names, each meaning "spawn after that one" (the condition `after`).
Values are kept as canonical words ("db:running", "migrate:exited"), so JSON, YAML and the
schema carry plain strings.
"""

from __future__ import annotations

from typing import Any

from supervisor_tools.options.conversion import ConversionError
from supervisor_tools.options.valuetype import ValueType

# Every word a wait may name, and the condition it means. The plugin's six state names are
# accepted in any case; `started` and `ready` are svtool's words for STARTING and RUNNING.
CONDITION_WORDS = {
    "starting": "started", "started": "started",
    "running": "running", "ready": "running",
    "exited": "exited",
    "backoff": "backoff", "stopping": "stopping", "fatal": "fatal",
}


def split_wait(word: str) -> tuple[str, tuple[str, ...]]:
    """A canonical wait word ("db:running,exited") as (target name, conditions)."""
    name, _, states = word.partition(":")
    return name, tuple(states.split(",")) if states else ("running",)


def parse_wait(word: str) -> str:
    """One written `name[:state[,state]]` as its canonical word. Raises ConversionError."""
    parts = word.split(":")
    if len(parts) > 2 or not parts[0]:
        raise ConversionError(f"{word!r} is not name or name:state")
    name = parts[0]
    if len(parts) == 1:
        return f"{name}:running"
    states: list[str] = []
    for raw in parts[1].split(","):
        cond = CONDITION_WORDS.get(raw.strip().lower())
        if cond is None:
            known = ", ".join(sorted(CONDITION_WORDS))
            raise ConversionError(f"unknown state {raw!r} in {word!r} (use one of: {known})")
        if cond not in states:
            states.append(cond)
    return f"{name}:{','.join(states)}"


class WaitForType(ValueType):
    name = "waits"
    doc = "space-separated name:state words (state: started, running, exited, ...)"

    def convert(self, text: str, host: bool = True) -> tuple[str, ...]:
        return tuple(dict.fromkeys(parse_wait(w) for w in text.split()))

    def format(self, value: Any) -> str:
        return " ".join(value)

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]}


class NameListType(ValueType):
    name = "names"
    doc = "comma-separated program or group names"

    def convert(self, text: str, host: bool = True) -> tuple[str, ...]:
        return tuple(dict.fromkeys(x.strip() for x in text.split(",") if x.strip()))

    def format(self, value: Any) -> str:
        return ", ".join(value)

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]}


WAIT_FOR = WaitForType()
NAME_LIST = NameListType()
