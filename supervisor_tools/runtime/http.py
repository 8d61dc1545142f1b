"""The HTTP side of the control socket: /RPC2, /logtail, /mainlogtail, /metrics, basic auth.

Every listening socket and connection lives on the supervisor's loop. A reply is built whole
and handed to the kernel in one send. Other paths (the web console) plug in through
`HttpServer.routes`, a list of (path prefix, handler) pairs tried in order.

Every request passes the same gate before its body is read (`admit`): basic auth, then the
Host rule of a password-less TCP listener, then the route's method, media type and size. A
refused request is answered and its connection closed, so nobody can make the supervisor read
or hold a body it will not use.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import math
import os
import selectors
import socket
import time
from collections.abc import Callable
from typing import Any

from supervisor_tools.model.model import HttpServerConfig, UnixHttpServerConfig
from supervisor_tools.runtime.httpconn import Connection, describe
from supervisor_tools.runtime.httpwire import Limits, Request, response_head
from supervisor_tools.runtime.loop import Timer
from supervisor_tools.runtime.rpc import Deferred, Dispatcher, RPCError, split_namespec
from supervisor_tools.runtime.sockets import open_inet, open_unix
from supervisor_tools.runtime.supervisor import Supervisor
from supervisor_tools.runtime.xmlenc import dump_fault, dump_response, load_request

__all__ = ["Connection", "Handler", "HttpServer", "Request", "check_password", "open_inet",
           "open_unix", "response_head"]

# accept() failing for lack of descriptors or memory: try again after this long.
ACCEPT_BACKOFF = 0.5
_EXHAUSTED = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}

Handler = Callable[[Connection, Request], None]


def check_password(configured: str, given: str) -> bool:
    # hashlib maps OpenSSL (about 4 MB); only a server with a password needs it.
    import hashlib
    import hmac

    if configured.startswith("{SHA}"):
        digest = hashlib.sha1(given.encode("utf-8")).hexdigest()
        return hmac.compare_digest(configured[5:].lower(), digest)
    return hmac.compare_digest(configured, given)


def is_rpc(path: str) -> bool:
    return path.startswith("/RPC2")


class HttpServer:
    """All listening sockets of one supervisor and the connections they accept."""

    def __init__(self, sup: Supervisor, dispatcher: Dispatcher,
                 limits: Limits | None = None) -> None:
        self.sup = sup
        self.loop = sup.loop
        self.dispatcher = dispatcher
        self.limits = limits or Limits()
        self.listeners: list[tuple[HttpServerConfig, socket.socket]] = []
        self.connections: set[Connection] = set()
        self.routes: list[tuple[str, Handler]] = [
            ("/RPC2", self.handle_rpc),
            ("/logtail/", self.handle_logtail),
            ("/mainlogtail", self.handle_mainlogtail),
            ("/metrics", self.handle_metrics),
        ]
        self._sweep_at = math.inf
        self._sweep_timer: Timer | None = None
        self._accept_paused = False
        self.loop.after_each_batch(self.poll_pending)

    # -- sockets -------------------------------------------------------------------------------

    def open(self, configs: tuple[HttpServerConfig, ...]) -> None:
        for cfg in configs:
            sock = open_unix(cfg) if isinstance(cfg, UnixHttpServerConfig) else open_inet(cfg)
            self.listeners.append((cfg, sock))
            self.loop.add_reader(sock, functools.partial(self.accept, sock, cfg))

    def close(self) -> None:
        for conn in list(self.connections):
            conn.close()
        for cfg, sock in self.listeners:
            self.loop.remove(sock)
            sock.close()
            if isinstance(cfg, UnixHttpServerConfig):
                with contextlib.suppress(OSError):
                    os.unlink(cfg.file)
        self.listeners = []

    def flush(self, budget: float = 2.0) -> None:
        """Push out pending replies before exit (the answer to `shutdown`), within `budget`
        seconds in all: a client that does not read must not hold up the exit."""
        end = time.monotonic() + budget
        for conn in list(self.connections):
            left = end - time.monotonic()
            if left <= 0:
                return
            if conn.outbuf and not conn.closed and conn.streaming is None:
                try:
                    conn.sock.setblocking(True)
                    conn.sock.settimeout(min(1.0, left))
                    conn.sock.sendall(conn.outbuf)
                except OSError:
                    pass

    def accept(self, sock: socket.socket, cfg: HttpServerConfig) -> None:
        for _ in range(64):
            try:
                client, _addr = sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                if exc.errno in _EXHAUSTED:
                    self._pause_accepting(exc)
                return
            if self._accept_paused:
                self._accept_paused = False
                self.sup.log.info("accepting connections again")
            conn = Connection(self, client, (cfg.username, cfg.password))
            self.connections.add(conn)

    def _pause_accepting(self, exc: OSError) -> None:
        """Out of descriptors: a level-triggered listener would spin, so stop polling it."""
        if not self._accept_paused:
            self._accept_paused = True
            self.sup.log.error(f"cannot accept connections: {exc.strerror}; retrying every "
                               f"{ACCEPT_BACKOFF}s until descriptors are free")
        listeners = list(self.listeners)
        for _cfg, sock in listeners:
            self.loop.remove(sock)

        def resume() -> None:
            for cfg, sock in listeners:
                if (cfg, sock) in self.listeners:
                    self.loop.set_events(sock, selectors.EVENT_READ,
                                         functools.partial(self.accept, sock, cfg))

        self.loop.call_later(ACCEPT_BACKOFF, resume)

    def poll_pending(self) -> None:
        for conn in list(self.connections):
            if conn.pending is not None:
                conn.poll()

    # -- deadlines -----------------------------------------------------------------------------

    def watch(self, when: float) -> None:
        """Make sure a sweep runs by `when`."""
        if when >= self._sweep_at:
            return
        if self._sweep_timer is not None:
            self._sweep_timer.cancel()
        self._sweep_at = when
        self._sweep_timer = self.loop.call_at(when, self._sweep)

    def forget(self, conn: Connection) -> None:
        self.connections.discard(conn)
        if not self.connections and self._sweep_timer is not None:
            # Nothing left to watch: an idle supervisor makes no wake-ups.
            self._sweep_timer.cancel()
            self._sweep_at, self._sweep_timer = math.inf, None

    def _sweep(self) -> None:
        self._sweep_at, self._sweep_timer = math.inf, None
        now = time.monotonic()
        later = math.inf
        for conn in list(self.connections):
            when = conn.deadline()
            if when <= now:
                conn.expire()
                when = conn.deadline()
            later = min(later, when)
        if later < math.inf:
            self.watch(max(later, now + 0.05))

    # -- errors --------------------------------------------------------------------------------

    def client_error(self, conn: Connection, exc: Exception) -> None:
        """A request made something fail: one line in the log, a 500 if still possible."""
        self.sup.log.error(f"internal error handling a request: {describe(exc)}")
        if conn.closed:
            return
        if conn.outbuf or conn.streaming is not None or conn.close_after_write:
            conn.close()
            return
        conn.pending = None
        conn.fail("500 Internal Server Error")

    def dropped_reader(self) -> None:
        # Later, not now: this runs inside a log's write, which may be the main log's own.
        self.loop.call_later(0, lambda: self.sup.log.info(
            "dropped a log stream reader that stopped reading"))

    # -- routing -------------------------------------------------------------------------------

    def admit(self, conn: Connection, req: Request) -> bool:
        """Check a request's head before its body is read; False when it was refused."""
        username, password = conn.auth
        if username and not self.authorized(req, username, password or ""):
            conn.fail("401 Unauthorized", [("WWW-Authenticate", 'Basic realm="default"')])
            return False
        if not self.host_allowed(conn, req):
            conn.fail("421 Misdirected Request")
            return False
        rpc = is_rpc(req.path)
        if req.length > (self.limits.rpc_body if rpc else self.limits.other_body):
            conn.fail("413 Content Too Large")
            return False
        if rpc and req.method == "POST" and req.media_type != "text/xml":
            # A cross-site form or fetch can only send text/plain, form encodings or no type.
            conn.fail("415 Unsupported Media Type", [("Accept", "text/xml")])
            return False
        if req.length > len(conn.inbuf) and \
                req.headers.get("expect", "").lower() == "100-continue":
            conn.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return True

    def host_allowed(self, conn: Connection, req: Request) -> bool:
        """Without a password, a TCP request must name this machine (no DNS rebinding)."""
        if conn.auth[0] or conn.sock.family == socket.AF_UNIX:
            return True
        from supervisor_tools.runtime.web.hosts import host_allowed

        return host_allowed(req.headers.get("host", ""),
                            [getattr(cfg, "host", "") or "" for cfg, _ in self.listeners])

    def handle(self, conn: Connection, req: Request) -> None:
        for prefix, handler in self.routes:
            if req.path.startswith(prefix):
                handler(conn, req)
                return
        conn.send_simple("404 Not Found", close=not req.keep_alive)

    @staticmethod
    def authorized(req: Request, username: str, password: str) -> bool:
        import base64
        import hmac

        auth = req.headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, given = base64.b64decode(value.strip()).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return hmac.compare_digest(user, username) and check_password(password, given)

    def handle_rpc(self, conn: Connection, req: Request) -> None:
        if req.method != "POST":
            conn.send_simple("400 Bad Request", close=not req.keep_alive)
            return
        try:
            params, method = load_request(req.body)
        except Exception:  # any parse error of the body is the client's
            conn.send_simple("400 Bad Request", close=True)
            return
        try:
            value: Any = self.dispatcher.call(method or "", params)
        except RPCError as exc:
            value = exc
        except Exception as exc:
            name = (method or "")[:80]
            self.sup.log.error(f"internal error in {name!r}: {describe(exc)}")
            value = RPCError("FAILED", "internal error")
        if isinstance(value, Deferred):
            conn.pending = value
            conn.pending_keep_alive = req.keep_alive
            conn.poll()
            return
        self.send_rpc(conn, value, req.keep_alive)

    def send_rpc(self, conn: Connection, value: Any, keep_alive: bool) -> None:
        if isinstance(value, RPCError):
            body = dump_fault(value.code, value.text)
        else:
            body = dump_response(value)
        conn.respond("200 OK", body, "text/xml", keep_alive)

    def handle_logtail(self, conn: Connection, req: Request) -> None:
        if req.method != "GET":
            conn.send_simple("400 Bad Request", close=True)
            return
        from urllib.parse import unquote

        rest = unquote(req.path[len("/logtail/"):].split("?", 1)[0])
        name, _, channel = rest.partition("/")
        channel = channel or "stdout"
        gname, pname = split_namespec(name)
        _group, proc = self.sup.find(gname, pname)
        log = proc.logs.get(channel) if proc is not None else None
        if proc is None or log is None or not os.path.exists(proc.log_path(channel)):
            conn.send_simple("404 Not Found", close=not req.keep_alive)
            return
        conn.start_stream(log, _last_bytes(log.path, 1024))

    def handle_mainlogtail(self, conn: Connection, req: Request) -> None:
        log = self.sup.log.file
        if req.method != "GET" or log is None or not os.path.exists(log.path):
            conn.send_simple("404 Not Found", close=not req.keep_alive)
            return
        conn.start_stream(log, _last_bytes(log.path, 1024))

    def handle_metrics(self, conn: Connection, req: Request) -> None:
        """Prometheus's scrape, behind the same gate as every other path."""
        if req.path.split("?", 1)[0] != "/metrics":
            conn.send_simple("404 Not Found", close=not req.keep_alive)
            return
        if req.method != "GET":
            conn.send_simple("405 Method Not Allowed", close=not req.keep_alive,
                             extra=[("Allow", "GET")])
            return
        from supervisor_tools.runtime.metricstext import CONTENT_TYPE, render

        conn.respond("200 OK", render(self.sup), CONTENT_TYPE, req.keep_alive)


def _last_bytes(path: str, n: int) -> bytes:
    try:
        with open(path, "rb") as f:
            size = f.seek(0, 2)
            f.seek(max(0, size - n))
            return f.read()
    except OSError:
        return b""
