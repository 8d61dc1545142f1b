"""The transition table, driven by a fake clock: no processes, no sleeping."""

from __future__ import annotations

import itertools
import signal
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_tools.runtime import states
from supervisor_tools.runtime.states import (
    Deadline,
    Exited,
    GiveUp,
    InvalidTransition,
    Kill,
    Log,
    Policy,
    Record,
    SignalFailed,
    Spawn,
    Spawned,
    SpawnFailed,
    Start,
    State,
    Stop,
    step,
)

S = State


def logs(result: states.Result) -> list[str]:
    return [a.message for a in result.actions if isinstance(a, Log)]


@dataclass
class Sim:
    """Runs one process through the table with a fake clock; each spawn exits after a script."""

    policy: Policy
    lifetimes: list[float | None]  # seconds each spawned child lives (None = forever)
    exit_status: int = 1
    now: float = 0.0
    record: Record = field(default_factory=Record)
    spawns: list[float] = field(default_factory=list)
    pid: int = 100
    exit_at: float | None = None

    def apply(self, event: states.Event) -> None:
        result = step(self.policy, self.record, event)
        self.record = result.record
        for action in result.actions:
            if isinstance(action, Spawn):
                self.spawns.append(self.now)
                self.pid += 1
                life = self.lifetimes.pop(0) if self.lifetimes else None
                self.exit_at = None if life is None else self.now + life
                self.apply(Spawned(self.pid, self.now))

    def run(self, until: float) -> None:
        """Advance the clock event by event (exits and deadlines) up to `until`."""
        while True:
            candidates = [t for t in (self.exit_at, self.record.deadline) if t is not None]
            if not candidates or min(candidates) > until:
                self.now = until
                return
            self.now = min(candidates)
            if self.exit_at is not None and self.exit_at <= self.now:
                self.exit_at = None
                self.apply(Exited(self.exit_status, f"exit status {self.exit_status}", self.now))
            elif self.record.deadline is not None and self.record.deadline <= self.now:
                self.apply(Deadline(self.now))


def test_start_spawns_and_enters_starting() -> None:
    res = step(Policy("web"), Record(), Start(5.0))
    assert res.record.state is S.STARTING and res.record.laststart == 5.0
    assert res.actions == (Spawn(),)


def test_spawned_waits_startsecs_then_running() -> None:
    p = Policy("web", startsecs=3)
    rec = step(p, Record(), Start(10.0)).record
    res = step(p, rec, Spawned(42, 10.1))
    assert res.record.pid == 42 and res.record.deadline == 13.0
    assert logs(res) == ["spawned: 'web' with pid 42"]
    res = step(p, res.record, Deadline(13.0))
    assert res.record.state is S.RUNNING and res.record.backoff == 0
    assert logs(res) == ["success: web entered RUNNING state, process has stayed up for > "
                         "than 3 seconds (startsecs)"]


def test_startsecs_zero_is_running_at_once() -> None:
    p = Policy("web", startsecs=0)
    rec = step(p, Record(), Start(0.0)).record
    res = step(p, rec, Spawned(1, 0.0))
    assert res.record.state is S.RUNNING and res.record.deadline is None


@pytest.mark.parametrize(("retries", "expected"), [
    (0, [0.0]),
    (1, [0.0, 1.1]),
    (3, [0.0, 1.1, 3.2, 6.3]),
])
def test_backoff_is_linear_and_gives_up_after_1_plus_retries(retries: int,
                                                             expected: list[float]) -> None:
    sim = Sim(Policy("crash", startsecs=1, startretries=retries), [0.1] * 10)
    sim.apply(Start(0.0))
    sim.run(60.0)
    assert sim.spawns == pytest.approx(expected)
    assert sim.record.state is S.FATAL and sim.record.backoff == 0
    assert sim.record.spawnerr == states.TOO_QUICK


def test_exit_before_startsecs_is_backoff_whatever_code_and_autorestart() -> None:
    for code in (0, 1):
        for auto in (True, False, "unexpected"):
            p = Policy("x", startsecs=5, autorestart=auto, exitcodes=(0,))
            rec = step(p, step(p, Record(), Start(0)).record, Spawned(1, 0)).record
            res = step(p, rec, Exited(code, "exit", 2.0))
            assert res.record.state is S.BACKOFF and res.record.deadline == 3.0
            assert logs(res) == ["exited: x (exit; not expected)"]


def test_exit_after_startsecs_before_deadline_goes_through_running() -> None:
    p = Policy("x", startsecs=1, autorestart=False)
    rec = step(p, step(p, Record(), Start(0)).record, Spawned(1, 0)).record
    res = step(p, rec, Exited(0, "exit status 0", 1.5))
    assert res.entered == (S.RUNNING, S.EXITED)
    assert res.record.state is S.EXITED and res.record.exitstatus == 0


def _running(p: Policy) -> Record:
    rec = step(p, step(p, Record(), Start(0)).record, Spawned(7, 0)).record
    return step(p, rec, Deadline(p.startsecs)).record if rec.state is S.STARTING else rec


