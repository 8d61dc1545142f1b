"""Per-connection bounds and deadlines of the control socket, over real sockets.

The server runs its loop in a thread; the tests read its connections' buffers directly to see
how much it holds for each client.
"""

from __future__ import annotations

import base64
import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from supervisor_tools.errors import Span
from supervisor_tools.model.model import (
    GroupConfig,
    InetHttpServerConfig,
    Model,
    ProcessConfig,
    SupervisordConfig,
)
from supervisor_tools.runtime.http import HttpServer
from supervisor_tools.runtime.httpwire import Limits
from supervisor_tools.runtime.rpc import make_dispatcher
from supervisor_tools.runtime.supervisor import Supervisor

SPAN = Span.point("t.conf")
FAST = Limits(request_timeout=0.5, idle_timeout=1.0, write_timeout=0.7, linger_timeout=0.5,
              stream_backlog=64 * 1024, stream_sndbuf=16 * 1024, rpc_body=256 * 1024,
              other_body=1024, head=2048)


def procs(n: int) -> tuple[GroupConfig, ...]:
    return tuple(GroupConfig(name=f"p{i}", kind="program", priority=999, source=SPAN,
                             processes=(ProcessConfig(name=f"p{i}", program=f"p{i}",
                                                      group=f"p{i}", kind="program",
                                                      process_num=0, source=SPAN,
                                                      command="/bin/sleep 1000",
                                                      autostart=False),))
                 for i in range(n))


@dataclass
class Served:
    server: HttpServer
    sup: Supervisor
    port: int
    auth: str | None

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)

    def buffered(self) -> int:
        """Bytes the server holds for its clients right now."""
        return sum(len(c.inbuf) + len(c.outbuf) for c in list(self.server.connections))

    def rpc_request(self, method: str = "supervisor.getAllProcessInfo") -> bytes:
        body = (f"<?xml version='1.0'?><methodCall><methodName>{method}</methodName>"
                f"<params></params></methodCall>").encode()
        auth = b""
        if self.auth:
            auth = b"Authorization: Basic %s\r\n" % base64.b64encode(self.auth.encode())
        return (b"POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1\r\n%sContent-Type: text/xml\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (auth, len(body), body))


@contextlib.contextmanager
def serve(tmp: Path, limits: Limits, groups: tuple[GroupConfig, ...] = (),
          username: str | None = None) -> Iterator[Served]:
    m = Model(main_file="t.conf", files=("t.conf",),
              supervisord=SupervisordConfig(source=SPAN, logfile=str(tmp / "main.log"),
                                            childlogdir=str(tmp)), groups=groups)
    sup = Supervisor(m, lambda: m)
    sup._activate(sup.group_configs)
    server = HttpServer(sup, make_dispatcher(sup), limits)
    cfg = InetHttpServerConfig(section="inet_http_server", source=SPAN, host="127.0.0.1",
                               port=0, username=username, password="pw" if username else None)
    server.open((cfg,))
    port = server.listeners[0][1].getsockname()[1]
    done = threading.Event()

    def run() -> None:
        while not done.is_set():
            sup.loop.call_later(0.05, lambda: None)  # bound each wait: see `done` soon
            sup.loop.run_once()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    try:
        yield Served(server, sup, port, f"{username}:pw" if username else None)
    finally:
        done.set()
        sup.loop.wake()
        t.join(5)
        server.close()
        sup.log.close()


@pytest.fixture
def fast(tmp_path: Path) -> Iterator[Served]:
    with serve(tmp_path, FAST) as served:
        yield served


def wait(pred: Callable[[], Any], timeout: float = 5.0) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = pred()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("timed out")


def read_all(s: socket.socket, timeout: float = 5.0) -> bytes:
    s.settimeout(timeout)
    out = b""
    try:
        while chunk := s.recv(65536):
            out += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    return out


def test_a_silent_connection_is_closed(fast: Served) -> None:
    with fast.connect() as s:
        start = time.monotonic()
        assert read_all(s) == b""
        assert 0.4 < time.monotonic() - start < 3


def test_a_slow_sender_gets_408(fast: Served) -> None:
    with fast.connect() as s:
        start = time.monotonic()
        for part in (b"GET / HT", b"TP/1.1\r\n", b"Host: x\r\n"):
            s.sendall(part)
            time.sleep(0.2)  # each byte in time, the whole request not
        assert read_all(s).startswith(b"HTTP/1.1 408 ")
        assert time.monotonic() - start < 3


def test_an_idle_kept_alive_connection_is_closed(fast: Served) -> None:
    with fast.connect() as s:
        s.sendall(fast.rpc_request("supervisor.getPID"))
        s.settimeout(5)
        assert s.recv(65536).startswith(b"HTTP/1.1 200 ")
        start = time.monotonic()
        assert read_all(s) == b""
        assert 0.8 < time.monotonic() - start < 4


def test_pipelined_requests_wait_for_their_answers_to_be_read(tmp_path: Path) -> None:
    with serve(tmp_path, Limits(), procs(60)) as served:
        one = served.rpc_request()
        with served.connect() as s:
            s.sendall(one)
            answer = b""
            while b"</methodResponse>" not in answer:
                answer += s.recv(1 << 20)
        with served.connect() as s:
            s.setblocking(False)
            sent = 0
            end = time.monotonic() + 5
            while sent < 1000 * len(one) and time.monotonic() < end:
                try:
                    sent += s.send(one * 20)
                except BlockingIOError:
                    time.sleep(0.01)
            time.sleep(0.2)
            conn = next(iter(served.server.connections))
            # At most one answer and one read's worth of requests, however many were sent.
            assert sent > 300 * len(one), sent // len(one)
            assert len(conn.outbuf) <= len(answer) and len(conn.inbuf) <= 256 * 1024 + len(one)
            assert served.buffered() <= len(answer) + 256 * 1024 + len(one)
            s.setblocking(True)
            s.settimeout(5)
            got = b""
            while got.count(b"</methodResponse>") < 50:
                got += s.recv(1 << 20)


def test_a_stream_reader_that_stops_reading_is_dropped(fast: Served, tmp_path: Path) -> None:
    log = fast.sup.log.file
    assert log is not None
    with fast.connect() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(b"GET /mainlogtail HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        wait(lambda: any(c.streaming for c in fast.server.connections))
        most = 0
        for _ in range(400):
            log.write(b"y" * 4095 + b"\n")  # the loop thread flushes; followers see it now
            most = max(most, fast.buffered())
            if not fast.server.connections:
                break
        assert not fast.server.connections, "the reader was never dropped"
        assert most <= FAST.stream_backlog + 8192
        received = len(read_all(s))
        assert received < 400 * 4096


def test_a_reply_nobody_reads_is_dropped_after_the_write_timeout(tmp_path: Path) -> None:
    with serve(tmp_path, FAST, procs(200)) as served, served.connect() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(served.rpc_request() * 400)  # 30 MB of answers
        wait(lambda: any(c.outbuf for c in served.server.connections), 5)
        wait(lambda: not served.server.connections, 5)


def test_errors_before_the_body_reach_the_client(fast: Served) -> None:
    """413 is answered as soon as the head arrives; the body the client goes on sending is
    read and thrown away for a moment, so the client sees the answer, not a reset."""
    with fast.connect() as s:
        s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
                  b"Content-Length: 400000\r\n\r\n")
        s.sendall(b"x" * 100_000)
        assert read_all(s).startswith(b"HTTP/1.1 413 ")
    with fast.connect() as s:
        s.sendall(b"GET / HTTP/1.1\r\nX: " + b"a" * 4000 + b"\r\n\r\n")
        assert read_all(s).startswith(b"HTTP/1.1 431 ")
    assert fast.buffered() == 0


def test_expect_continue(fast: Served) -> None:
    body = b"<?xml version='1.0'?><methodCall><methodName>supervisor.getPID</methodName>" \
           b"</methodCall>"
    with fast.connect() as s:
        s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
                  b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
        s.settimeout(5)
        assert s.recv(65536) == b"HTTP/1.1 100 Continue\r\n\r\n"
        s.sendall(body)
        assert s.recv(65536).startswith(b"HTTP/1.1 200 OK")


def test_unauthenticated_requests_are_refused_before_their_body(tmp_path: Path) -> None:
    with serve(tmp_path, Limits(), username="admin") as served, served.connect() as s:
        s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
                  b"Content-Length: 5000000\r\n\r\n")
        s.settimeout(5)
        assert s.recv(65536).startswith(b"HTTP/1.1 401 ")
        assert served.buffered() == 0


