"""The shared part of the `supervisor.*` methods: name lookup, state checks, fan-out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from supervisor_tools.runtime.process import Process
from supervisor_tools.runtime.rpc.faults import (
    FAULTS,
    NOT_DONE,
    Deferred,
    RPCError,
    make_namespec,
    split_namespec,
)
from supervisor_tools.runtime.supervisor import Group, Supervisor
from supervisor_tools.runtime.supstate import SupervisorState

Result = dict[str, Any]


def _result(group: str, proc: str, code: int, text: str) -> Result:
    return {"name": proc, "group": group, "status": code, "description": text}


class Base:
    """What every group of `supervisor.*` methods shares: the supervisor, lookups, fan-out."""

    def __init__(self, sup: Supervisor) -> None:
        self.sup = sup

    # -- helpers -------------------------------------------------------------------------------

    def _update(self) -> None:
        if self.sup.state < SupervisorState.RUNNING:
            raise RPCError("SHUTDOWN_STATE")

    def _lookup(self, name: str) -> tuple[Group, Process | None]:
        gname, pname = split_namespec(name)
        group, proc = self.sup.find(gname, pname)
        if group is None or (pname is not None and proc is None):
            raise RPCError("BAD_NAME", name)
        return group, proc

    def _group_members(self, name: str) -> list[tuple[Group, Process]]:
        """The processes of the group `name`, in start order (BAD_NAME when there is none)."""
        group = self.sup.groups.get(name)
        if group is None:
            raise RPCError("BAD_NAME", name)
        return [(group, p) for p in group.sorted()]

    def _each(self, procs: list[tuple[Group, Process]], predicate: Callable[[Process], bool],
              func: Callable[[str], Any]) -> Any:
        """`func` for each process `predicate` accepts, one result each, in supervisord's order:
        the immediate answers in process order, then those that had to wait, also in process
        order (supervisord lists them as they finish, and those finishing together in process
        order; a stable order makes `stop group:*` read the same every time)."""
        results: list[Result] = []
        waiting: list[tuple[Group, Process, Deferred]] = []
        for group, proc in procs:
            if not predicate(proc):
                continue
            try:
                value = func(make_namespec(group.name, proc.name))
            except RPCError as exc:
                results.append(_result(group.name, proc.name, exc.code, exc.text))
                continue
            if isinstance(value, Deferred):
                waiting.append((group, proc, value))
            else:
                results.append(_result(group.name, proc.name, FAULTS["SUCCESS"], "OK"))
        if not waiting:
            return results
        finished: dict[int, Result] = {}

        def poll() -> Any:
            for index, (group, proc, deferred) in enumerate(waiting):
                if index in finished:
                    continue
                try:
                    value = deferred.poll()
                except RPCError as exc:
                    finished[index] = _result(group.name, proc.name, exc.code, exc.text)
                    continue
                if value is not NOT_DONE:
                    finished[index] = _result(group.name, proc.name, FAULTS["SUCCESS"], "OK")
            if len(finished) < len(waiting):
                return NOT_DONE
            return results + [finished[i] for i in range(len(waiting))]

        return Deferred(poll)

    def _log_path(self, proc: Process, channel: str) -> str:
        return proc.log_path(channel)
