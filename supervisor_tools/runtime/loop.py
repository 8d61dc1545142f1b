"""The one event loop: fds, a timer heap and signals, with no periodic tick.

The loop sleeps in the selector until an fd is ready, the earliest timer is due, or a signal
arrives (signals reach the selector through `signal.set_wakeup_fd`). An idle supervisor
therefore makes no wake-ups at all. A worker thread hands a result back with
`call_from_thread`, which wakes the selector through the same wakeup socket.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import heapq
import itertools
import selectors
import signal
import socket
import time
import traceback
from collections.abc import Callable
from typing import Any

Callback = Callable[[], None]


class Timer:
    __slots__ = ("when", "callback", "cancelled")

    def __init__(self, when: float, callback: Callback) -> None:
        self.when = when
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Loop:
    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self._timers: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()
        self._signal_handlers: dict[int, Callable[[int], None]] = {}
        self._pending_signals: list[int] = []
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self.selector.register(self._wake_r, selectors.EVENT_READ, self._drain_wakeup)
        self._after_batch: list[Callback] = []
        # appended by other threads (deque.append is atomic), emptied by the loop's own
        self._from_threads: collections.deque[Callback] = collections.deque()
        self.running = False
        # A bug in one callback must not take the supervisor (and its children) down.
        self.on_error: Callable[[BaseException], None] = _print_error

    # -- fds -----------------------------------------------------------------------------------

    def add_reader(self, fd: Any, callback: Callback) -> None:
        self.selector.register(fd, selectors.EVENT_READ, callback)

    def set_events(self, fd: Any, events: int, callback: Callback) -> None:
        try:
            self.selector.modify(fd, events, callback)
        except KeyError:
            self.selector.register(fd, events, callback)

    def remove(self, fd: Any) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(fd)

    # -- timers --------------------------------------------------------------------------------

    def call_at(self, when: float, callback: Callback) -> Timer:
        t = Timer(when, callback)
        heapq.heappush(self._timers, (when, next(self._seq), t))
        return t

    def call_later(self, delay: float, callback: Callback) -> Timer:
        return self.call_at(time.monotonic() + delay, callback)

    def after_each_batch(self, callback: Callback) -> None:
        """Run `callback` after every batch of events (used to complete deferred RPC replies)."""
        self._after_batch.append(callback)

    # -- signals -------------------------------------------------------------------------------

    def add_signal(self, sig: int, handler: Callable[[int], None]) -> None:
        self._signal_handlers[sig] = handler
        signal.signal(sig, self._on_signal)
        signal.set_wakeup_fd(self._wake_w.fileno(), warn_on_full_buffer=False)

    def _on_signal(self, sig: int, frame: object) -> None:
        # Runs between bytecodes; only record it, the loop dispatches it in order.
        self._pending_signals.append(sig)

    def _drain_wakeup(self) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass

    def wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_w.send(b"\0")

    def call_from_thread(self, callback: Callback) -> None:
        """Run `callback` on the loop's thread soon; the one loop method other threads may call."""
        self._from_threads.append(callback)
        self.wake()

    # -- running -------------------------------------------------------------------------------

    def _timeout(self) -> float | None:
        while self._timers and self._timers[0][2].cancelled:
            heapq.heappop(self._timers)
        if self._pending_signals or self._from_threads:
            return 0.0
        if not self._timers:
            return None
        return max(0.0, self._timers[0][0] - time.monotonic())

    def run_once(self) -> None:
        events = self.selector.select(self._timeout())
        fdmap = self.selector.get_map()
        for key, _mask in events:
            # An earlier callback of this batch may have closed this fd (a reaped child's pipe).
            if fdmap.get(key.fileobj) is key:
                self._call(key.data)
        while self._from_threads:
            self._call(self._from_threads.popleft())
        while self._pending_signals:
            sig = self._pending_signals.pop(0)
            handler = self._signal_handlers.get(sig)
            if handler is not None:
                self._call(functools.partial(handler, sig))
        now = time.monotonic()
        while self._timers and (self._timers[0][0] <= now or self._timers[0][2].cancelled):
            _, _, t = heapq.heappop(self._timers)
            if not t.cancelled:
                self._call(t.callback)
        for cb in self._after_batch:
            self._call(cb)

    def _call(self, callback: Callback) -> None:
        try:
            callback()
        except Exception as exc:
            self.on_error(exc)

    def run(self) -> None:
        self.running = True
        while self.running:
            self.run_once()

    def stop(self) -> None:
        self.running = False

    def close(self) -> None:
        for sig in self._signal_handlers:
            signal.signal(sig, signal.SIG_DFL)
        with contextlib.suppress(ValueError):
            signal.set_wakeup_fd(-1)
        self.selector.close()
        self._wake_r.close()
        self._wake_w.close()


def _print_error(exc: BaseException) -> None:
    traceback.print_exception(exc)
