"""The supervisor's own state, as supervisord's getState reports it (SupervisorStates)."""

from __future__ import annotations

from enum import IntEnum


class SupervisorState(IntEnum):
    FATAL = 2
    RUNNING = 1
    RESTARTING = 0
    SHUTDOWN = -1