@pytest.mark.parametrize(("autorestart", "code", "restarts"), [
    (False, 0, False), (False, 2, False),
    (True, 0, True), (True, 2, True),
    ("unexpected", 0, False), ("unexpected", 2, True), ("unexpected", 3, False),
])
def test_autorestart_after_exit_from_running(autorestart: states.AutoRestart, code: int,
                                             restarts: bool) -> None:
    p = Policy("x", autorestart=autorestart, exitcodes=(0, 3))
    res = step(p, _running(p), Exited(code, f"exit status {code}", 50.0))
    expected = code in (0, 3)
    assert (Spawn() in res.actions) is restarts
    assert res.record.state is (S.STARTING if restarts else S.EXITED)
    assert res.record.exitstatus == (None if restarts else code)
    if not restarts:
        assert res.record.spawnerr == ("" if expected else f"Bad exit code {code}")
    word = "expected" if expected else "not expected"
    assert logs(res)[0] == f"exited: x (exit status {code}; {word})"


def test_no_restart_while_supervisor_stops() -> None:
    p = Policy("x", autorestart=True)
    res = step(p, _running(p), Exited(1, "exit status 1", 9.0, may_restart=False))
    assert res.record.state is S.EXITED and Spawn() not in res.actions


def test_startsecs_zero_crash_loop_restarts_once_per_interval_without_limit() -> None:
    # startsecs=0 never enters BACKOFF, so only the restart interval keeps a program that
    # exits at once from being spawned thousands of times a second.
    assert states.MIN_RESTART_INTERVAL == Policy("x").restart_interval == 1.0
    sim = Sim(Policy("loop", startsecs=0, startretries=1, autorestart="unexpected"),
              [0.01] * 30)
    sim.apply(Start(0.0))
    sim.run(10.5)
    # the start, the first restart at once, then one restart a second
    assert sim.spawns == [0.0, 0.01] + [float(i) + 0.01 for i in range(1, 11)]
    assert sim.record.state in (S.RUNNING, S.EXITED)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 3.0), min_size=1, max_size=40),
       st.sampled_from([0, 1, 2]), st.floats(0.5, 2.0))
def test_autorestarts_never_come_closer_than_the_interval(lifetimes: list[float],
                                                          startsecs: int,
                                                          interval: float) -> None:
    """Whatever the children's lifetimes, two automatic restarts of one process are at least
    the interval apart (BACKOFF delays are longer still), so spawns are bounded by time."""
    sim = Sim(Policy("x", startsecs=startsecs, startretries=100, autorestart=True,
                     restart_interval=interval), list(lifetimes))
    sim.apply(Start(0.0))
    sim.run(30.0)
    restarts = sim.spawns[2:]  # the start and the first restart come at once
    assert all(b - a >= min(interval, 1.0) - 1e-9 for a, b in itertools.pairwise(restarts))
    assert len(sim.spawns) <= 2 + 30.0 / min(interval, 1.0) + 1


def test_a_quick_second_restart_waits_in_exited_for_the_interval() -> None:
    p = Policy("x", startsecs=0, autorestart=True)
    first = step(p, _running(p), Exited(1, "exit status 1", 0.2))
    assert first.record.state is S.STARTING and first.record.lastrestart == 0.2
    rec = step(p, first.record, Spawned(8, 0.2)).record
    res = step(p, rec, Exited(1, "exit status 1", 0.5))
    assert res.record.state is S.EXITED and res.record.deadline == 1.2
    assert Spawn() not in res.actions and res.entered == (S.EXITED,)
    assert logs(res) == ["exited: x (exit status 1; not expected)"]
    res = step(p, res.record, Deadline(1.2))
    assert res.record.state is S.STARTING and res.actions == (Spawn(),)
    assert res.record.lastrestart == 1.2


def test_a_restart_after_a_quiet_interval_is_immediate() -> None:
    # A worker killed twice, the second time well after the first restart, is replaced at once.
    p = Policy("x", startsecs=0, autorestart=True, restart_interval=5.0)
    res = step(p, _running(p), Exited(-1, "terminated by SIGKILL", 0.0))
    assert res.record.state is S.STARTING and Spawn() in res.actions
    rec = step(p, res.record, Spawned(9, 0.0)).record
    res = step(p, rec, Exited(-1, "terminated by SIGKILL", 5.0))
    assert res.record.state is S.STARTING and Spawn() in res.actions
    rec = step(p, res.record, Spawned(10, 5.0)).record
    res = step(p, rec, Exited(-1, "terminated by SIGKILL", 9.0))
    assert res.record.state is S.EXITED and res.record.deadline == 10.0


