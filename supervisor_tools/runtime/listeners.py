"""Event listener pools and the listener side of the protocol (runtime/eventhub.py routes
events to the pools).

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
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from supervisor_tools.runtime import events as ev
from supervisor_tools.runtime import listenerstates as ls
from supervisor_tools.runtime.listenerstates import ListenerState
from supervisor_tools.runtime.states import State
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


class Hub(Protocol):
    """What a pool needs of the hub that feeds it (runtime/eventhub.py provides it)."""

    sup: Host

    def next_serial(self) -> int: ...


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

    def __init__(self, hub: Hub, group: Group) -> None:
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
