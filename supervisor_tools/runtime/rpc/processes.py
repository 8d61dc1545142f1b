"""Starting, stopping and signalling processes, one, a group or all."""

from __future__ import annotations

import time
from typing import Any

from supervisor_tools.options.signals import parse_signal
from supervisor_tools.runtime.group import Group
from supervisor_tools.runtime.process import Process
from supervisor_tools.runtime.rpc.base import Base
from supervisor_tools.runtime.rpc.faults import NOT_DONE, Deferred, RPCError
from supervisor_tools.runtime.rpc.waiting import ordered_stop, queued_start
from supervisor_tools.runtime.states import (
    RUNNING_STATES,
    SIGNALLABLE_STATES,
    STOPPED_STATES,
    State,
    stoppable,
)


class ProcessMethods(Base):
    """start*, stop* and signal* methods."""

    # -- starting and stopping -----------------------------------------------------------------

    def startProcess(self, name: str, wait: bool = True) -> Any:
        """ Start a process

        @param string name Process name (or ``group:name``, or ``group:*``)
        @param boolean wait Wait for process to be fully started
        @return boolean result     Always true unless error

        """
        self._update()
        group, proc = self._lookup(name)
        if proc is None:
            return self.startProcessGroup(group.name, wait)
        try:
            proc.get_plan()
        except Exception as exc:  # SpawnError carries the fault name
            fault = getattr(exc, "fault", "SPAWN_ERROR")
            if fault in ("NO_FILE", "NOT_EXECUTABLE"):
                raise RPCError(fault, getattr(exc, "message", str(exc))) from None
        if proc.state in RUNNING_STATES:
            raise RPCError("ALREADY_STARTED", name)
        if proc.state is State.UNKNOWN:
            raise RPCError("FAILED", f"{name} is in an unknown process state")
        deps = self.sup.deps
        if deps is not None and deps.request(proc) is not None:
            return queued_start(deps, proc, name, wait)
        proc.start()
        self.sup.reap()
        if proc.record.spawnerr:
            raise RPCError("SPAWN_ERROR", name)
        if not wait or proc.state is State.RUNNING:
            return True

        def poll() -> Any:
            if proc.record.spawnerr:
                raise RPCError("SPAWN_ERROR", name)
            if proc.state not in (State.STARTING, State.RUNNING):
                raise RPCError("ABNORMAL_TERMINATION", name)
            return True if proc.state is State.RUNNING else NOT_DONE

        return Deferred(poll)

    def startProcessGroup(self, name: str, wait: bool = True) -> Any:
        """ Start all processes in the group named 'name'

        @param string name     The group name
        @param boolean wait    Wait for each process to be fully started
        @return array result   An array of process status info structs
        """
        self._update()
        procs = self._in_start_order(self._group_members(name))
        return self._each(procs, lambda p: p.state not in RUNNING_STATES,
                          lambda n: self.startProcess(n, wait))

    def startAllProcesses(self, wait: bool = True) -> Any:
        """ Start all processes listed in the configuration file

        @param boolean wait    Wait for each process to be fully started
        @return array result   An array of process status info structs
        """
        self._update()
        procs = self._in_start_order(self.sup.all_processes())
        return self._each(procs, lambda p: p.state not in RUNNING_STATES,
                          lambda n: self.startProcess(n, wait))

    def stopProcess(self, name: str, wait: bool = True) -> Any:
        """ Stop a process named by name

        @param string name  The name of the process to stop (or 'group:name')
        @param boolean wait        Wait for the process to be fully stopped
        @return boolean result     Always return True unless error
        """
        self._update()
        group, proc = self._lookup(name)
        if proc is None:
            return self.stopProcessGroup(group.name, wait)
        if self.sup.deps is not None and self.sup.deps.cancel(proc):
            return True  # it was waiting for its dependencies: it no longer does
        if not stoppable(proc.record):  # a restart waiting for its interval can be called off
            raise RPCError("NOT_RUNNING", name)
        proc.stop()
        if proc.state is State.UNKNOWN:
            raise RPCError("FAILED", proc.record.spawnerr or f"{name} could not be signalled")
        self.sup.reap()
        if not wait:
            return True
        # a deferred reply even when the reap above already saw it exit, as supervisord gives:
        # a group's results then list in process order however fast each one died
        last_report = [float("-inf")]

        def stopped() -> Any:
            if proc.state in STOPPED_STATES:
                return True
            # supervisord's stop report: while a caller waits, the main log says so every 2 s
            now = time.monotonic()
            if proc.state is State.STOPPING and now > last_report[0] + 2:
                self.sup.log.info(f"waiting for {proc.name} to stop")
                last_report[0] = now
                # the loop sleeps until something happens; wake it for the next report
                self.sup.loop.call_later(2.05, lambda: None)
            return NOT_DONE

        return Deferred(stopped)

    def stopProcessGroup(self, name: str, wait: bool = True) -> Any:
        """ Stop all processes in the process group named 'name'

        @param string name     The group name
        @param boolean wait    Wait for each process to be fully stopped
        @return array result   An array of process status info structs
        """
        self._update()
        procs = self._group_members(name)
        if self.sup.deps is not None:
            return ordered_stop(self.sup.deps, procs, wait)
        return self._each(procs, lambda p: stoppable(p.record),
                          lambda n: self.stopProcess(n, wait))

    def stopAllProcesses(self, wait: bool = True) -> Any:
        """ Stop all processes in the process list

        @param  boolean wait   Wait for each process to be fully stopped
        @return array result   An array of process status info structs
        """
        self._update()
        if self.sup.deps is not None:
            return ordered_stop(self.sup.deps, self.sup.all_processes(), wait)
        return self._each(self.sup.all_processes(), lambda p: stoppable(p.record),
                          lambda n: self.stopProcess(n, wait))

    def _in_start_order(self, pairs: list[tuple[Group, Process]]) -> list[tuple[Group, Process]]:
        """Dependencies before their dependants, so a queued start finds its targets starting."""
        deps = self.sup.deps
        if deps is None:
            return pairs
        group_of = {id(p): g for g, p in pairs}
        return [(group_of[id(p)], p) for p in deps.start_order([p for _g, p in pairs])]

    def signalProcess(self, name: str, signal: str) -> Any:
        """ Send an arbitrary UNIX signal to the process named by name

        @param string name    Name of the process to signal (or 'group:name')
        @param string signal  Signal to send, as name ('HUP') or number ('1')
        @return boolean
        """
        self._update()
        group, proc = self._lookup(name)
        if proc is None:
            return self.signalProcessGroup(group.name, signal)
        try:
            # read as the config reads stopsignal, as supervisord does
            sig = parse_signal(str(signal))
        except ValueError:
            raise RPCError("BAD_SIGNAL", signal) from None
        if proc.state not in SIGNALLABLE_STATES:
            raise RPCError("NOT_RUNNING", name)
        msg = proc.signal(sig)
        if msg is not None:
            raise RPCError("FAILED", msg)
        return True

    def signalProcessGroup(self, name: str, signal: str) -> Any:
        """ Send a signal to all processes in the group named 'name'

        @param string name    The group name
        @param string signal  Signal to send, as name ('HUP') or number ('1')
        @return array
        """
        self._update()
        procs = self._group_members(name)
        return self._each(procs, lambda p: p.state in SIGNALLABLE_STATES,
                          lambda n: self.signalProcess(n, signal))

    def signalAllProcesses(self, signal: str) -> Any:
        """ Send a signal to all processes in the process list

        @param string signal  Signal to send, as name ('HUP') or number ('1')
        @return array         An array of process status info structs
        """
        result = self._each(self.sup.all_processes(), lambda p: p.state in SIGNALLABLE_STATES,
                            lambda n: self.signalProcess(n, signal))
        self._update()
        return result
