"""The hub that routes events to the listener pools that subscribe to them, and the event side
of each process: state events, log and communication events, capture mode, listener output."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from supervisor_tools.runtime import events as ev
from supervisor_tools.runtime.capture import Capture
from supervisor_tools.runtime.listeners import Host, Listener, Pool
from supervisor_tools.runtime.loop import Timer
from supervisor_tools.runtime.readystates import Event as StateEvent
from supervisor_tools.runtime.states import Exited, Record, Result, State
from supervisor_tools.runtime.supstate import SupervisorState

if TYPE_CHECKING:
    from supervisor_tools.runtime.group import Group
    from supervisor_tools.runtime.process import Process


class ProcessEvents:
    """The event side of one process: state events, log events, capture mode, listener I/O."""

    def __init__(self, hub: EventHub, group: str, proc: Process,
                 listener: Listener | None) -> None:
        self.hub = hub
        self.group = group
        self.proc = proc
        self.listener = listener
        pc = proc.config
        self.log_events = {"stdout": pc.stdout_events_enabled and listener is None,
                           "stderr": pc.stderr_events_enabled}
        self.captures: dict[str, Capture] = {}
        if pc.stdout_capture_maxbytes > 0 and listener is None:
            self.captures["stdout"] = Capture(pc.stdout_capture_maxbytes)
        if pc.stderr_capture_maxbytes > 0:
            self.captures["stderr"] = Capture(pc.stderr_capture_maxbytes)

    def transitioned(self, before: Record, event: StateEvent, result: Result) -> None:
        hub = self.hub
        if not hub.covered:
            return
        name, group = self.proc.name, self.group
        prev = before.state
        pid = before.pid or result.record.pid
        for to in result.entered:
            etype = f"PROCESS_STATE_{to.name}"
            if etype in hub.covered:
                expected = True
                if to is State.EXITED and isinstance(event, Exited):
                    expected = event.status in self.proc.policy.exitcodes
                tries = before.backoff + 1 if to is State.BACKOFF else result.record.backoff
                hub.notify(ev.process_state(to, name, group, prev, tries=tries,
                                            expected=expected, pid=pid))
            prev = to

    def output(self, channel: str, data: bytes) -> bytes:
        """Handle a chunk of output; return the part that goes to the channel's log."""
        if self.listener is not None and channel == "stdout":
            self.listener.feed(data)
            return data
        capture = self.captures.get(channel)
        if capture is None:
            self._log_event(channel, data)
            return data
        logged: list[bytes] = []
        for kind, piece in capture.feed(data):
            if kind == "message":
                self._comm_event(channel, piece)
                continue
            self._log_event(channel, piece)
            if kind == "log":
                logged.append(piece)
        return b"".join(logged)

    def _log_event(self, channel: str, data: bytes) -> None:
        if data and self.log_events[channel]:
            self.hub.emit(f"PROCESS_LOG_{channel.upper()}", lambda: ev.process_log(
                channel, self.proc.name, self.group, self.proc.pid, data))

    def _comm_event(self, channel: str, data: bytes) -> None:
        self.hub.sup.log.debug(f"'{self.proc.name}' {channel} emitted a comm event")
        self.hub.emit(f"PROCESS_COMMUNICATION_{channel.upper()}",
                      lambda: ev.process_communication(channel, self.proc.name, self.group,
                                                       self.proc.pid, data))

    def spawned(self) -> None:
        if self.listener is not None:
            self.listener.spawned()

    def exiting(self) -> None:
        # supervisord never logs output held back while it looks for a token; svtool writes
        # it to the log at exit, without an event (a listener sees what supervisord sends).
        for channel, capture in self.captures.items():
            rest = capture.flush()
            log = self.proc.logs.get(channel)
            if rest and log is not None:
                log.write(rest)
        if self.listener is not None:
            self.listener.exiting()


class EventHub:
    """Routes events to the pools that subscribe to them; schedules TICK events on demand."""

    def __init__(self, sup: Host) -> None:
        self.sup = sup
        self.pools: dict[str, Pool] = {}
        self.covered: frozenset[str] = frozenset()
        self.serial = -1
        self.ticks: dict[str, Timer] = {}
        self.last_tick: dict[str, int] = {}
        self.stopping = False
        sup.loop.after_each_batch(self.flush)
        sup.on_state.append(self._supervisor_state)

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    # -- groups --------------------------------------------------------------------------------

    def group_created(self, group: Group) -> None:
        pool = None
        if group.config.kind == "eventlistener":
            pool = Pool(self, group)
            self.pools[group.name] = pool
            self._subscriptions_changed()
        for proc in group.processes.values():
            listener = None
            if pool is not None:
                listener = Listener(pool, proc)
                pool.listeners.append(listener)
            proc.hooks = ProcessEvents(self, group.name, proc, listener)

    def group_added(self, name: str) -> None:
        self.emit("PROCESS_GROUP_ADDED", lambda: ev.process_group("ADDED", name))

    def group_removed(self, name: str) -> None:
        if self.pools.pop(name, None) is not None:
            self._subscriptions_changed()
        self.emit("PROCESS_GROUP_REMOVED", lambda: ev.process_group("REMOVED", name))

    def reset(self) -> None:
        """A reload: the old pools and their buffers are gone with their groups."""
        self.pools.clear()
        self._subscriptions_changed()

    def _subscriptions_changed(self) -> None:
        subs = [p.subscriptions for p in self.pools.values()]
        self.covered = frozenset(n for n in ev.PARENTS if any(ev.covers(s, n) for s in subs))
        for name, period in ev.TICK_PERIODS.items():
            if name in self.covered and name not in self.ticks:
                self.last_tick[name] = ev.timeslice(period, time.time())
                self._schedule_tick(name, period)
            elif name not in self.covered and name in self.ticks:
                self.ticks.pop(name).cancel()

    # -- events --------------------------------------------------------------------------------

    def emit(self, name: str, build: Callable[[], ev.Event]) -> None:
        """Deliver the event `build` makes, building it only when some pool subscribes."""
        if name in self.covered:
            self.notify(build())

    def notify(self, event: ev.Event) -> None:
        for pool in list(self.pools.values()):
            if ev.covers(pool.subscriptions, event.name):
                pool.accept(event)

    def remote(self, type_: str, data: str) -> None:
        self.emit("REMOTE_COMMUNICATION", lambda: ev.remote_communication(type_, data))

    def flush(self) -> None:
        for pool in list(self.pools.values()):
            if pool.buffer:
                pool.dispatch()

    def running(self) -> None:
        """The groups are in place and autostart is about to begin (start-up or reload)."""
        self.stopping = False
        self.emit("SUPERVISOR_STATE_CHANGE_RUNNING", lambda: ev.supervisor_state("RUNNING"))

    def _supervisor_state(self, state: SupervisorState) -> None:
        if state is not SupervisorState.RUNNING and not self.stopping:
            self.stopping = True
            self.emit("SUPERVISOR_STATE_CHANGE_STOPPING",
                      lambda: ev.supervisor_state("STOPPING"))

    # -- ticks ---------------------------------------------------------------------------------

    def _schedule_tick(self, name: str, period: int) -> None:
        delay = max(0.0, ev.next_tick(period) - time.time())
        self.ticks[name] = self.sup.loop.call_later(delay, lambda: self._tick(name, period))

    def _tick(self, name: str, period: int) -> None:
        del self.ticks[name]
        when = ev.timeslice(period, time.time())
        if when != self.last_tick.get(name):
            self.last_tick[name] = when
            self.emit(name, lambda: ev.tick(name, when))
        if name in self.covered:
            self._schedule_tick(name, period)
