"""Runs one probe of one process on the event loop: a command, an HTTP GET or a TCP connect.

Nothing here blocks the loop: sockets (and an HTTPS probe's TLS handshake, runtime/probetls.py)
are non-blocking and watched by the loop, a host name is looked up off it (runtime/resolver.py),
and a command is a child reaped through the supervisor. When to probe and what the results
add up to is runtime/probes.py; this module only does the I/O and reads the clock.
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
from supervisor_tools.runtime import fastspawn
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
from supervisor_tools.runtime.resolver import RESOLVER, Answer, Pending, Resolver
from supervisor_tools.runtime.spawn import Plan, SpawnError, credentials, spawn_silent

Done = Callable[[bool, str], None]  # (succeeded, why it failed)


class ProbeHost(Protocol):
    loop: Loop

    def watch_child(self, pid: int, callback: Callable[[int], None]) -> None: ...


def command_plan(command: str, env: Mapping[str, str], directory: str | None,
                 user: str | None) -> Plan:
    """How a probe's command is started: `/bin/sh -c` in the program's directory and
    environment, as the program's `user=` when the supervisor would switch the program to it
    (the same credentials, gid and supplementary groups the program gets). Raises SpawnError
    when that switch is impossible, as it is for the program."""
    argv = ["/bin/sh", "-c", command]
    if directory:
        # the shell changes directory itself, so a missing one fails the probe like any error
        argv = ["/bin/sh", "-c", 'cd -- "$0" && eval "$1"', directory, command]
    creds = credentials(user)
    return Plan("/bin/sh", argv, dict(env), None, -1, creds, redirect_stderr=True,
                native=creds is None and fastspawn.available())


class Attempt:
    """One probe under way; `finish` reports once, whichever of result or timeout comes first."""

    def __init__(self, host: ProbeHost, done: Done, resolver: Resolver = RESOLVER) -> None:
        self.host = host
        self.done: Done | None = done
        self.resolver = resolver
        self.lookup: Pending | None = None
        self.sock: socket.socket | None = None
        self.pid = 0
        self.where = ""
        self.server_name = ""
        self.request: bytes | None = None  # what is left to send; None for a TCP connect
        self.tls = False
        self.buffer = b""

    def finish(self, ok: bool, error: str = "") -> None:
        done, self.done = self.done, None
        self.cancel()
        if done is not None:
            done(ok, error)

    def cancel(self) -> None:
        self.done = None
        if self.lookup is not None:
            self.lookup.cancel()
            self.lookup = None
        if self.sock is not None:
            self.host.loop.remove(self.sock)
            self.sock.close()
            self.sock = None
        if self.pid:
            with contextlib.suppress(OSError):
                os.killpg(self.pid, signal.SIGKILL)  # the reaper still collects it
            self.pid = 0

    # -- TCP, HTTP and HTTPS -------------------------------------------------------------------

    def connect(self, host: str, port: int, request: bytes | None, tls: bool = False) -> None:
        self.where, self.request, self.tls = f"{host}:{port}", request, tls
        self.server_name = host
        pending = self.resolver.resolve(self.host.loop, host, port, self._resolved)
        if pending.done is not None:  # not answered at once
            self.lookup = pending

    def _resolved(self, answer: Answer) -> None:
        self.lookup = None
        if isinstance(answer, OSError):
            self.finish(False, f"cannot resolve {self.server_name}: {_reason(answer)}")
            return
        family, kind, proto, address = answer
        try:
            self.sock = socket.socket(family, kind | socket.SOCK_CLOEXEC, proto)
            self.sock.setblocking(False)
            self.sock.connect_ex(address)
        except OSError as exc:
            self.finish(False, f"cannot connect to {self.where}: {_reason(exc)}")
            return
        self.host.loop.set_events(self.sock, _WRITE, self._connected)

    def _connected(self) -> None:
        assert self.sock is not None
        err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            self.finish(False, f"connect: {os.strerror(err)}")
            return
        if self.request is None:
            self.finish(True)
            return
        if self.tls:
            from supervisor_tools.runtime import probetls

            # the selector knows the plain socket, which the TLS one takes over
            self.host.loop.remove(self.sock)
            try:
                self.sock = probetls.wrap(self.sock, self.server_name)
            except OSError as exc:
                self.finish(False, f"TLS: {probetls.reason(exc)}")
                return
            except ValueError as exc:  # a server name TLS cannot carry
                self.finish(False, f"TLS: {exc}")
                return
            self._handshake()
            return
        self._send()

    def _handshake(self) -> None:
        from supervisor_tools.runtime import probetls

        assert self.sock is not None
        try:
            wait = probetls.handshake(self.sock)  # type: ignore[arg-type]
        except OSError as exc:
            self.finish(False, f"TLS handshake: {probetls.reason(exc)}")
            return
        if wait:
            self.host.loop.set_events(self.sock, wait, self._handshake)
            return
        self._send()

    def _send(self) -> None:
        assert self.sock is not None and self.request is not None
        try:
            sent = self.sock.send(self.request)
        except OSError as exc:
            self._wait_or_fail(exc, _WRITE, self._send, "send")
            return
        self.request = self.request[sent:]
        self.host.loop.set_events(self.sock, _WRITE if self.request else _READ,
                                  self._send if self.request else self._response)

    def _response(self) -> None:
        assert self.sock is not None
        while True:
            # TLS may hold decrypted data the socket no longer signals: read until it would wait
            try:
                data = self.sock.recv(4096)
            except OSError as exc:
                self._wait_or_fail(exc, _READ, self._response, "receive")
                return
            self.buffer += data
            if b"\n" in self.buffer or not data or len(self.buffer) >= 8192:
                break
        parts = self.buffer.split(b"\n", 1)[0].split()
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
            self.finish(False, "not an HTTP response")
            return
        status = int(parts[1])
        self.finish(200 <= status < 400, f"HTTP {status}")

    def _wait_or_fail(self, exc: OSError, default: int, again: Callable[[], None],
                      doing: str) -> None:
        """Wait for the socket when `exc` only says it is not ready; else the probe failed."""
        assert self.sock is not None
        wait = 0
        if isinstance(exc, BlockingIOError | InterruptedError):
            wait = default
        elif self.tls:
            from supervisor_tools.runtime import probetls

            wait = probetls.waits_for(exc)
            if not wait:
                self.finish(False, f"{doing}: {probetls.reason(exc)}")
                return
        if wait:
            self.host.loop.set_events(self.sock, wait, again)
        else:
            self.finish(False, f"{doing}: {_reason(exc)}")

    # -- a command -----------------------------------------------------------------------------

    def run(self, plan: Plan | SpawnError) -> None:
        try:
            if isinstance(plan, SpawnError):
                raise plan
            self.pid = spawn_silent(plan)
        except SpawnError as exc:
            self.finish(False, f"cannot run the command: {exc.message}")
            return
        self.host.watch_child(self.pid, self._exited)

    def _exited(self, status: int) -> None:
        self.pid = 0
        if os.WIFEXITED(status):
            code = os.WEXITSTATUS(status)
            self.finish(code == 0, f"exit status {code}")
        else:
            self.finish(False, f"killed by signal {os.WTERMSIG(status)}")


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


_READ = 1  # selectors.EVENT_READ
_WRITE = 2  # selectors.EVENT_WRITE


class Prober:
    """Probes one process again and again, and reports each verdict to `on_verdict`."""

    def __init__(self, host: ProbeHost, spec: ProbeSpec, env: Mapping[str, str],
                 directory: str | None, on_verdict: Callable[[Verdict, Tally], None],
                 user: str | None = None, resolver: Resolver = RESOLVER) -> None:
        self.host = host
        self.spec = spec
        self.env = env
        self.directory = directory
        self.user = user
        self.resolver = resolver
        # worked out on the first run, as a program's spawn plan is once per config: reading
        # the group database every period would stall the loop where it is large (LDAP)
        self.plan: Plan | SpawnError | None = None
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
        attempt = self.attempt = Attempt(self.host, self._result, self.resolver)
        self.timer = self.host.loop.call_at(deadline_of(self.spec, self.started),
                                            self._timed_out)
        spec = self.spec
        if spec.method == "tcp_socket":
            host, port = split_host_port(spec.target)
            attempt.connect(host, port, None)
        elif spec.method == "http_get":
            url = urlsplit(spec.target)
            tls = url.scheme == "https"
            path = (url.path or "/") + (f"?{url.query}" if url.query else "")
            # Host is the URL's host[:port] as written, without any user:password@
            request = (f"GET {path} HTTP/1.1\r\nHost: {url.netloc.rpartition('@')[2]}\r\n"
                       "User-Agent: svtool-probe\r\nConnection: close\r\n\r\n").encode()
            attempt.connect(url.hostname or "127.0.0.1", url.port or (443 if tls else 80),
                            request, tls)
        else:
            if self.plan is None:
                try:
                    self.plan = command_plan(spec.target, self.env, self.directory, self.user)
                except SpawnError as exc:
                    self.plan = exc
            attempt.run(self.plan)

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
