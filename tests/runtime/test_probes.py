"""Probe schedule and verdicts with a fake clock (Kubernetes' field meanings)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from supervisor_tools.errors import Span
from supervisor_tools.model.model import ProcessConfig
from supervisor_tools.runtime.probes import (
    ProbeSpec,
    Tally,
    deadline_of,
    describe_tally,
    first_at,
    judge,
    next_at,
    probe_of,
)

SPEC = ProbeSpec("readiness", "tcp_socket", "127.0.0.1:80", initial_delay=5, period=2,
                 timeout=1, success_threshold=2, failure_threshold=3)


def test_schedule_follows_initial_delay_period_and_timeout() -> None:
    assert first_at(SPEC, 100.0) == 105.0
    assert deadline_of(SPEC, 105.0) == 106.0
    assert next_at(SPEC, 105.0, 105.3) == 107.0  # a period after the last start
    assert next_at(SPEC, 105.0, 108.0) == 108.0  # it overran: at once


def test_thresholds_count_consecutive_results() -> None:
    t, v = judge(SPEC, Tally(), True)
    assert v is None and t.successes == 1
    t, v = judge(SPEC, t, False, "refused")  # a failure clears the successes
    assert v is None and t == Tally(failures=1, last_error="refused")
    assert describe_tally(SPEC, t) == "readiness probe failed 1/3: refused"
    t, v = judge(SPEC, t, True)
    t, v = judge(SPEC, t, True)
    assert v == "passed" and t == Tally()
    for _ in range(2):
        t, v = judge(SPEC, t, False, "refused")
        assert v is None
    t, v = judge(SPEC, t, False, "refused")
    assert v == "failed"


@given(st.lists(st.booleans(), max_size=40))
def test_a_verdict_needs_a_full_run_of_equal_results(results: list[bool]) -> None:
    t, run, last = Tally(), 0, None
    for ok in results:
        run = run + 1 if ok == last else 1
        last = ok
        t, v = judge(SPEC, t, ok, "e")
        need = SPEC.success_threshold if ok else SPEC.failure_threshold
        assert (v is not None) == (run == need)
        if v is not None:
            assert v == ("passed" if ok else "failed")
            run, last = 0, None


def test_probe_of_reads_the_programs_keys() -> None:
    pc = ProcessConfig(name="web", program="web", group="web", kind="program", process_num=0,
                       source=Span.point("x.conf"), command="web",
                       liveness_probe_http_get="http://127.0.0.1:9/h",
                       liveness_probe_period_seconds=7)
    spec = probe_of(pc, "liveness")
    assert spec is not None and spec.method == "http_get" and spec.period == 7
    assert spec.describe() == "liveness probe (HTTP GET http://127.0.0.1:9/h)"
    assert probe_of(pc, "readiness") is None
