"""One client connection of the control socket: bounded input, bounded output, deadlines.

A connection holds at most one request's worth of input and one reply's worth of output.
While a reply is unsent, a deferred reply is pending or a log is streaming, the socket is not
read for further requests, so a client that pipelines requests without reading the answers
fills its own socket buffers, not the supervisor's memory. A log stream whose reader stops
reading is dropped once its backlog passes a bound. Every other state has a deadline (see
`deadline`), enforced by the server's sweep. After an error reply the connection reads and
discards what the client is still sending for a moment before closing ("lingering close"), so
the client sees the error instead of a reset.
"""

from __future__ import annotations

import contextlib
import math
import os
import selectors
import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from supervisor_tools.runtime.httpwire import HttpError, Request, parse_head, response_head
from supervisor_tools.runtime.logs import LogFile
from supervisor_tools.runtime.rpc import NOT_DONE, Deferred, RPCError

if TYPE_CHECKING:
    from supervisor_tools.runtime.http import HttpServer

RECV_SIZE = 256 * 1024
SNDBUF = 4 * 1024 * 1024
SO_SNDBUFFORCE = getattr(socket, "SO_SNDBUFFORCE", 32)
READ = selectors.EVENT_READ
WRITE = selectors.EVENT_WRITE


def describe(exc: BaseException) -> str:
    """`Type: message (file:line)` on one line, safe to log whatever a client put in it."""
    tb = exc.__traceback__
    where = ""
    if tb is not None:
        while tb.tb_next is not None:
            tb = tb.tb_next
        where = f" ({os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno})"
    text = str(exc)
    if len(text) > 200:
        text = text[:200] + "..."
    return f"{type(exc).__name__}: {text!r}{where}"


def _set_sndbuf(sock: socket.socket, size: int) -> None:
    # Root may go past net.core.wmem_max with SO_SNDBUFFORCE.
    for opt in (SO_SNDBUFFORCE, socket.SO_SNDBUF):
        try:
            sock.setsockopt(socket.SOL_SOCKET, opt, size)
            return
        except OSError:
            continue


