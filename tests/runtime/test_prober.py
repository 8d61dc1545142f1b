"""The probe runner on a real event loop: commands, TCP connects and HTTP GETs."""

from __future__ import annotations

import http.server
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from supervisor_tools.runtime.loop import Loop
from supervisor_tools.runtime.prober import Prober
from supervisor_tools.runtime.probes import ProbeSpec, Tally, Verdict


class Host:
    """The supervisor's part: the loop, and reaping the probe commands it is told of."""

    def __init__(self) -> None:
        self.loop = Loop()
        self.children: dict[int, Callable[[int], None]] = {}
        self.loop.call_later(0.01, self._reap)

    def watch_child(self, pid: int, callback: Callable[[int], None]) -> None:
        self.children[pid] = callback

    def _reap(self) -> None:
        for pid in list(self.children):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                self.children.pop(pid)(status)
        self.loop.call_later(0.01, self._reap)


def verdict_of(spec: ProbeSpec, limit: float = 20,
               user: str | None = None) -> tuple[Verdict, Tally, float]:
    host = Host()
    got: list[tuple[Verdict, Tally]] = []
    prober = Prober(host, spec, dict(os.environ), None,
                    lambda v, t: got.append((v, t)) if v is not None else None, user=user)
    began = time.monotonic()
    prober.start(began)
    try:
        while not got and time.monotonic() - began < limit:
            host.loop.run_once()
    finally:
        prober.stop()
        host.loop.close()
    assert got, "no verdict"
    return got[0][0], got[0][1], time.monotonic() - began


def spec(method: str, target: str, **kw: float) -> ProbeSpec:
    return ProbeSpec("readiness", method, target, **{  # type: ignore[arg-type]
        "period": 0.2, "timeout": 2, "success_threshold": 1, "failure_threshold": 1, **kw})


def test_command_exit_status_decides() -> None:
    assert verdict_of(spec("exec", "true"))[0] == "passed"
    verdict, tally, _ = verdict_of(spec("exec", "exit 3"))
    assert verdict == "failed" and tally.last_error == "exit status 3"


def test_a_command_that_overruns_its_timeout_fails_and_is_killed(tmp_path: object) -> None:
    verdict, tally, took = verdict_of(spec("exec", "sleep 30", timeout=1))
    assert verdict == "failed" and "no answer within 1 s" in tally.last_error
    assert took < 10


def test_tcp_connect() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert verdict_of(spec("tcp_socket", f"127.0.0.1:{port}"))[0] == "passed"
    verdict, tally, _ = verdict_of(spec("tcp_socket", f"127.0.0.1:{port}"))
    assert verdict == "failed" and "refused" in tally.last_error.lower()


@pytest.fixture
def http_server() -> Iterator[tuple[int, list[int]]]:
    codes = [503, 200, 500]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(codes[0] if self.path == "/first" else codes[1]
                               if self.path == "/ok" else codes[2])
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], codes
    server.shutdown()
    server.server_close()


def test_http_status_decides(http_server: tuple[int, list[int]]) -> None:
    port, _ = http_server
    assert verdict_of(spec("http_get", f"http://127.0.0.1:{port}/ok"))[0] == "passed"
    verdict, tally, _ = verdict_of(spec("http_get", f"http://127.0.0.1:{port}/bad"))
    assert verdict == "failed" and tally.last_error == "HTTP 500"


def test_thresholds_need_consecutive_results(http_server: tuple[int, list[int]]) -> None:
    port, _ = http_server
    verdict, _, took = verdict_of(spec("http_get", f"http://127.0.0.1:{port}/ok",
                                       success_threshold=3, period=0.3))
    assert verdict == "passed" and took >= 0.6  # three probes, a period apart


def test_a_command_starts_with_sigpipe_at_its_default() -> None:
    # A signal ignored when sh starts cannot be trapped: the trap runs only if it is not.
    assert verdict_of(spec("exec", "trap 'exit 0' PIPE; kill -PIPE $$; exit 1"))[0] == "passed"
