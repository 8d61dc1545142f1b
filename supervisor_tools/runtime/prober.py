"""Runs one probe of one process on the event loop: a command, an HTTP GET or a TCP connect.

Nothing here blocks the loop: sockets are non-blocking and watched by the loop, a command is
a child reaped through the supervisor. When to probe and what the results add up to is
runtime/probes.py; this module only does the I/O and reads the clock.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from collections.abc import Callable, Mapping
from typing import Protocol
from urllib.parse import urlsplit

from supervisor_tools.options.readiness import split_host_port
from supervisor_tools.runtime.loop import Loop, Timer
from supervisor_tools.runtime.probes import (
    ProbeSpec,
    Tally,
    Verdict,
    deadline_of,
    first_at,
    judge,
    next_at,
)

Done = Callable[[bool, str], None]  # (succeeded, why it failed)


class ProbeHost(Protocol):
    loop: Loop

    def watch_child(self, pid: int, callback: Callable[[int], None]) -> None: ...


class Attempt:
    """One probe under way; `finish` reports once, whichever of result or timeout comes first."""

    def __init__(self, host: ProbeHost, done: Done) -> None:
        self.host = host
        self.done: Done | None = done
        self.sock: socket.socket | None = None
        self.pid = 0
        self.buffer = b""

    def finish(self, ok: bool, error: str = "") -> None:
        done, self.done = self.done, None
        self.cancel()
        if done is not None:
            done(ok, error)

    def cancel(self) -> None:
        self.done = None
        if self.sock is not None:
            self.host.loop.remove(self.sock)
            self.sock.close()
            self.sock = None
        if self.pid:
            with contextlib.suppress(OSError):
                os.killpg(self.pid, signal.SIGKILL)  # the reaper still collects it
            self.pid = 0

    # -- TCP and HTTP --------------------------------------------------------------------------

    def connect(self, host: str, port: int, request: bytes | None) -> None:
        try:
            family, kind, proto, _, address = socket.getaddrinfo(
                host, port, type=socket.SOCK_STREAM)[0]
            self.sock = socket.socket(family, kind | socket.SOCK_CLOEXEC, proto)
            self.sock.setblocking(False)
            self.sock.connect_ex(address)
        except OSError as exc:
            self.finish(False, f"cannot connect to {host}:{port}: {exc.strerror or exc}")
            return
        self.host.loop.set_events(self.sock, _WRITE, lambda: self._connected(request))

    def _connected(self, request: bytes | None) -> None:
        assert self.sock is not None
        err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            self.finish(False, f"connect: {os.strerror(err)}")
            return
        if request is None:
            self.finish(True)
            return
        try:
            self.sock.send(request)  # a few hundred bytes: the socket buffer takes them
        except OSError as exc:
            self.finish(False, f"send: {exc.strerror or exc}")
            return
        self.host.loop.set_events(self.sock, _READ, self._response)

    def _response(self) -> None:
        assert self.sock is not None
        try:
            data = self.sock.recv(4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self.finish(False, f"receive: {exc.strerror or exc}")
            return
        self.buffer += data
        if b"\n" not in self.buffer and data and len(self.buffer) < 8192:
            return
        parts = self.buffer.split(b"\n", 1)[0].split()
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
            self.finish(False, "not an HTTP response")
            return
        status = int(parts[1])
        self.finish(200 <= status < 400, f"HTTP {status}")

    # -- a command -----------------------------------------------------------------------------

    def run(self, command: str, env: Mapping[str, str], directory: str | None) -> None:
        argv = ["/bin/sh", "-c", command]
        if directory:
            argv = ["/bin/sh", "-c", 'cd -- "$0" && eval "$1"', directory, command]
        try:
            devnull = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
            try:
                self.pid = os.posix_spawn(
                    argv[0], argv, env, setpgroup=0,
                    # Python ignores these; a command starts with them at their defaults
                    setsigdef=(signal.SIGPIPE, signal.SIGXFSZ),
                    file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 0),
                                  (os.POSIX_SPAWN_DUP2, devnull, 1),
                                  (os.POSIX_SPAWN_DUP2, devnull, 2)])
            finally:
                os.close(devnull)
        except OSError as exc:
            self.finish(False, f"cannot run the command: {exc.strerror or exc}")
            return
        self.host.watch_child(self.pid, self._exited)

    def _exited(self, status: int) -> None:
        self.pid = 0
        if os.WIFEXITED(status):
            code = os.WEXITSTATUS(status)
            self.finish(code == 0, f"exit status {code}")
        else:
            self.finish(False, f"killed by signal {os.WTERMSIG(status)}")


_READ = 1  # selectors.EVENT_READ
_WRITE = 2  # selectors.EVENT_WRITE


class Prober:
    """Probes one process again and again, and reports each verdict to `on_verdict`."""

    def __init__(self, host: ProbeHost, spec: ProbeSpec, env: Mapping[str, str],
                 directory: str | None, on_verdict: Callable[[Verdict, Tally], None]) -> None:
        self.host = host
        self.spec = spec
        self.env = env
        self.directory = directory
        self.on_verdict = on_verdict
        self.tally = Tally()
        self.timer: Timer | None = None
        self.attempt: Attempt | None = None
        self.started = 0.0

    @property
    def active(self) -> bool:
        return self.timer is not None or self.attempt is not None

    def start(self, since: float) -> None:
        self.stop()
        self.tally = Tally()
        self._at(first_at(self.spec, since))

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.attempt is not None:
            self.attempt.cancel()
            self.attempt = None

    def _at(self, when: float) -> None:
        self.timer = self.host.loop.call_at(when, self._probe)

    def _probe(self) -> None:
        self.timer = None
        self.started = time.monotonic()
        attempt = self.attempt = Attempt(self.host, self._result)
        self.timer = self.host.loop.call_at(deadline_of(self.spec, self.started),
                                            self._timed_out)
        spec = self.spec
        if spec.method == "tcp_socket":
            host, port = split_host_port(spec.target)
            attempt.connect(host, port, None)
        elif spec.method == "http_get":
            url = urlsplit(spec.target)
            path = (url.path or "/") + (f"?{url.query}" if url.query else "")
            request = (f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
                       "User-Agent: svtool-probe\r\nConnection: close\r\n\r\n").encode()
            attempt.connect(url.hostname or "127.0.0.1", url.port or 80, request)
        else:
            attempt.run(spec.target, self.env, self.directory)

    def _timed_out(self) -> None:
        self.timer = None
        if self.attempt is not None:
            self.attempt.finish(False, f"no answer within {self.spec.timeout:g} s "
                                       "(timeout_seconds)")

    def _result(self, ok: bool, error: str) -> None:
        self.attempt = None
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.tally, verdict = judge(self.spec, self.tally, ok, error)
        # the next probe is scheduled before the verdict is told: a verdict may stop us
        self._at(next_at(self.spec, self.started, time.monotonic()))
        self.on_verdict(verdict, self.tally)
