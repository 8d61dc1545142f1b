"""Readiness and liveness rows, driven by a fake clock: no processes, no sleeping."""

from __future__ import annotations

import contextlib
import itertools
import signal

from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_tools.runtime import readystates as rs
from supervisor_tools.runtime import states
from supervisor_tools.runtime.readystates import (
    NotReady,
    Ping,
    Ready,
    ReadyPolicy,
    ReadyRecord,
    Stopping,
    Unhealthy,
    step,
)
from supervisor_tools.runtime.states import (
    Deadline,
    Exited,
    GiveUp,
    InvalidTransition,
    Kill,
    Log,
    SignalFailed,
    Spawn,
    Spawned,
    SpawnFailed,
    Start,
    State,
    Stop,
)

S = State
NOTIFY = ReadyPolicy("db", startsecs=1, startretries=2, readiness="READY=1 (sd_notify)",
                     readytimeoutsecs=30, watchdogsecs=5)


def spawned(p: ReadyPolicy, at: float = 0.0) -> ReadyRecord:
    rec = step(p, ReadyRecord(), Start(at)).record
    return step(p, rec, Spawned(42, at)).record  # type: ignore[return-value]


def messages(result: states.Result) -> list[str]:
    return [a.message for a in result.actions if isinstance(a, Log)]


def test_a_ready_program_stays_starting_past_startsecs_until_ready() -> None:
    rec = spawned(NOTIFY)
    assert rec.state is S.STARTING and rec.deadline == 30.0  # readytimeoutsecs, not startsecs
    res = step(NOTIFY, rec, Ready("READY=1 (sd_notify)", 2.0))
    assert res.record.state is S.RUNNING and res.entered == (S.RUNNING,)
    assert res.record.deadline == 7.0  # the watchdog: 5 s from now
    assert "process is ready (READY=1 (sd_notify))" in messages(res)[0]


def test_without_readiness_the_rows_behave_as_the_base_table() -> None:
    plain = ReadyPolicy("web", startsecs=1)
    base = states.Policy("web", startsecs=1)
    for event in (Deadline(1.0), Exited(1, "exit status 1", 0.5), Stop(0.5)):
        mine = step(plain, spawned(plain), event)
        theirs = states.step(base, states.step(base, states.step(
            base, states.Record(), Start(0.0)).record, Spawned(42, 0.0)).record, event)
        assert mine.record.state is theirs.record.state
        assert mine.entered == theirs.entered
        assert mine.actions == theirs.actions


def test_readiness_timeout_stops_the_process_and_its_exit_is_a_failed_start() -> None:
    rec = spawned(NOTIFY)
    res = step(NOTIFY, rec, Deadline(30.0))
    assert res.record.state is S.STARTING and not res.entered
    assert Kill(signal.SIGTERM, False) in res.actions
    assert "not ready: db was not ready within 30 seconds" in messages(res)[0]
    assert res.record.deadline == 40.0  # stopwaitsecs, then SIGKILL
    killed = step(NOTIFY, res.record, Deadline(40.0))
    assert Kill(signal.SIGKILL, False) in killed.actions
    out = step(NOTIFY, killed.record, Exited(-1, "terminated by SIGKILL", 41.0))
    assert out.record.state is S.BACKOFF and out.entered == (S.BACKOFF,)
    assert "not ready within 30 seconds" in out.record.spawnerr
    assert out.record.ending == ""  # type: ignore[attr-defined]


def test_failed_starts_end_in_fatal_after_startretries() -> None:
    p, now, rec = NOTIFY, 0.0, ReadyRecord()
    seen = []
    for _ in range(3):
        rec = step(p, rec, Start(now)).record  # type: ignore[assignment]
        rec = step(p, rec, Spawned(7, now)).record  # type: ignore[assignment]
        rec = step(p, rec, NotReady("readiness probe failed 3/3", now + 1)).record  # type: ignore[assignment]
        res = step(p, rec, Exited(-1, "terminated by SIGTERM", now + 2))
        rec = res.record  # type: ignore[assignment]
        seen.append(rec.state)
        now = rec.deadline or now + 10
    assert seen == [S.BACKOFF, S.BACKOFF, S.FATAL]