class Connection:
    def __init__(self, server: HttpServer, sock: socket.socket,
                 auth: tuple[str | None, str | None]) -> None:
        self.server = server
        self.limits = server.limits
        self.auth = auth
        self.sock = sock
        self.inbuf = bytearray()
        self.outbuf = bytearray()
        self.head: Request | None = None  # a request whose body is still arriving
        self.pending: Deferred | None = None
        self.pending_keep_alive = True
        # How a deferred reply is sent when it completes; XML-RPC unless a route says otherwise.
        self.pending_send: Callable[[Connection, Any, bool], None] | None = None
        self.close_after_write = False
        self.discard_input = False  # an error reply was sent before the request was read
        self.streaming: tuple[LogFile, Callable[[bytes], None]] | None = None
        self.closed = False
        now = time.monotonic()
        self.request_since: float | None = now  # a fresh connection owes its first request
        self.idle_since = now
        self.last_sent = now
        self.lingering: float | None = None
        self.linger_left = 0
        self.events = 0
        sock.setblocking(False)
        # Big enough for a 500-process getAllProcessInfo in one send.
        _set_sndbuf(sock, SNDBUF)
        self.update()

    # -- state ---------------------------------------------------------------------------------

    def ready(self) -> bool:
        """True when the next request may be read and handled."""
        return not (self.closed or self.outbuf or self.close_after_write
                    or self.pending is not None or self.streaming is not None
                    or self.lingering is not None)

    def wants_read(self) -> bool:
        if self.closed:
            return False
        if self.lingering is not None or self.streaming is not None:
            return True  # only to discard input and notice the client leaving
        return self.ready()

    def deadline(self) -> float:
        """When this connection has waited too long in its present state (inf: never)."""
        lim = self.limits
        if self.closed:
            return math.inf
        if self.lingering is not None:
            return self.lingering + lim.linger_timeout
        if self.outbuf:
            return self.last_sent + lim.write_timeout
        if self.pending is not None or self.streaming is not None or self.close_after_write:
            return math.inf
        if self.request_since is not None:
            return self.request_since + lim.request_timeout
        return self.idle_since + lim.idle_timeout

    def expire(self) -> None:
        if self.ready() and (self.inbuf or self.head is not None):
            self.fail("408 Request Timeout")
        else:
            self.close()

    def update(self) -> None:
        """Poll the socket for what this connection can do now, and keep its deadline watched."""
        if self.closed:
            return
        events = (READ if self.wants_read() else 0) | (WRITE if self.outbuf else 0)
        if events != self.events:
            if events:
                self.server.loop.set_events(self.sock, events, self.on_event)
            else:
                self.server.loop.remove(self.sock)
            self.events = events
        self.server.watch(self.deadline())

    def _resume(self) -> None:
        """Back to reading requests after a reply: the clocks restart now."""
        now = time.monotonic()
        self.idle_since = now
        self.request_since = now if self.inbuf or self.head is not None else None

    # -- input ---------------------------------------------------------------------------------

    def on_event(self) -> None:
        try:
            if self.outbuf:
                self.on_writable()
            if self.wants_read():
                self.on_readable()
        except Exception as exc:  # a bug must cost this connection, not the supervisor
            self.server.client_error(self, exc)

    def on_readable(self) -> None:
        try:
            data = self.sock.recv(RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.close()
            return
        if self.lingering is not None:
            self.linger_left -= len(data)
            if self.linger_left <= 0:
                self.close()
            return
        if self.streaming is not None:
            return  # a tail -f client has nothing more to say
        if self.request_since is None:
            self.request_since = time.monotonic()
        self.inbuf += data
        self.process()

    def process(self) -> None:
        while self.ready():
            if self.head is None and not self._read_head():
                break
            req = self.head
            assert req is not None
            if len(self.inbuf) < req.length:
                break
            req.body = bytes(self.inbuf[:req.length])
            del self.inbuf[:req.length]
            self.head = None
            self._resume()
            self.server.handle(self, req)
        self.update()

    def _read_head(self) -> bool:
        buf = self.inbuf
        # supervisorctl's tail client ends its headers with one CRLF too many; skip blanks.
        blank = 0
        while buf[blank:blank + 2] == b"\r\n":
            blank += 2
        if blank:
            del buf[:blank]
        limit = self.limits.head
        end = buf.find(b"\r\n\r\n", 0, limit + 4)
        if end < 0:
            if len(buf) > limit:
                self.fail("431 Request Header Fields Too Large")
            elif not buf:
                self.request_since = None
            return False
        try:
            req = parse_head(bytes(buf[:end]))
        except HttpError as exc:
            self.fail(exc.status)
            return False
        del buf[:end + 4]
        self.head = req
        return self.server.admit(self, req)

    def fail(self, status: str, extra: list[tuple[str, str]] | None = None) -> None:
        """Answer an error before (or instead of) reading the request, then close."""
        self.head = None
        self.inbuf.clear()
        self.discard_input = True
        self.send_simple(status, close=True, extra=extra)

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
            self.last_sent = time.monotonic()
            if not data:
                if self.close_after_write:
                    self.finish()
                return
        self.outbuf += data
        if self.streaming is not None and len(self.outbuf) > self.limits.stream_backlog:
            self.close()
            self.server.dropped_reader()
            return
        self.update()

    def on_writable(self) -> None:
        try:
            sent = self.sock.send(self.outbuf)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.close()
            return
        if sent:
            self.last_sent = time.monotonic()
            del self.outbuf[:sent]
        if self.outbuf:
            return
        if self.close_after_write:
            self.finish()
            return
        if self.streaming is None and self.pending is None:
            self._resume()
        self.process()

    def finish(self) -> None:
        """The last reply is out: close, or linger first when the client may still be sending."""
        if not self.discard_input:
            self.close()
            return
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self.close()
            return
        self.lingering = time.monotonic()
        self.linger_left = self.limits.linger_bytes
        self.update()

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
        self.inbuf.clear()
        self.write(response_head("200 OK", [("Content-Type", "text/plain;charset=utf-8"),
                                            ("Transfer-Encoding", "chunked"),
                                            ("X-Accel-Buffering", "no")]))
        # A reader that stops reading ties up this much kernel memory, and then the backlog.
        _set_sndbuf(self.sock, self.limits.stream_sndbuf)

        def follow(data: bytes) -> None:
            self.write(b"%x\r\n%s\r\n" % (len(data), data))

        self.streaming = (log, follow)
        log.followers.append(follow)
        if initial:
            follow(initial)
        self.update()

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
        self.server.forget(self)
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
        except Exception as exc:  # a bug must not take the supervisor down
            self.server.sup.log.critical(f"internal error completing a request: {describe(exc)}")
            value = RPCError("FAILED", "internal error")
        if value is NOT_DONE:
            return
        self.pending = None
        send, self.pending_send = self.pending_send or self.server.send_rpc, None
        send(self, value, self.pending_keep_alive)
        if not self.outbuf:
            self._resume()
        self.process()
