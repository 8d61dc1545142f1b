"""Host names of probes, looked up without stalling the event loop.

The system resolver (`getaddrinfo`) blocks, for seconds when a DNS server is slow or away,
and on the loop's thread that would stall every process the supervisor runs. An address
(`127.0.0.1`, `::1`) and `localhost` need no resolver and are answered at once; any other name
is looked up by a few worker threads, and the answer is handed back to the loop through its
wakeup socket (`Loop.call_from_thread`). A lookup that is no longer wanted (its probe timed
out) is dropped, and a worker still blocked in it only delays later lookups on that worker.
"""

from __future__ import annotations

import functools
import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from supervisor_tools.runtime.loop import Loop

if TYPE_CHECKING:  # queue itself is loaded by the first lookup: most configs probe addresses
    import queue

# (family, type, proto, sockaddr): what a socket needs to connect
Address = tuple[socket.AddressFamily, int, int, tuple[Any, ...]]
Lookup = Callable[[str, int], Address]
Answer = Address | OSError
Done = Callable[[Answer], None]

# Enough that one dead name server does not hold up every other probe's lookup; a probe
# starts one lookup per period, so more would only pile threads up behind a dead server.
WORKERS = 4


def system_lookup(host: str, port: int) -> Address:
    family, kind, proto, _, address = socket.getaddrinfo(host, port,
                                                         type=socket.SOCK_STREAM)[0]
    return family, kind, proto, address


def without_resolver(host: str, port: int) -> Address | None:
    """The address of an IP address or `localhost` (IPv4 loopback, as most /etc/hosts map it
    first); None for a name only a resolver can answer."""
    if host == "localhost":
        host = "127.0.0.1"
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV)
    except (socket.gaierror, UnicodeError):
        return None
    family, kind, proto, _, address = found[0]
    return family, kind, proto, address


class Pending:
    """One lookup under way; `cancel` makes sure its answer is never delivered."""

    __slots__ = ("host", "port", "done")

    def __init__(self, host: str, port: int, done: Done) -> None:
        self.host = host
        self.port = port
        self.done: Done | None = done

    def cancel(self) -> None:
        self.done = None

    def deliver(self, answer: Answer) -> None:
        done, self.done = self.done, None
        if done is not None:
            done(answer)


class Resolver:
    def __init__(self, lookup: Lookup = system_lookup, workers: int = WORKERS) -> None:
        self.lookup = lookup
        self.workers = workers
        self._jobs: queue.SimpleQueue[tuple[Loop, Pending]] | None = None
        self._lock = threading.Lock()
        self._started = 0
        self._idle = 0

    def resolve(self, loop: Loop, host: str, port: int, done: Done) -> Pending:
        """Call `done` on the loop's thread with the address of host:port, or the OSError
        saying why there is none: at once when no resolver is needed."""
        pending = Pending(host, port, done)
        address = without_resolver(host, port)
        if address is not None:
            pending.deliver(address)
            return pending
        with self._lock:
            if self._jobs is None:
                import queue

                self._jobs = queue.SimpleQueue()
            self._jobs.put((loop, pending))
            if self._idle:
                self._idle -= 1  # a waiting worker takes it
            elif self._started < self.workers:
                self._started += 1
                # a daemon: a worker blocked in a dead resolver must not hold up the exit
                threading.Thread(target=self._work, name="svtool-resolver",
                                 daemon=True).start()
        return pending

    def _work(self) -> None:
        assert self._jobs is not None
        while True:
            loop, pending = self._jobs.get()
            if pending.done is not None:  # else its probe is over
                loop.call_from_thread(functools.partial(pending.deliver, self._answer(pending)))
            # idle only once done: a worker started for a job is busy with it from the start
            with self._lock:
                self._idle += 1

    def _answer(self, pending: Pending) -> Answer:
        try:
            return self.lookup(pending.host, pending.port)
        except OSError as exc:
            return exc
        except Exception as exc:  # noqa: BLE001  (a name IDNA cannot encode, say)
            # a worker that died here would leave its probe to time out, and take one
            # worker away for good
            return OSError(f"not a host name: {exc}")


# The supervisor's one resolver, shared by every probe.
RESOLVER = Resolver()
