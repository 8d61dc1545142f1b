"""Event listener pools and the listener protocol, plus the hub that routes events to them.

A listener writes `READY\\n`; it is then sent one event (a header line and a payload) on its
stdin and answers `RESULT <len>\\n<data>`. The pool's result handler accepts or rejects the
answer; a rejected event goes back to the head of the pool's buffer. Events wait in a
bounded buffer per pool (the oldest is dropped on overflow) while no listener is READY, so a
slow or dead listener never holds up the loop.
"""

from __future__ import annotations

import errno
import importlib
import os
import selectors
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from supervisor_tools.runtime import events as ev
from supervisor_tools.runtime import listenerstates as ls
from supervisor_tools.runtime.capture import Capture
from supervisor_tools.runtime.listenerstates import ListenerState
from supervisor_tools.runtime.loop import Timer
from supervisor_tools.runtime.states import Event as StateEvent
from supervisor_tools.runtime.states import Exited, Record, Result, State
from supervisor_tools.runtime.supstate import SupervisorState

if TYPE_CHECKING:
    from supervisor_tools.runtime.group import Group
    from supervisor_tools.runtime.logs import MainLog
    from supervisor_tools.runtime.loop import Loop
    from supervisor_tools.runtime.process import Process

DEFAULT_HANDLER = "supervisor.dispatchers:default_handler"

ResultHandler = Callable[[Any, bytes], object]


class Host(Protocol):
    """What the event side needs of the supervisor (runtime/supervisor.py provides it)."""

    log: MainLog
    loop: Loop
    identifier: str
    on_state: list[Callable[[SupervisorState], None]]


class RejectEvent(Exception):
    """Raised by a result handler that refuses an answer; the event is sent again later."""


def default_handler(event: object, response: bytes) -> None:
    if response != b"OK":
        raise RejectEvent(response)


def is_rejection(exc: BaseException) -> bool:
    # Handlers written for supervisord raise supervisor.dispatchers.RejectEvent; svtool does
    # not import supervisor, so the class is recognised by name.
    return any(cls.__name__ == "RejectEvent" for cls in type(exc).__mro__)


def load_handler(spec: str | None) -> ResultHandler:
    """The result handler named by `module:attribute`. Raises ImportError/AttributeError."""
    if not spec or spec == DEFAULT_HANDLER:
        return default_handler
    module, _, attr = spec.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split(".") if attr else ():
        obj = getattr(obj, part)
    if not callable(obj):
        raise AttributeError(f"{spec} is not callable")
    handler: ResultHandler = obj
    return handler


