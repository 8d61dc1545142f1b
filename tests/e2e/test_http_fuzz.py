"""A bounded fuzz of `svtool run`'s HTTP and XML-RPC surface, over loopback and the unix socket.

Thousands of malformed requests (lengths, encodings, headers, bodies, pipelines, slow senders,
early hang-ups). Every answer must be an HTTP error or an XML-RPC fault and must come within a
deadline, while the real supervisorctl keeps getting answers and the main log stays free of
tracebacks. None of the generated requests is a valid call that would change anything.
"""

from __future__ import annotations

import base64
import contextlib
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import SLEEPER_CMD, SUPERVISORCTL
from tests.e2e.test_hostile_http import PASSWORD, USER, Hostile

DEADLINE = 10.0
AUTH = {
    "none": "",
    "good": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(),
    "wrong": "Basic " + base64.b64encode(f"{USER}:nope".encode()).decode(),
    "garbage": "Basic !!!not-base64",
    "scheme": "Bearer abc",
}
# Paths that never answer 200 with content: each is unknown, needs a POST, names nothing, or
# is XML-RPC (whose only 200 here is a fault).
PATHS = ["/RPC2", "/RPC2/", "/RPC2?x=1", "/logtail/nosuch", "/logtail/nosuch/stderr",
         "/logtail/", "/logtail/%ff%00", "/api/action", "/api/log/nosuch/stdout",
         "/api/log/", "/nothing", "/..%2f..%2fetc/passwd", "*", "http://evil/RPC2"]
METHODS = ["POST", "GET", "PUT", "HEAD", "OPTIONS", "DELETE", "P0ST", "GET\x00"]


@dataclass
class Fuzzed:
    server: Hostile
    ctl_ok: int = 0
    ctl_failures: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    s = Hostile(tmp_path_factory.mktemp("fuzz"))
    s.start("[program:sleeper]\ncommand=" + SLEEPER_CMD + "\nstartsecs=0\n")
    state = Fuzzed(s)
    done = threading.Event()

    def keep_asking() -> None:
        while not done.wait(1.0):
            try:
                res = subprocess.run([SUPERVISORCTL, "-c", str(s.conf), "status"], text=True,
                                     capture_output=True, timeout=DEADLINE)
                if "sleeper" in res.stdout and "RUNNING" in res.stdout:
                    state.ctl_ok += 1
                else:
                    state.ctl_failures.append(res.stdout + res.stderr)
            except subprocess.TimeoutExpired:
                state.ctl_failures.append("supervisorctl timed out")

    asker = threading.Thread(target=keep_asking, daemon=True)
    asker.start()
    try:
        yield state
    finally:
        done.set()
        asker.join(DEADLINE + 2)
        s.stop()


def xml_value() -> st.SearchStrategy[str]:
    scalar = st.one_of(
        st.integers(-2**40, 2**40).map(lambda i: f"<value><int>{i}</int></value>"),
        st.sampled_from(["<value><boolean>1</boolean></value>", "<value><struct/></value>",
                         "<value><array><data/></array></value>", "<value><nil/></value>",
                         "<value><double>1e400</double></value>", "<value>nosuch</value>",
                         "<value><string>nosuch:x</string></value>", "<value><i4>x</i4></value>",
                         "<value><base64>!!</base64></value>", "<value><string>&#0;</string>"
                         "</value>", "<value><dateTime.iso8601>x</dateTime.iso8601></value>"]))
    return st.recursive(scalar, lambda inner: st.lists(inner, max_size=3).map(
        lambda vs: "<value><array><data>" + "".join(vs) + "</data></array></value>"),
        max_leaves=6)


@st.composite
def rpc_bodies(draw: st.DrawFn) -> bytes:
    method = draw(st.sampled_from([
        "supervisor.getProcessInfo", "supervisor.stopProcess", "supervisor.signalProcess",
        "supervisor.startProcess", "supervisor.nosuch", "system.methodHelp", "nosuch",
        "supervisor._private", "", "supervisor.getProcessInfo\x00"]))
    params = draw(st.lists(xml_value(), max_size=3))
    if method.startswith(("supervisor.getProcess", "supervisor.st", "supervisor.sig")) \
            and not params:
        params = ["<value><int>1</int></value>"]
    text = ("<?xml version='1.0'?><methodCall><methodName>" + method + "</methodName><params>"
            + "".join(f"<param>{p}</param>" for p in params) + "</params></methodCall>")
    body = text.encode("utf-8", "surrogatepass")
    cut = draw(st.one_of(st.none(), st.integers(0, len(body))))
    return body if cut is None else body[:cut]


