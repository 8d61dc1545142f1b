"""Container mode (exit_on_end): when a marked process ends for good, everything stops in
order and the supervisor exits with that process's exit code, as `wait -n; exit $?` does.

A process ends for good when it exits and autorestart will not start it again, or goes
FATAL. A stop request (supervisorctl stop) is the operator's doing and ends nothing; nor does
anything while the supervisor already shuts down or reloads.
"""

from __future__ import annotations

from typing import Protocol

from supervisor_tools.runtime.states import Record, State, restart_waits
from supervisor_tools.runtime.supstate import SupervisorState
from supervisor_tools.runtime.waitstatus import shell_code


class Ending(Protocol):
    """What container mode reads of a process."""

    record: Record
    wait_status: int | None
    exit_on_end: bool

    @property
    def name(self) -> str: ...


def ended(record: Record) -> bool:
    return record.state is State.FATAL or (record.state is State.EXITED
                                           and not restart_waits(record))


def reason(proc: Ending) -> str | None:
    """Why the supervisor must shut down now because of `proc` (None: it need not)."""
    if not proc.exit_on_end or not ended(proc.record):
        return None
    how = "went FATAL" if proc.record.state is State.FATAL else "exited"
    return f"{proc.name} {how} (exit_on_end): shutting down, exit code " \
           f"{shell_code(proc.wait_status)}"


def applies(state: SupervisorState) -> bool:
    return state is SupervisorState.RUNNING