class Listener:
    """One listener process's side of the protocol: its state and what it has sent so far."""

    def __init__(self, pool: Pool, proc: Process) -> None:
        self.pool = pool
        self.proc = proc
        self.record = ls.Record()
        self.event: ev.Event | None = None
        self.outbuf = b""
        self.writer_fd = -1

    @property
    def name(self) -> str:
        return self.proc.name

    @property
    def state(self) -> ListenerState:
        return self.record.state

    def _apply(self, result: ls.Result) -> None:
        """Carry out what the protocol table decided, in its order."""
        log = self.pool.hub.sup.log
        before = self.record.state
        self.record = result.record
        for action in result.actions:
            if isinstance(action, ls.Enter):
                if not action.quiet:
                    log.debug(f"{self.name}: {before.name} -> {action.state.name}")
                    if action.state is ListenerState.UNKNOWN:
                        log.warn(f"{self.name}: has entered the UNKNOWN state and will no "
                                 "longer receive events, this usually indicates the process "
                                 "violated the eventlistener protocol")
                before = action.state
            elif isinstance(action, ls.Log):
                getattr(log, action.level)(f"{self.name}: {action.message}")
            elif isinstance(action, ls.Requeue):
                self._rejected()
            elif isinstance(action, ls.Forget):
                self.event = None
            else:
                self._apply(ls.step(self.record, ls.Judged(self._judge(action.result))))

    def _judge(self, result: bytes) -> str:
        try:
            self.pool.handler(self.event, result)
        except Exception as exc:
            return "rejected" if is_rejection(exc) else "error"
        return "ok"

    # -- input from the listener's stdout ------------------------------------------------------

    def feed(self, data: bytes) -> None:
        self.record = replace(self.record, inbuf=self.record.inbuf + data)
        while self.record.inbuf:
            before = self.record
            self._apply(ls.step(self.record, ls.Output()))
            if self.record == before:
                return  # waiting for more output

    def sent(self, event: ev.Event) -> None:
        self._apply(ls.step(self.record, ls.Sent()))
        self.event = event

    def _rejected(self) -> None:
        if self.event is not None:
            self.pool.accept(self.event, head=True)
        self.event = None

    # -- output to the listener's stdin --------------------------------------------------------

    def send(self, data: bytes) -> bool:
        """Queue an envelope for the listener's stdin. False when its stdin is gone."""
        fd = self.proc.stdin_fd
        if fd < 0:
            return False
        if not self.outbuf:
            try:
                n = os.write(fd, data)
            except BlockingIOError:
                n = 0
            except OSError as exc:
                if exc.errno == errno.EPIPE:
                    return False
                raise
            data = data[n:]
        self.outbuf += data
        if self.outbuf and self.writer_fd < 0:
            self.writer_fd = fd
            self.pool.hub.sup.loop.set_events(fd, selectors.EVENT_WRITE, self._on_writable)
        return True

    def _on_writable(self) -> None:
        try:
            n = os.write(self.writer_fd, self.outbuf)
        except BlockingIOError:
            return
        except OSError:
            n = len(self.outbuf)  # the listener is gone; its exit rebuffers the event
        self.outbuf = self.outbuf[n:]
        if not self.outbuf:
            self._stop_writing()

    def _stop_writing(self) -> None:
        if self.writer_fd >= 0:
            self.pool.hub.sup.loop.remove(self.writer_fd)
            self.writer_fd = -1
        self.outbuf = b""

    # -- process lifecycle ---------------------------------------------------------------------

    def spawned(self) -> None:
        self._apply(ls.step(self.record, ls.Respawned()))

    def exiting(self) -> None:
        """The listener died: whatever it was handling goes back to the pool."""
        self._stop_writing()
        self._rejected()


class Pool:
    """An [eventlistener:x] group's event buffer and its listeners."""

    def __init__(self, hub: EventHub, group: Group) -> None:
        self.hub = hub
        self.group = group
        cfg = group.config
        self.name = cfg.name
        self.subscriptions = frozenset(cfg.events)
        self.buffer_size = cfg.buffer_size
        self.buffer: list[ev.Event] = []
        self.serial = -1
        self.listeners: list[Listener] = []
        try:
            self.handler = load_handler(cfg.result_handler)
        except Exception as exc:  # checked by the loader; a broken import at run time
            hub.sup.log.error(f"{cfg.result_handler} cannot be resolved within "
                              f"[eventlistener:{cfg.name}] ({exc}); using the default handler")
            self.handler = default_handler

    def accept(self, event: ev.Event, head: bool = False) -> None:
        if event.serial < 0:
            event.serial = self.hub.next_serial()
        if self.name not in event.pool_serials:
            self.serial += 1
            event.pool_serials[self.name] = self.serial
        else:
            self.hub.sup.log.debug(f"rebuffering event {event.serial} for pool {self.name} "
                                   f"(buf size={len(self.buffer)}, max={self.buffer_size})")
        if len(self.buffer) >= self.buffer_size and self.buffer:
            dropped = self.buffer.pop(0)
            self.hub.sup.log.error(f"pool {self.name} event buffer overflowed, discarding "
                                   f"event {dropped.serial}")
        if head:
            self.buffer.insert(0, event)
        else:
            self.buffer.append(event)

    def dispatch(self) -> None:
        while self.buffer:
            event = self.buffer.pop(0)
            if not self._send(event):
                self.accept(event, head=True)
                return

    def _send(self, event: ev.Event) -> bool:
        for listener in self.listeners:
            if listener.proc.state is not State.RUNNING:
                continue
            if listener.state is not ListenerState.READY:
                continue
            data = ev.envelope(self.hub.sup.identifier, self.name, event)
            if not listener.send(data):
                self.hub.sup.log.debug(f"epipe occurred while sending event {event.serial} "
                                       f"to listener {listener.name}, listener state "
                                       "unchanged")
                continue
            listener.sent(event)
            self.hub.sup.log.debug(f"event {event.serial} sent to listener {listener.name}")
            return True
        return False


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