def test_an_exit_before_ready_is_a_failed_start_even_after_startsecs() -> None:
    res = step(NOTIFY, spawned(NOTIFY), Exited(0, "exit status 0", 20.0))
    assert res.record.state is S.BACKOFF and res.record.spawnerr == rs.NOT_READY


def test_watchdog_pings_keep_it_running_and_silence_restarts_it() -> None:
    rec = step(NOTIFY, spawned(NOTIFY), Ready("READY=1", 1.0)).record
    rec = step(NOTIFY, rec, Ping(4.0)).record
    assert rec.deadline == 9.0
    res = step(NOTIFY, rec, Deadline(9.0))
    assert res.record.state is S.STOPPING and res.entered == (S.STOPPING,)
    assert "unhealthy: db sent no WATCHDOG=1 for 5 seconds (watchdogsecs); restarting it" \
        in messages(res)
    back = step(NOTIFY, res.record, Exited(-1, "terminated by SIGTERM", 9.5))
    assert back.entered == (S.STOPPED, S.STARTING)
    assert any(isinstance(a, Spawn) for a in back.actions)
    assert back.record.ending == ""  # type: ignore[attr-defined]


def test_liveness_failure_restarts_unless_supervisor_is_stopping() -> None:
    live = ReadyPolicy("web", startsecs=0)
    rec = spawned(live)
    assert rec.state is S.RUNNING
    res = step(live, rec, Unhealthy("liveness probe failed 3/3: HTTP 500", 50.0))
    assert res.record.state is S.STOPPING
    done = step(live, res.record, Exited(-1, "terminated by SIGTERM", 51.0, may_restart=False))
    assert done.record.state is S.STOPPED and done.entered == (S.STOPPED,)


def test_a_stop_request_cancels_the_restart() -> None:
    live = ReadyPolicy("web", startsecs=0)
    rec = step(live, spawned(live), Unhealthy("x", 1.0)).record
    # supervisorctl stop is refused in STOPPING; a stop while STARTING ends a failing start
    failing = step(NOTIFY, spawned(NOTIFY), NotReady("x", 1.0)).record
    stopped = step(NOTIFY, failing, Stop(2.0)).record
    assert stopped.state is S.STOPPING and stopped.ending == ""  # type: ignore[attr-defined]
    after = step(NOTIFY, stopped, Exited(0, "exit status 0", 3.0))
    assert after.record.state is S.STOPPED
    assert rec.state is S.STOPPING


def test_stopping_notification_is_a_stop_not_a_crash() -> None:
    rec = step(NOTIFY, spawned(NOTIFY), Ready("READY=1", 1.0)).record
    res = step(NOTIFY, rec, Stopping(3.0))
    assert res.record.state is S.STOPPING and not any(isinstance(a, Kill) for a in res.actions)
    out = step(NOTIFY, res.record, Exited(1, "exit status 1", 4.0))
    assert out.record.state is S.STOPPED and out.entered == (S.STOPPED,)


def test_ready_twice_and_pings_while_starting_change_nothing() -> None:
    rec = spawned(NOTIFY)
    assert step(NOTIFY, rec, Ping(1.0)).record == rec
    running = step(NOTIFY, rec, Ready("READY=1", 1.0)).record
    assert step(NOTIFY, running, Ready("READY=1", 2.0)).record == running


# -- every row enters only what it declares, and reaches all of it ---------------------------

