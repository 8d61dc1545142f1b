"""`svtool run` under hostile HTTP: malformed framing, foreign hosts, cross-site posts,
readers that never read, pipelines nobody answers, a full descriptor table, and a file where
the socket should go. Each test drives a real server with real sockets and the real
supervisorctl."""

from __future__ import annotations

import base64
import contextlib
import os
import resource
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import SLEEPER_CMD, SUPERVISORCTL, Supervisor, snippet

USER, PASSWORD = "admin", "s3cret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Hostile(Supervisor):
    """svtool run with a unix socket and a loopback TCP port (with or without a password)."""

    def __init__(self, tmp: Path, password: bool = True) -> None:
        super().__init__("svtool", tmp)
        self.port = free_port()
        self.password = password

    def header(self, extra: str = "") -> str:
        auth = f"username={USER}\npassword={PASSWORD}\n" if self.password else ""
        return super().header(extra) + (f"\n[inet_http_server]\nport=127.0.0.1:{self.port}\n"
                                        + auth)

    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def peak_rss_kb(self) -> int:
        """The most memory the server has held at any moment so far (VmHWM)."""
        for line in Path(f"/proc/{self.pid()}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        raise AssertionError("no VmHWM")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid()}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def ctl_answers(self, deadline: float = 10.0) -> None:
        """The real supervisorctl gets a status answer within `deadline` seconds."""
        start = time.monotonic()
        res = subprocess.run([SUPERVISORCTL, "-c", str(self.conf), "pid"], text=True,
                             capture_output=True, timeout=deadline)
        assert res.stdout.strip() == str(self.pid()), res
        assert time.monotonic() - start < deadline


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[Hostile]:
    s = Hostile(tmp_path)
    yield s
    s.stop()


@pytest.fixture
def open_port(tmp_path: Path) -> Iterator[Hostile]:
    s = Hostile(tmp_path, password=False)
    yield s
    s.stop()


def exchange(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Send `data`, then read until the server closes or `timeout` passes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        out = b""
        end = time.monotonic() + timeout
        with contextlib.suppress(OSError):
            while time.monotonic() < end:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        return out


def auth_header() -> str:
    return "Authorization: Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


def rpc_body(method: str, *params: str) -> bytes:
    args = "".join(f"<param><value><string>{p}</string></value></param>" for p in params)
    return (f"<?xml version='1.0'?><methodCall><methodName>{method}</methodName>"
            f"<params>{args}</params></methodCall>").encode()


FRAMING = [
    "Content-Length: -5",
    "Content-Length: -1",
    "Content-Length: +5",
    "Content-Length: 5x",
    "Content-Length: 0x10",
    "Content-Length: 5\r\nContent-Length: 6",
    "Content-Length: 5, 6",
    "Transfer-Encoding: chunked",
    "Content-Length: 99999999999999999999999",
]


@pytest.mark.parametrize("header", FRAMING)
def test_bad_framing_is_refused_before_auth_and_the_supervisor_stays_alive(
        hostile: Hostile, header: str) -> None:
    hostile.start("[program:sleeper]\ncommand=" + SLEEPER_CMD + "\n")
    reply = exchange(hostile.port, f"POST /RPC2 HTTP/1.1\r\nHost: x\r\n{header}\r\n\r\n"
                     "hello".encode())
    assert reply.startswith(b"HTTP/1.1 400 ") or reply.startswith(b"HTTP/1.1 413 "), reply
    hostile.ctl_answers()
    start = time.monotonic()
    assert hostile.proc is not None
    hostile.proc.send_signal(signal.SIGTERM)
    assert hostile.proc.wait(10) == 0
    assert time.monotonic() - start < 10
    assert "Traceback" not in hostile.log()


def test_negative_length_with_the_socket_left_open(hostile: Hostile) -> None:
    """The reported hang: a connection that stays open after a negative Content-Length."""
    hostile.start("[program:sleeper]\ncommand=" + SLEEPER_CMD + "\n")
    with socket.create_connection(("127.0.0.1", hostile.port), timeout=5) as s:
        s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: -20\r\n\r\n")
        assert s.recv(65536).startswith(b"HTTP/1.1 400 ")
        cpu = hostile.cpu_seconds()
        for _ in range(3):
            hostile.ctl_answers()
        time.sleep(0.5)
        assert hostile.cpu_seconds() - cpu < 1.0
    with socket.socket(socket.AF_UNIX) as u:
        u.settimeout(5)
        u.connect(str(hostile.sock))
        u.sendall(b"POST /RPC2 HTTP/1.1\r\nContent-Length: -1\r\n\r\n")
        assert u.recv(65536).startswith(b"HTTP/1.1 400 ")
        hostile.ctl_answers()
    hostile.ctl_answers()


def test_every_route_applies_the_host_rule(open_port: Hostile) -> None:
    open_port.start("[program:sleeper]\ncommand=" + SLEEPER_CMD + "\nstartsecs=0\n")
    open_port.wait_state("sleeper", "RUNNING")
    body = rpc_body("supervisor.getPID")
    for request in (
        b"GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n",
        b"GET /logtail/sleeper HTTP/1.1\r\nHost: evil.example\r\n\r\n",
        b"GET /mainlogtail HTTP/1.1\r\nHost: evil.example:9001\r\n\r\n",
        b"POST /RPC2 HTTP/1.1\r\nHost: rebound.example\r\nContent-Type: text/xml\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body),
    ):
        assert exchange(open_port.port, request).startswith(b"HTTP/1.1 421 "), request
    ok = exchange(open_port.port, b"POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                  b"text/xml\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    assert ok.startswith(b"HTTP/1.1 200 ") and str(open_port.pid()).encode() in ok


@pytest.mark.parametrize("ctype", [None, "text/plain", "text/plain;charset=UTF-8",
                                   "application/x-www-form-urlencoded", "multipart/form-data"])
def test_cross_site_post_cannot_stop_a_process(open_port: Hostile, ctype: str | None) -> None:
    """The content types (or none) a page on another site can POST without a preflight."""
    open_port.start("[program:sleeper]\ncommand=" + SLEEPER_CMD + "\nstartsecs=0\n")
    open_port.wait_state("sleeper", "RUNNING")
    body = rpc_body("supervisor.stopProcess", "sleeper")
    typed = f"Content-Type: {ctype}\r\n".encode() if ctype else b""
    reply = exchange(open_port.port, b"POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s"
                     b"Content-Length: %d\r\n\r\n%s" % (open_port.port, typed, len(body), body))
    assert reply.startswith(b"HTTP/1.1 415 "), reply
    time.sleep(0.3)
    assert open_port.state("sleeper") == "RUNNING"
    typed = b"Content-Type: text/xml; charset=utf-8\r\n"
    reply = exchange(open_port.port, b"POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s"
                     b"Content-Length: %d\r\n\r\n%s" % (open_port.port, typed, len(body), body))
    assert reply.startswith(b"HTTP/1.1 200 ") and b"<boolean>1</boolean>" in reply
    assert open_port.state("sleeper") == "STOPPED"


def test_real_clients_keep_working_on_both_sockets(hostile: Hostile) -> None:
    hostile.start("[program:sleeper]\ncommand=" + SLEEPER_CMD + "\nstartsecs=0\n")
    hostile.wait_state("sleeper", "RUNNING")
    assert "RUNNING" in hostile.ctl("status", "sleeper").stdout
    inet = subprocess.run([SUPERVISORCTL, "-s", f"http://127.0.0.1:{hostile.port}", "-u", USER,
                           "-p", PASSWORD, "status", "sleeper"], text=True,
                          capture_output=True, timeout=30)
    assert "RUNNING" in inet.stdout, inet
    import xmlrpc.client

    proxy = xmlrpc.client.ServerProxy(f"http://{USER}:{PASSWORD}@127.0.0.1:{hostile.port}/RPC2")
    assert proxy.supervisor.getPID() == hostile.pid()


def test_unauthenticated_body_is_refused_unread(hostile: Hostile) -> None:
    hostile.start("")
    with socket.create_connection(("127.0.0.1", hostile.port), timeout=5) as s:
        s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
                  b"Content-Length: 8000000\r\n\r\n")
        assert s.recv(65536).startswith(b"HTTP/1.1 401 ")  # no body was sent, or read
    big = b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n%s\r\n" \
          b"Content-Length: %d\r\n\r\n" % (auth_header().encode(), 64 * 1024 * 1024)
    with socket.create_connection(("127.0.0.1", hostile.port), timeout=5) as s:
        s.sendall(big)
        assert s.recv(65536).startswith(b"HTTP/1.1 413 ")
    huge_head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 100_000 + b"\r\n\r\n"
    assert exchange(hostile.port, huge_head).startswith(b"HTTP/1.1 431 ")
    hostile.ctl_answers()


def _noisy(tmp: Path) -> str:
    return textwrap.dedent(f"""\
        [program:noisy]
        command={snippet("import sys, time; time.sleep(1); [sys.stdout.write('x' * 1023 + chr(10)) for _ in range(40000)]; time.sleep(1000)")}
        startsecs=0
        stdout_logfile={tmp}/noisy.log
        stdout_logfile_maxbytes=0
        """)


def test_readers_that_never_read_cost_bounded_memory(hostile: Hostile, tmp_path: Path) -> None:
    """20 `/logtail` streams nobody reads, while the program writes 40 MB to its log."""
    hostile.start(_noisy(tmp_path))
    hostile.wait_state("noisy", "RUNNING")
    hostile.wait(lambda: (tmp_path / "noisy.log").exists(), 10, "the log file")
    before = hostile.peak_rss_kb()
    readers = []
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", hostile.port), timeout=5)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(f"GET /logtail/noisy HTTP/1.1\r\nHost: x\r\n{auth_header()}\r\n\r\n".encode())
        readers.append(s)
    try:
        hostile.wait(lambda: (tmp_path / "noisy.log").stat().st_size >= 40000 * 1024, 60,
                     "the program's output")
        time.sleep(0.5)
        grown_mb = (hostile.peak_rss_kb() - before) / 1024
        assert grown_mb < 80, f"peak RSS grew {grown_mb:.0f} MB"
        hostile.ctl_answers()
        # Dropped: each reader finds the end of its stream after what was already sent.
        s = readers[0]
        s.settimeout(10)
        total = 0
        while chunk := s.recv(1 << 20):
            total += len(chunk)
        assert total < 40000 * 1024
    finally:
        for s in readers:
            s.close()
    assert "dropped a log stream reader" in hostile.log()


def test_pipelined_unread_requests_cost_bounded_memory(hostile: Hostile) -> None:
    programs = "".join(f"[program:p{i}]\ncommand={SLEEPER_CMD}\nautostart=false\n\n"
                       for i in range(150))
    hostile.start(programs)
    body = rpc_body("supervisor.getAllProcessInfo")
    one = (b"POST /RPC2 HTTP/1.1\r\nHost: x\r\n%s\r\nContent-Type: text/xml\r\n"
           b"Content-Length: %d\r\n\r\n%s" % (auth_header().encode(), len(body), body))
    before = hostile.peak_rss_kb()
    with socket.create_connection(("127.0.0.1", hostile.port), timeout=5) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.setblocking(False)
        sent = 0
        end = time.monotonic() + 5
        # ~300 KB of requests whose ~60 KB answers are never read: 60 MB if all were held.
        while sent < 1000 * len(one) and time.monotonic() < end:
            try:
                sent += s.send(one * 10)
            except BlockingIOError:
                time.sleep(0.01)
        time.sleep(1.0)
        grown_mb = (hostile.peak_rss_kb() - before) / 1024
        assert grown_mb < 30, f"peak RSS grew {grown_mb:.0f} MB"
        hostile.ctl_answers()
        # The answers still come, in order, as the client reads them.
        s.setblocking(True)
        s.settimeout(10)
        got = b""
        while got.count(b"</methodResponse>") < 5:
            got += s.recv(1 << 20)
        assert got.startswith(b"HTTP/1.1 200 OK")


def test_regular_file_at_the_socket_path_is_kept(tmp_path: Path) -> None:
    s = Supervisor("svtool", tmp_path)
    s.write("")
    s.sock.write_text("precious\n")
    res = subprocess.run([sys.executable, "-m", "supervisor_tools", "run", "-n", "-c",
                          str(s.conf)], capture_output=True, text=True, timeout=30,
                         cwd=tmp_path)
    assert res.returncode == 2, res
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a socket" in lines[0] and str(s.sock) in lines[0], res
    assert s.sock.read_text() == "precious\n"


def test_out_of_descriptors_does_not_spin(tmp_path: Path) -> None:
    s = Hostile(tmp_path)
    s.write("", extra="minfds=16")

    def low_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (48, 48))

    cmd = [sys.executable, "-m", "supervisor_tools", "run", "-n", "-c", str(s.conf)]
    with open(s.out, "wb") as out:
        s.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path,
                                  preexec_fn=low_limit)
    held: list[socket.socket] = []
    try:
        s.wait(s._answers, 20, "the server")
        for _ in range(80):
            c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            c.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # begun, never finished
            held.append(c)
        time.sleep(0.5)
        cpu = s.cpu_seconds()
        time.sleep(2.0)
        used = s.cpu_seconds() - cpu
        assert used < 0.5, f"{used:.2f}s of CPU in 2s"
        assert s.log().count("cannot accept connections") == 1, s.log()
        for c in held:
            c.close()
        held = []
        s.wait(s._answers, 10, "the server to answer again")
        s.wait(lambda: "accepting connections again" in s.log(), 10, "the recovery line")
    finally:
        for c in held:
            c.close()
        s.stop()


