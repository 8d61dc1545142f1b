"""The HTTP side of the control socket: /RPC2, /logtail, /mainlogtail, basic auth.

Every listening socket and connection lives on the supervisor's loop. A reply is built whole
and handed to the kernel in one send. Other paths (a web console later) plug in through
`HttpServer.routes`, a list of (path prefix, handler) pairs tried in order.
"""

from __future__ import annotations

import contextlib
import functools
import grp
import os
import pwd
import selectors
import socket
from collections.abc import Callable
from typing import Any

from supervisor_tools.errors import SvtoolError
from supervisor_tools.model.model import HttpServerConfig, UnixHttpServerConfig
from supervisor_tools.runtime.logs import LogFile
from supervisor_tools.runtime.rpc import NOT_DONE, Deferred, Dispatcher, RPCError, split_namespec
from supervisor_tools.runtime.supervisor import Supervisor
from supervisor_tools.runtime.xmlenc import dump_fault, dump_response, load_request

MAX_HEADER = 64 * 1024
MAX_STREAM_BACKLOG = 16 * 1024 * 1024
SNDBUF = 4 * 1024 * 1024
SO_SNDBUFFORCE = getattr(socket, "SO_SNDBUFFORCE", 32)


class Request:
    __slots__ = ("method", "path", "version", "headers", "body")

    def __init__(self, method: str, path: str, version: str, headers: dict[str, str],
                 body: bytes) -> None:
        self.method = method
        self.path = path
        self.version = version
        self.headers = headers
        self.body = body

    @property
    def keep_alive(self) -> bool:
        conn = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return conn == "keep-alive"
        return conn != "close"


Handler = Callable[["Connection", Request], None]


def check_password(configured: str, given: str) -> bool:
    # hashlib maps OpenSSL (about 4 MB); only a server with a password needs it.
    import hashlib
    import hmac

    if configured.startswith("{SHA}"):
        digest = hashlib.sha1(given.encode("utf-8")).hexdigest()
        return hmac.compare_digest(configured[5:].lower(), digest)
    return hmac.compare_digest(configured, given)


def _traceback() -> str:
    import traceback  # only a bug comes here

    return traceback.format_exc()