times = st.floats(min_value=0, max_value=100, allow_nan=False)
policies = st.builds(
    ReadyPolicy, name=st.just("p"), startsecs=st.integers(0, 5), startretries=st.integers(0, 4),
    autorestart=st.sampled_from([True, False, "unexpected"]), stopwaitsecs=st.integers(0, 10),
    readiness=st.sampled_from(["", "READY=1"]), readytimeoutsecs=st.integers(0, 60),
    watchdogsecs=st.integers(0, 5))
EVENTS: dict[type, st.SearchStrategy[rs.Event]] = {
    Start: st.builds(Start, times),
    Spawned: st.builds(Spawned, st.integers(1, 99999), times),
    SpawnFailed: st.builds(SpawnFailed, st.just("no such file"), times),
    Exited: st.builds(Exited, st.integers(-1, 3), st.just("exit"), times, st.booleans()),
    Deadline: st.builds(Deadline, times, st.booleans()),
    Stop: st.builds(Stop, times),
    GiveUp: st.builds(GiveUp, times),
    SignalFailed: st.builds(SignalFailed, st.just("EPERM"), times),
    Ready: st.builds(Ready, st.just("READY=1"), times),
    NotReady: st.builds(NotReady, st.just("probe failed"), times),
    Ping: st.builds(Ping, times),
    Unhealthy: st.builds(Unhealthy, st.just("probe failed"), times),
    Stopping: st.builds(Stopping, times),
}


@settings(max_examples=1500, deadline=None)
@given(st.data())
def test_rows_enter_only_the_declared_states(data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(rs.ROWS, key=lambda k: (k[0], k[1].__name__))))
    record = ReadyRecord(state=key[0], pid=3, backoff=data.draw(st.integers(0, 5)),
                         laststart=data.draw(times), deadline=data.draw(st.none() | times),
                         ending=data.draw(st.sampled_from(["", "unhealthy"])))
    result = step(data.draw(policies), record, data.draw(EVENTS[key[1]]))
    assert set(result.entered) <= rs.TABLE[key].enters, (key, result.entered)
    if result.record.state is not record.state:
        assert result.entered and result.entered[-1] is result.record.state


def test_declared_states_are_all_reached() -> None:
    grid_policies = [ReadyPolicy("p", startsecs=ss, startretries=sr, autorestart=ar,
                                 readiness=how, watchdogsecs=5)
                     for ss, sr, ar, how in itertools.product(
                         (0, 2), (0, 3), (True, False, "unexpected"), ("", "READY=1"))]
    grid_now = (0.0, 10.0, 60.0)
    grid_events: dict[type, list[rs.Event]] = {
        Spawned: [Spawned(7, t) for t in grid_now],
        Exited: [Exited(c, "x", t, m) for c, t, m in itertools.product((0, 1), grid_now,
                                                                        (True, False))],
        Deadline: [Deadline(t, m) for t, m in itertools.product(grid_now, (True, False))],
        Stop: [Stop(t) for t in grid_now],
        Ready: [Ready("x", t) for t in grid_now], NotReady: [NotReady("x", t) for t in grid_now],
        Ping: [Ping(t) for t in grid_now], Unhealthy: [Unhealthy("x", t) for t in grid_now],
        Stopping: [Stopping(t) for t in grid_now],
    }
    for key, transition in rs.ROWS.items():
        seen: set[State] = set()
        for policy, backoff, deadline, ending, event in itertools.product(
                grid_policies, (0, 5), (None, 10.0), ("", "x"), grid_events[key[1]]):
            record = ReadyRecord(state=key[0], pid=3, backoff=backoff, deadline=deadline,
                                 ending=ending)
            with contextlib.suppress(InvalidTransition):
                seen |= set(step(policy, record, event).entered)
        assert frozenset(seen) == transition.enters, key


def test_states_page_lists_every_readiness_row() -> None:
    from supervisor_tools.runtime import statedoc

    page = statedoc.page()
    for (state, event), transition in rs.ROWS.items():
        assert f"| {state.name} | {event.__name__} | `{transition.handler.__name__}` |" in page
