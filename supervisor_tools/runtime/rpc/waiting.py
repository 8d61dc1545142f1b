"""Start and stop requests for programs with dependencies: queued starts, ordered stops."""

from __future__ import annotations

from typing import Any

from supervisor_tools.runtime.depstart import Dependencies
from supervisor_tools.runtime.group import Group
from supervisor_tools.runtime.process import Process
from supervisor_tools.runtime.rpc.faults import FAULTS, NOT_DONE, Deferred, RPCError
from supervisor_tools.runtime.states import STOPPED_STATES, State, stoppable


def queued_start(deps: Dependencies, proc: Process, name: str, wait: bool) -> Any:
    """The reply to a start request whose process waits for its dependencies.

    Without `wait` the request is done once queued. With it, the reply comes when the process
    is RUNNING, as for any start, or as a SPAWN_ERROR fault naming the unmet condition as soon
    as the dependencies can no longer be met (`supervisorctl status` shows the same reason).
    """

    def check() -> Any:
        if deps.queued(proc):
            note = deps.note(proc)
            if note.startswith("cannot start"):
                raise RPCError("SPAWN_ERROR", f"{name}: {note}")
            return NOT_DONE
        if proc.record.spawnerr:
            raise RPCError("SPAWN_ERROR", name)
        if proc.state is State.RUNNING:
            return True
        if proc.state is State.STARTING:
            return NOT_DONE
        raise RPCError("ABNORMAL_TERMINATION", name)

    check()  # a blocked process fails at once
    if not wait:
        return True
    return Deferred(check)


def _ok(group: Group, proc: Process) -> dict[str, Any]:
    return {"name": proc.name, "group": group.name, "status": FAULTS["SUCCESS"],
            "description": "OK"}


def ordered_stop(deps: Dependencies, pairs: list[tuple[Group, Process]], wait: bool) -> Any:
    """Stop processes dependants first, each once those that wait for it have stopped; a
    queued process just stops waiting."""
    chosen = [(g, p) for g, p in pairs if stoppable(p.record) or deps.queued(p)]
    for _g, p in chosen:
        deps.cancel(p)
    deps.begin_stop([p for _g, p in chosen])
    results = [_ok(g, p) for g, p in chosen]
    if not wait:
        return results
    return Deferred(lambda: results if all(p.state in STOPPED_STATES for _g, p in chosen)
                    else NOT_DONE)