@st.composite
def requests(draw: st.DrawFn) -> tuple[bytes, bool]:
    """One request's bytes, and whether it is complete (the server owes it an answer)."""
    method = draw(st.sampled_from(METHODS))
    path = draw(st.one_of(st.sampled_from(PATHS), st.text(min_size=1, max_size=20).map(
        lambda t: "/x" + t)))
    version = draw(st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/1.1 ",
                                    ""]))
    body = draw(st.one_of(rpc_bodies(), st.binary(max_size=200), st.just(b"")))
    headers: list[tuple[str, str]] = []
    headers.append(("Host", draw(st.sampled_from(["127.0.0.1", "localhost:9001", "evil.example",
                                                  "", "a, b", "[::1]"]))))
    ctype = draw(st.sampled_from(["text/xml", "text/xml; charset=utf-8", "TEXT/XML",
                                  "text/plain", "application/json", None]))
    if ctype is not None:
        headers.append(("Content-Type", ctype))
    auth = AUTH[draw(st.sampled_from(sorted(AUTH)))]
    if auth:
        headers.append(("Authorization", auth))
    length = draw(st.sampled_from(["right", "right", "none", "negative", "short", "long",
                                   "huge", "garbage", "double", "chunked"]))
    n = len(body)
    complete = True
    if length == "right":
        headers.append(("Content-Length", str(n)))
    elif length == "negative":
        headers.append(("Content-Length", str(-draw(st.integers(1, 10**6)))))
    elif length == "short":
        headers.append(("Content-Length", str(max(0, n - draw(st.integers(1, 50))))))
    elif length == "long":
        headers.append(("Content-Length", str(n + draw(st.integers(1, 50)))))
        complete = False
    elif length == "huge":
        headers.append(("Content-Length", draw(st.sampled_from(["99999999999", "1" * 30]))))
    elif length == "garbage":
        headers.append(("Content-Length", draw(st.sampled_from(["", "x", "0x1", "1.5", " ",
                                                               "\u0661", "5,6"]))))
    elif length == "double":
        headers.extend([("Content-Length", str(n)), ("Content-Length", str(n + 1))])
    else:
        headers.append(("Transfer-Encoding", draw(st.sampled_from(["chunked", "gzip, chunked",
                                                                   "identity"]))))
    extra = draw(st.lists(st.sampled_from([
        ("Connection", "close"), ("Connection", "keep-alive"), ("Expect", "100-continue"),
        ("X-Junk", "\x01\x7f"), ("Bad Header", "x"), ("X", "a" * 5000), ("Content-Type ", "x"),
        ("X-Name", "caf\u00e9 \u2603"), ("Content-Type", "text/xml; charset=latin-1"),
    ]), max_size=3))
    headers.extend(extra)
    head = f"{method} {path} {version}".rstrip(" ") + "\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode("utf-8", "surrogatepass") + body, complete


def parse_responses(data: bytes) -> list[tuple[int, bytes]]:
    """(status, body) of each response in `data`, skipping 100 Continue."""
    out = []
    while data:
        end = data.find(b"\r\n\r\n")
        assert end > 0, data[:200]
        head = data[:end].decode("latin-1").split("\r\n")
        assert head[0].startswith("HTTP/1.1 "), head
        status = int(head[0].split()[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in
                  (line.partition(":") for line in head[1:])}
        length = int(fields.get("content-length", "0"))
        body = data[end + 4:end + 4 + length]
        assert len(body) == length, "a response was cut short"
        data = data[end + 4 + length:]
        if status != 100:
            out.append((status, body))
    return out


def exchange(fz: Fuzzed, unix: bool, payload: bytes, pieces: list[int], pause: float) -> bytes:
    if unix:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(DEADLINE)
        s.connect(str(fz.server.sock))
    else:
        s = socket.create_connection(("127.0.0.1", fz.server.port), timeout=DEADLINE)
    with s:
        with contextlib.suppress(OSError):  # the server may refuse and close mid-send
            at = 0
            for size in [*pieces, len(payload)]:
                if at >= len(payload):
                    break
                s.sendall(payload[at:at + size])
                at += size
                if pause:
                    time.sleep(pause)
            s.shutdown(socket.SHUT_WR)
        out = b""
        end = time.monotonic() + DEADLINE
        with contextlib.suppress(ConnectionResetError):
            while chunk := s.recv(65536):
                out += chunk
                assert time.monotonic() < end, "no end of the answers within the deadline"
        return out


@settings(max_examples=2000, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(pipeline=st.lists(requests(), min_size=1, max_size=3),
       unix=st.booleans(),
       pieces=st.lists(st.integers(1, 64), max_size=4),
       pause=st.sampled_from([0.0, 0.0, 0.0, 0.002]))
def test_every_answer_is_an_error_or_a_fault(fuzzed: Fuzzed, pipeline: list[tuple[bytes, bool]],
                                             unix: bool, pieces: list[int],
                                             pause: float) -> None:
    payload = b"".join(data for data, _complete in pipeline)
    start = time.monotonic()
    answers = parse_responses(exchange(fuzzed, unix, payload, pieces, pause))
    assert time.monotonic() - start < DEADLINE + 1
    assert len(answers) <= len(pipeline)
    for status, body in answers:
        assert status >= 400 or (status == 200 and body.startswith(b"<?xml")
                                 and b"<fault>" in body), (status, body[:300], payload[:300])


def test_the_supervisor_came_through(fuzzed: Fuzzed) -> None:
    """Runs after the fuzz (same module fixture): still answering, no tracebacks, stops."""
    s = fuzzed.server
    assert not fuzzed.ctl_failures, fuzzed.ctl_failures[:3]
    assert fuzzed.ctl_ok >= 5
    s.ctl_answers()
    assert s.state("sleeper") == "RUNNING"
    log = s.log()
    assert "Traceback" not in log and 'File "' not in log, log[-3000:]
    assert s.proc is not None
    s.proc.send_signal(signal.SIGTERM)
    assert s.proc.wait(DEADLINE) == 0