def test_a_waiting_restart_yields_to_start_stop_and_shutdown() -> None:
    p = Policy("x", startsecs=0, autorestart=True)
    waiting = Record(state=S.EXITED, lastrestart=0.1, deadline=1.1)
    assert states.restart_waits(waiting) and states.stoppable(waiting)
    started = step(p, waiting, Start(0.5))  # a start request does not wait
    assert started.record.state is S.STARTING and started.record.deadline is None
    stopped = step(p, waiting, Stop(0.5))  # a stop request calls the restart off
    assert stopped.record.state is S.STOPPED and stopped.record.deadline is None
    assert stopped.entered == (S.STOPPED,) and not stopped.actions
    res = step(p, waiting, Deadline(1.1, may_restart=False))
    assert res.record.state is S.EXITED and res.record.deadline is None and not res.actions
    done = Record(state=S.EXITED)
    assert not states.restart_waits(done) and not states.stoppable(done)
    with pytest.raises(InvalidTransition):
        step(p, done, Stop(2.0))


def test_stop_signals_then_kills_after_stopwaitsecs_repeatedly() -> None:
    p = Policy("x", stopsignal=signal.SIGINT, stopwaitsecs=2, stopasgroup=True,
               killasgroup=True)
    res = step(p, _running(p), Stop(10.0))
    assert res.record.state is S.STOPPING and res.record.deadline == 12.0
    assert Kill(signal.SIGINT, True) in res.actions
    res = step(p, res.record, Deadline(12.0))
    assert Kill(signal.SIGKILL, True) in res.actions and res.record.deadline == 14.0
    assert logs(res) == ["killing 'x' (7) with SIGKILL"]
    res = step(p, res.record, Deadline(14.0))
    assert Kill(signal.SIGKILL, True) in res.actions
    res = step(p, res.record, Exited(-1, "terminated by SIGKILL", 14.1))
    assert res.record.state is S.STOPPED and res.record.deadline is None
    assert logs(res) == ["stopped: x (terminated by SIGKILL)"]


def test_stop_in_starting_signals_the_child() -> None:
    p = Policy("x", startsecs=10, stopasgroup=False)
    rec = step(p, step(p, Record(), Start(0)).record, Spawned(3, 0)).record
    res = step(p, rec, Stop(1.0))
    assert res.record.state is S.STOPPING and Kill(signal.SIGTERM, False) in res.actions


def test_stop_in_backoff_is_stopped_at_once_and_keeps_the_counter() -> None:
    sim = Sim(Policy("x", startsecs=1, startretries=5), [0.1, 0.1])
    sim.apply(Start(0.0))
    sim.run(1.5)
    assert sim.record.state is S.BACKOFF and sim.record.backoff == 2
    res = step(sim.policy, sim.record, Stop(1.5))
    assert res.record.state is S.STOPPED and res.record.backoff == 2
    assert not [a for a in res.actions if isinstance(a, Kill)]


def test_give_up_in_backoff_is_fatal() -> None:
    rec = Record(state=S.BACKOFF, backoff=1, deadline=5.0)
    res = step(Policy("x"), rec, GiveUp(2.0))
    assert res.record.state is S.FATAL and res.record.deadline is None


def test_spawn_failure_is_backoff_with_the_reason() -> None:
    p = Policy("x", startretries=1)
    rec = step(p, Record(), Start(0)).record
    res = step(p, rec, SpawnFailed("can't find command '/nope'", 0.0))
    assert res.record.state is S.BACKOFF and res.record.spawnerr == "can't find command '/nope'"
    assert logs(res) == ["spawnerr: can't find command '/nope'"]
    rec = step(p, res.record, Deadline(1.0)).record
    res = step(p, rec, SpawnFailed("can't find command '/nope'", 1.0))
    assert res.record.state is S.FATAL
    assert logs(res)[-1] == "gave up: x entered FATAL state, too many start retries too quickly"


def test_signal_failure_is_unknown_and_an_exit_leaves_it() -> None:
    p = Policy("x")
    res = step(p, _running(p), SignalFailed("boom", 3.0))
    assert res.record.state is S.UNKNOWN
    res = step(p, res.record, Exited(0, "exit status 0", 4.0))
    assert res.record.state is S.EXITED


@pytest.mark.parametrize("state", [S.STOPPED, S.EXITED, S.FATAL])
def test_manual_start_from_stopped_states(state: State) -> None:
    res = step(Policy("x"), Record(state=state), Start(1.0))
    assert res.record.state is S.STARTING


EVENTS = [Start(0), Spawned(1, 0), SpawnFailed("x", 0), Exited(0, "", 0), Deadline(0), Stop(0),
          GiveUp(0), SignalFailed("x", 0)]


@pytest.mark.parametrize("state", list(State))
def test_pairs_outside_the_table_are_refused(state: State) -> None:
    for event in EVENTS:
        if states.accepts(state, type(event)):
            continue
        with pytest.raises(InvalidTransition):
            step(Policy("x"), Record(state=state, pid=1), event)


def test_table_lists_every_documented_transition() -> None:
    assert len(states.TABLE) == 22
    assert not states.accepts(S.RUNNING, Start)  # RPC answers ALREADY_STARTED instead
    assert not states.accepts(S.STOPPING, Stop)  # RPC answers NOT_RUNNING instead