def test_client_input_never_writes_a_traceback(hostile: Hostile) -> None:
    hostile.start("[program:sleeper]\ncommand=" + SLEEPER_CMD + "\nautostart=false\n")
    odd = [("supervisor.getProcessInfo", "<value><int>7</int></value>"),
           ("supervisor.startProcess", "<value><array><data/></array></value>"),
           ("supervisor.readProcessStdoutLog", "<value><struct/></value>"),
           ("supervisor.signalProcess", "<value><boolean>1</boolean></value>")]
    for method, param in odd:
        body = (f"<?xml version='1.0'?><methodCall><methodName>{method}</methodName><params>"
                f"<param>{param}</param></params></methodCall>").encode()
        reply = exchange(hostile.port, b"POST /RPC2 HTTP/1.1\r\nHost: x\r\n%s\r\n"
                         b"Content-Type: text/xml\r\nContent-Length: %d\r\n\r\n%s"
                         % (auth_header().encode(), len(body), body))
        assert reply.startswith(b"HTTP/1.1 200 ") and b"<fault>" in reply, reply
    hostile.ctl_answers()
    log = hostile.log()
    assert "Traceback" not in log and 'File "' not in log, log


def test_clients_that_never_read_do_not_hold_up_the_exit(hostile: Hostile) -> None:
    programs = "".join(f"[program:p{i}]\ncommand={SLEEPER_CMD}\nautostart=false\n\n"
                       for i in range(150))
    hostile.start(programs)
    body = rpc_body("supervisor.getAllProcessInfo")
    one = (b"POST /RPC2 HTTP/1.1\r\nHost: x\r\n%s\r\nContent-Type: text/xml\r\n"
           b"Content-Length: %d\r\n\r\n%s" % (auth_header().encode(), len(body), body))
    stalled = []
    try:
        for _ in range(8):
            s = socket.create_connection(("127.0.0.1", hostile.port), timeout=5)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                for _ in range(400):
                    s.send(one)
            stalled.append(s)
        time.sleep(0.5)
        assert hostile.proc is not None
        start = time.monotonic()
        hostile.proc.send_signal(signal.SIGTERM)
        assert hostile.proc.wait(30) == 0
        assert time.monotonic() - start < 5
    finally:
        for s in stalled:
            s.close()