def test_a_failing_handler_costs_one_line_and_one_connection(fast: Served) -> None:
    def broken(conn: Any, req: Any) -> None:
        raise KeyError("client\ninput")

    fast.server.routes.insert(0, ("/broken", broken))
    with fast.connect() as s:
        s.sendall(b"GET /broken HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert read_all(s).startswith(b"HTTP/1.1 500 ")
    with fast.connect() as s:
        s.sendall(fast.rpc_request("supervisor.getPID"))
        s.settimeout(5)
        assert s.recv(65536).startswith(b"HTTP/1.1 200 ")
    fast.sup.log.flush()
    text = Path(fast.sup.log.path or "").read_text()
    errors = [line for line in text.splitlines() if "internal error" in line]
    assert len(errors) == 1 and "KeyError" in errors[0] and "test_http_limits.py" in errors[0]
    assert "Traceback" not in text


def test_no_deadline_is_watched_once_every_connection_is_gone(fast: Served) -> None:
    """An idle supervisor makes no wake-ups: the sweep goes with the last connection."""
    with fast.connect() as s:
        s.sendall(fast.rpc_request("supervisor.getPID"))
        s.settimeout(5)
        assert s.recv(65536).startswith(b"HTTP/1.1 200 ")
        assert fast.server._sweep_timer is not None
    wait(lambda: not fast.server.connections)
    assert fast.server._sweep_timer is None


def test_a_body_that_never_comes_gets_408(fast: Served) -> None:
    with fast.connect() as s:
        s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
                  b"Expect: 100-continue\r\nContent-Length: 10\r\n\r\n")
        start = time.monotonic()
        reply = read_all(s)
        assert reply.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 408 "), reply
        assert time.monotonic() - start < 3
