"""svtool's restart policy in the transition table, on a fake clock: growing, capped and reset
waits, waits after crashes from RUNNING, and unlimited retries (docs/restart.md)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_tools.model.restart import RestartPolicy, restart_due
from supervisor_tools.runtime.states import (
    Deadline,
    Exited,
    Policy,
    Record,
    Spawned,
    Start,
    State,
    Stop,
    step,
)
from tests.runtime.test_states import Sim, logs


def gaps(times: list[float]) -> list[float]:
    return [round(b - a, 6) for a, b in zip(times, times[1:], strict=False)]


def test_defaults_are_supervisords_linear_waits() -> None:
    assert RestartPolicy().waits(5) == [1, 2, 3, 4, 5]


def test_multiplier_increment_and_cap() -> None:
    r = RestartPolicy(backoffincrement=1, backoffmultiplier=2, maxbackoff=10)
    assert r.waits(6) == [1, 2, 4, 8, 10, 10]
    assert RestartPolicy(backoffincrement=10, maxbackoff=25).waits(4) == [10, 20, 25, 25]


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 100), st.floats(1, 8), st.floats(0, 1000), st.integers(1, 40))
def test_waits_never_shrink_and_never_pass_the_cap(inc: float, mult: float, cap: float,
                                                   n: int) -> None:
    r = RestartPolicy(backoffincrement=inc, backoffmultiplier=mult, maxbackoff=cap)
    waits = r.waits(n)
    assert all(a <= b for a, b in zip(waits, waits[1:], strict=False))
    if cap > 0:
        assert all(w <= cap for w in waits)


def test_failed_starts_wait_by_the_policy() -> None:
    p = Policy("crash", startsecs=1, startretries=4,
               restart=RestartPolicy(backoffincrement=0.5, backoffmultiplier=2, maxbackoff=3))
    sim = Sim(p, [0.1] * 10)
    sim.apply(Start(0.0))
    sim.run(100.0)
    # each failed start lives 0.1 s; then 0.5, 1, 2, 3 (capped)
    assert gaps(sim.spawns) == pytest.approx([0.6, 1.1, 2.1, 3.1])
    assert sim.record.state is State.FATAL


def test_unlimited_retries_never_give_up() -> None:
    p = Policy("crash", startsecs=1, startretries=-1, restart=RestartPolicy(maxbackoff=2))
    sim = Sim(p, [0.1] * 200)
    sim.apply(Start(0.0))
    sim.run(300.0)
    assert sim.record.state is State.BACKOFF and sim.record.backoff > 100
    assert gaps(sim.spawns)[:3] == pytest.approx([1.1, 2.1, 2.1])


def test_other_negative_retries_still_give_up_at_once_as_supervisord() -> None:
    sim = Sim(Policy("crash", startsecs=1, startretries=-2), [0.1] * 5)
    sim.apply(Start(0.0))
    sim.run(30.0)
    assert sim.spawns == [0.0] and sim.record.state is State.FATAL


def test_without_backoffreset_a_crash_after_running_restarts_at_once_forever() -> None:
    # supervisord's behaviour, kept by default: 2 s up, then an immediate restart, for ever
    sim = Sim(Policy("flaky", startsecs=1, autorestart=True), [2.0] * 50)
    sim.apply(Start(0.0))
    sim.run(40.0)
    assert set(gaps(sim.spawns)) == {2.0}


def test_backoffreset_makes_crashes_after_running_wait_and_grow() -> None:
    p = Policy("flaky", startsecs=1, autorestart=True,
               restart=RestartPolicy(backoffmultiplier=2, maxbackoff=8, backoffreset=10))
    sim = Sim(p, [2.0] * 8)
    sim.apply(Start(0.0))
    sim.run(80.0)
    # up 2 s each time, then waits of 1, 2, 4, 8, 8 s
    assert gaps(sim.spawns)[:5] == pytest.approx([3.0, 4.0, 6.0, 10.0, 10.0])


def test_a_stable_run_starts_the_waits_again() -> None:
    p = Policy("flaky", startsecs=1, autorestart=True,
               restart=RestartPolicy(backoffmultiplier=2, backoffreset=10))
    sim = Sim(p, [2.0, 2.0, 2.0, 15.0, 2.0, 2.0, None])
    sim.apply(Start(0.0))
    sim.run(200.0)
    # waits 1, 2, 4; then a 15 s run is stable: the next restart is at once (0), then 1 and 2
    assert gaps(sim.spawns) == pytest.approx([3.0, 4.0, 6.0, 15.0, 3.0, 4.0])


def test_the_wait_after_running_is_logged_and_is_exited_with_a_deadline() -> None:
    p = Policy("w", startsecs=1, autorestart=True, restart=RestartPolicy(backoffreset=30))
    rec = step(p, step(p, Record(), Start(0.0)).record, Spawned(5, 0.0)).record
    rec = step(p, rec, Deadline(1.0)).record
    res = step(p, rec, Exited(1, "exit status 1", 4.0))
    assert res.record.state is State.EXITED and res.record.deadline == 5.0
    assert logs(res)[-1] == "w was up 4 s, less than backoffreset; restarting it in 1 s"
    # a stop request calls the waiting restart off
    assert step(p, res.record, Stop(4.5)).record.state is State.STOPPED


def test_a_start_after_fatal_starts_from_the_first_wait() -> None:
    p = Policy("c", startsecs=1, startretries=1, restart=RestartPolicy(backoffincrement=5))
    sim = Sim(p, [0.1] * 10)
    sim.apply(Start(0.0))
    sim.run(50.0)
    assert sim.record.state is State.FATAL
    sim.now = 100.0
    sim.apply(Start(100.0))
    sim.run(200.0)
    assert gaps(sim.spawns) == pytest.approx([5.1, 94.9, 5.1])


def test_restart_due_keeps_the_restart_interval() -> None:
    assert restart_due(10.0, None, 1.0) == 10.0
    assert restart_due(10.0, 9.5, 1.0) == 10.5
    assert restart_due(12.0, 9.5, 1.0) == 12.0


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([0.1, 0.5, 2.0, 5.0, 30.0]), min_size=1, max_size=25),
       st.floats(0.1, 5), st.floats(1, 4), st.floats(0.5, 20), st.floats(0, 40))
def test_no_wait_passes_the_cap_and_the_process_never_gives_up(
        lives: list[float], inc: float, mult: float, cap: float, reset: float) -> None:
    policy = RestartPolicy(backoffincrement=inc, backoffmultiplier=mult, maxbackoff=cap,
                           backoffreset=reset)
    sim = Sim(Policy("p", startsecs=1, startretries=-1, autorestart=True, restart=policy),
              list(lives))
    exits: list[float] = []
    original = sim.apply

    def apply(event: object) -> None:
        if isinstance(event, Exited):
            exits.append(sim.now)
        original(event)  # type: ignore[arg-type]

    sim.apply = apply  # type: ignore[method-assign]
    sim.apply(Start(0.0))
    sim.run(2000.0)
    assert sim.record.state is not State.FATAL
    # every exit is followed by a spawn within the cap (or the 1 s restart interval)
    for exit_at in exits:
        later = [t for t in sim.spawns if t >= exit_at]
        assert later and later[0] - exit_at <= max(cap, 1.0) + 1e-9
