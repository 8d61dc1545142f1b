"""Probe host names are looked up off the event loop: a slow resolver stalls nothing."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from supervisor_tools.runtime.loop import Loop
from supervisor_tools.runtime.prober import Prober
from supervisor_tools.runtime.probes import Tally, Verdict
from supervisor_tools.runtime.resolver import Address, Resolver, without_resolver
from tests.runtime.test_prober import Host, spec


class SlowResolver:
    """A name server that takes `delay` seconds to say every name is 127.0.0.1."""

    def __init__(self, delay: float, error: OSError | None = None) -> None:
        self.delay = delay
        self.error = error
        self.asked: list[str] = []
        self.answered = threading.Event()

    def __call__(self, host: str, port: int) -> Address:
        self.asked.append(host)
        time.sleep(self.delay)
        self.answered.set()
        if self.error is not None:
            raise self.error
        return socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, ("127.0.0.1", port)


@pytest.fixture
def listener() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def run_probe(target: str, lookup: Callable[[str, int], Address], timeout: float = 5,
              ticks_wanted: int = 0) -> tuple[Verdict, Tally, float, list[float]]:
    """The first verdict, when it came, and when each of `ticks_wanted` 0.1 s timers fired
    (all measured from the probe's start)."""
    host = Host()
    got: list[tuple[Verdict, Tally, float]] = []
    began = time.monotonic()
    prober = Prober(host, spec("tcp_socket", target, timeout=timeout), dict(os.environ), None,
                    lambda v, t: got.append((v, t, time.monotonic() - began)) if v else None,
                    resolver=Resolver(lookup))
    ticks: list[float] = []

    def tick() -> None:
        ticks.append(time.monotonic() - began)
        if len(ticks) < ticks_wanted:
            host.loop.call_later(0.1, tick)

    if ticks_wanted:
        host.loop.call_later(0.1, tick)
    prober.start(began)
    try:
        while not got and time.monotonic() - began < 30:
            host.loop.run_once()
    finally:
        prober.stop()
        host.loop.close()
    assert got, "no verdict"
    return got[0][0], got[0][1], got[0][2], ticks


def test_the_loop_keeps_serving_while_a_name_is_looked_up(listener: int) -> None:
    slow = SlowResolver(delay=1.5)
    verdict, _, when, ticks = run_probe(f"db.example:{listener}", slow, ticks_wanted=5)
    assert verdict == "passed" and slow.asked == ["db.example"]
    assert when >= 1.4  # it waited for the answer...
    assert len(ticks) == 5 and ticks[-1] < when  # ...while timers fired on the loop


def test_the_probe_timeout_bounds_a_slow_lookup(listener: int) -> None:
    slow = SlowResolver(delay=3)
    verdict, tally, when, _ = run_probe(f"db.example:{listener}", slow, timeout=1)
    assert verdict == "failed" and "no answer within 1 s" in tally.last_error
    assert when < 2.5 and not slow.answered.is_set()


def test_a_failed_lookup_fails_the_probe_with_its_reason(listener: int) -> None:
    bad = SlowResolver(0.1, socket.gaierror(socket.EAI_NONAME, "Name or service not known"))
    verdict, tally, _, _ = run_probe(f"db.example:{listener}", bad)
    assert verdict == "failed"
    assert tally.last_error == "cannot resolve db.example: Name or service not known"


def test_addresses_and_localhost_need_no_resolver(listener: int) -> None:
    def never(host: str, port: int) -> Address:
        raise AssertionError(f"looked up {host}")

    for target in (f"127.0.0.1:{listener}", f"localhost:{listener}"):
        assert run_probe(target, never)[0] == "passed"
    assert without_resolver("localhost", 80) == (
        socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, ("127.0.0.1", 80))
    v6 = without_resolver("::1", 80)
    assert v6 is not None and v6[0] == socket.AF_INET6 and v6[3][:2] == ("::1", 80)
    assert without_resolver("db.example", 80) is None
    assert without_resolver("localhost.example", 80) is None


def run_until_answered(loop: Loop, got: list[object], bound: float) -> None:
    """Run the loop until an answer was handed back, for at most `bound` seconds."""
    began = time.monotonic()
    loop.call_later(bound, lambda: None)  # wakes the loop, were the answer never handed back
    while not got and time.monotonic() - began < bound:
        loop.run_once()


def test_a_late_answer_is_dropped_and_the_worker_serves_the_next() -> None:
    slow = SlowResolver(delay=0.5)
    resolver = Resolver(slow, workers=1)
    loop = Loop()
    got: list[object] = []
    first = resolver.resolve(loop, "a.example", 1, got.append)
    first.cancel()
    resolver.resolve(loop, "b.example", 2, got.append)
    try:
        run_until_answered(loop, got, 20)
        # a.example's answer, had it been looked up, would have come before b.example's
        loop.call_later(0.3, lambda: None)
        loop.run_once()
    finally:
        loop.close()
    assert got == [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, ("127.0.0.1", 2))]
    assert slow.asked[-1] == "b.example"


def test_a_name_the_resolver_cannot_even_encode_fails_the_probe() -> None:
    # IDNA refuses a label over 63 characters before any DNS is asked
    name = "a" * 70 + ".example"
    verdict, tally, _, _ = run_probe(f"{name}:80", Resolver().lookup)
    assert verdict == "failed" and tally.last_error.startswith(
        f"cannot resolve {name}: not a host name: ")


def test_a_name_is_not_queued_behind_a_lookup_that_hangs() -> None:
    """A worker busy with its first lookup is not idle: a second name gets a worker of its
    own while one is free."""
    release = threading.Event()

    def lookup(host: str, port: int) -> Address:
        if host == "dead.example":
            release.wait(20)  # a name server that does not answer
        return socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, ("127.0.0.1", port)

    resolver = Resolver(lookup, workers=2)
    loop = Loop()
    got: list[object] = []
    resolver.resolve(loop, "dead.example", 1, got.append)
    time.sleep(0.2)  # its worker is inside the lookup
    resolver.resolve(loop, "live.example", 2, got.append)
    try:
        run_until_answered(loop, got, 10)
    finally:
        release.set()
        loop.close()
    assert got == [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, ("127.0.0.1", 2))]