def response_head(status: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"HTTP/1.1 {status}", "Server: svtool"] + [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class Connection:
    def __init__(self, server: HttpServer, sock: socket.socket,
                 auth: tuple[str | None, str | None]) -> None:
        self.server = server
        self.auth = auth
        self.sock = sock
        self.inbuf = b""
        self.outbuf = bytearray()
        self.pending: Deferred | None = None
        self.pending_keep_alive = True
        # How a deferred reply is sent when it completes; XML-RPC unless a route says otherwise.
        self.pending_send: Callable[[Connection, Any, bool], None] | None = None
        self.close_after_write = False
        self.streaming: tuple[LogFile, Callable[[bytes], None]] | None = None
        self.closed = False
        sock.setblocking(False)
        # Big enough for a 500-process getAllProcessInfo in one send; root may go past
        # net.core.wmem_max with SO_SNDBUFFORCE.
        for opt in (SO_SNDBUFFORCE, socket.SO_SNDBUF):
            try:
                sock.setsockopt(socket.SOL_SOCKET, opt, SNDBUF)
                break
            except OSError:
                continue
        server.loop.add_reader(sock, self.on_readable)

    def on_readable(self) -> None:
        try:
            data = self.sock.recv(262144)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.close()
            return
        if self.streaming is not None:
            return  # a tail -f client has nothing more to say
        self.inbuf += data
        self.process()

    def process(self) -> None:
        while not self.closed and self.pending is None and self.streaming is None:
            req = self.parse()
            if req is None:
                return
            self.server.handle(self, req)

    def parse(self) -> Request | None:
        # supervisorctl's tail client ends its headers with one CRLF too many; skip blanks.
        buf = self.inbuf.lstrip(b"\r\n")
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            self.inbuf = buf
            if len(buf) > MAX_HEADER:
                self.close()
            return None
        head = buf[:end].decode("latin-1").split("\r\n")
        parts = head[0].split()
        if len(parts) != 3:
            self.send_simple("400 Bad Request", close=True)
            return None
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            self.send_simple("400 Bad Request", close=True)
            return None
        if len(buf) < end + 4 + length:
            self.inbuf = buf
            return None
        body = buf[end + 4:end + 4 + length]
        self.inbuf = buf[end + 4 + length:]
        return Request(parts[0], parts[1], parts[2], headers, body)

    # -- output --------------------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        if self.closed:
            return
        if not self.outbuf:
            try:
                sent = self.sock.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                self.close()
                return
            data = data[sent:]
            if not data:
                if self.close_after_write:
                    self.close()
                return
        self.outbuf += data
        if len(self.outbuf) > MAX_STREAM_BACKLOG and self.streaming is not None:
            self.close()
            return
        self.server.loop.set_events(self.sock, selectors.EVENT_READ | selectors.EVENT_WRITE,
                                    self.on_event)

    def on_event(self) -> None:
        if self.outbuf:
            self.on_writable()
        else:
            self.on_readable()

    def on_writable(self) -> None:
        try:
            sent = self.sock.send(self.outbuf)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.close()
            return
        del self.outbuf[:sent]
        if not self.outbuf:
            if self.close_after_write:
                self.close()
                return
            self.server.loop.set_events(self.sock, selectors.EVENT_READ, self.on_readable)

    def respond(self, status: str, body: bytes, ctype: str, keep_alive: bool,
                extra: list[tuple[str, str]] | None = None) -> None:
        # A client that reads the main log after a reply must find what led to it.
        self.server.sup.log.flush()
        headers = [("Content-Type", ctype), ("Content-Length", str(len(body)))]
        headers += extra or []
        if not keep_alive:
            headers.append(("Connection", "close"))
            self.close_after_write = True
        self.write(response_head(status, headers) + body)

    def send_simple(self, status: str, close: bool = False,
                    extra: list[tuple[str, str]] | None = None) -> None:
        body = f"<html><body><h1>{status}</h1></body></html>".encode()
        self.respond(status, body, "text/html", not close, extra)

    def start_stream(self, log: LogFile, initial: bytes) -> None:
        self.write(response_head("200 OK", [("Content-Type", "text/plain;charset=utf-8"),
                                            ("Transfer-Encoding", "chunked"),
                                            ("X-Accel-Buffering", "no")]))

        def follow(data: bytes) -> None:
            self.write(b"%x\r\n%s\r\n" % (len(data), data))

        self.streaming = (log, follow)
        log.followers.append(follow)
        if initial:
            follow(initial)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.streaming is not None:
            log, follow = self.streaming
            if follow in log.followers:
                log.followers.remove(follow)
            self.streaming = None
        self.server.loop.remove(self.sock)
        self.server.connections.discard(self)
        with contextlib.suppress(OSError):
            self.sock.close()

    # -- deferred replies ----------------------------------------------------------------------

    def poll(self) -> None:
        if self.pending is None:
            return
        try:
            value = self.pending.poll()
        except RPCError as exc:
            value = exc
        except Exception:  # a bug must not take the supervisor down
            self.server.sup.log.critical(_traceback())
            value = RPCError("FAILED", "internal error")
        if value is NOT_DONE:
            return
        self.pending = None
        send, self.pending_send = self.pending_send or self.server.send_rpc, None
        send(self, value, self.pending_keep_alive)
        self.process()


class HttpServer:
    """All listening sockets of one supervisor and the connections they accept."""

    def __init__(self, sup: Supervisor, dispatcher: Dispatcher) -> None:
        self.sup = sup
        self.loop = sup.loop
        self.dispatcher = dispatcher
        self.listeners: list[tuple[HttpServerConfig, socket.socket]] = []
        self.connections: set[Connection] = set()
        self.routes: list[tuple[str, Handler]] = [
            ("/RPC2", self.handle_rpc),
            ("/logtail/", self.handle_logtail),
            ("/mainlogtail", self.handle_mainlogtail),
        ]
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

    def flush(self) -> None:
        """Push out pending replies before exit (the answer to `shutdown`)."""
        for conn in list(self.connections):
            if conn.outbuf:
                try:
                    conn.sock.setblocking(True)
                    conn.sock.settimeout(1.0)
                    conn.sock.sendall(conn.outbuf)
                except OSError:
                    pass

    def accept(self, sock: socket.socket, cfg: HttpServerConfig) -> None:
        for _ in range(64):
            try:
                client, _addr = sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            conn = Connection(self, client, (cfg.username, cfg.password))
            self.connections.add(conn)

    def poll_pending(self) -> None:
        for conn in list(self.connections):
            if conn.pending is not None:
                conn.poll()

    # -- routing -------------------------------------------------------------------------------

    def handle(self, conn: Connection, req: Request) -> None:
        username, password = conn.auth
        if username and not self.authorized(req, username, password or ""):
            conn.send_simple("401 Unauthorized", close=not req.keep_alive,
                             extra=[("WWW-Authenticate", 'Basic realm="default"')])
            return
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
        except Exception:
            conn.send_simple("400 Bad Request", close=True)
            return
        try:
            value: Any = self.dispatcher.call(method or "", params)
        except RPCError as exc:
            value = exc
        except Exception:
            self.sup.log.critical(_traceback())
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


def _last_bytes(path: str, n: int) -> bytes:
    try:
        with open(path, "rb") as f:
            size = f.seek(0, 2)
            f.seek(max(0, size - n))
            return f.read()
    except OSError:
        return b""


def open_unix(cfg: UnixHttpServerConfig) -> socket.socket:
    path = cfg.file
    if os.path.exists(path):
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(path)
        except OSError:
            os.unlink(path)  # a stale socket from a run that did not clean up
        else:
            raise SvtoolError(
                f"another program is already listening on {path}; shut it down first")
        finally:
            probe.close()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(path)
    sock.listen(1024)
    sock.setblocking(False)
    os.chmod(path, cfg.chmod)
    if cfg.chown:
        user, _, group = cfg.chown.partition(":")
        uid = pwd.getpwnam(user).pw_uid if not user.isdigit() else int(user)
        gid = -1
        if group:
            gid = grp.getgrnam(group).gr_gid if not group.isdigit() else int(group)
        os.chown(path, uid, gid)
    return sock


def open_inet(cfg: Any) -> socket.socket:
    host = "" if cfg.host in ("", "*") else cfg.host
    try:
        infos = socket.getaddrinfo(host or None, cfg.port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise SvtoolError(f"cannot resolve {cfg.host}: {exc}") from exc
    family, _, _, _, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as exc:
        sock.close()
        raise SvtoolError(f"cannot listen on {cfg.host}:{cfg.port}: {exc.strerror}") from exc
    sock.listen(1024)
    sock.setblocking(False)
    return sock
