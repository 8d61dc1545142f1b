"""Faults, deferred replies and the names and signals the API methods take."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

API_VERSION = "3.0"
# supervisorctl compares versions only for display; report the supervisor release we mirror.
SUPERVISOR_VERSION = "4.3.0"

FAULTS = {
    "UNKNOWN_METHOD": 1, "INCORRECT_PARAMETERS": 2, "BAD_ARGUMENTS": 3,
    "SIGNATURE_UNSUPPORTED": 4, "SHUTDOWN_STATE": 6, "BAD_NAME": 10, "BAD_SIGNAL": 11,
    "NO_FILE": 20, "NOT_EXECUTABLE": 21, "FAILED": 30, "ABNORMAL_TERMINATION": 40,
    "SPAWN_ERROR": 50, "ALREADY_STARTED": 60, "NOT_RUNNING": 70, "SUCCESS": 80,
    "ALREADY_ADDED": 90, "STILL_RUNNING": 91, "CANT_REREAD": 92,
}

XMLRPC_INT_MAX = 2**31 - 1


class RPCError(Exception):
    def __init__(self, name: str, detail: object = None) -> None:
        self.code = FAULTS[name]
        self.text = name if detail is None else f"{name}: {detail}"
        super().__init__(self.text)


class _NotDone:
    def __repr__(self) -> str:
        return "NOT_DONE"


NOT_DONE: Any = _NotDone()


class Deferred:
    """A reply that is not ready yet; `poll` answers NOT_DONE, a value, or raises RPCError."""

    def __init__(self, poll: Callable[[], Any]) -> None:
        self.poll = poll


def split_namespec(name: str) -> tuple[str, str | None]:
    if ":" in name:
        group, process = name.split(":", 1)
        return group, (None if process in ("", "*") else process)
    return name, name


def make_namespec(group: str, process: str) -> str:
    return process if group == process else f"{group}:{process}"
