"""Every handler of the process table enters only the states its row declares."""

from __future__ import annotations

import contextlib
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_tools.runtime import states
from supervisor_tools.runtime.states import (
    TABLE,
    Deadline,
    Exited,
    GiveUp,
    InvalidTransition,
    Policy,
    Record,
    SignalFailed,
    Spawned,
    SpawnFailed,
    Start,
    State,
    Stop,
)

times = st.floats(min_value=0, max_value=100, allow_nan=False)

policies = st.builds(
    Policy, name=st.just("p"), startsecs=st.integers(0, 5), startretries=st.integers(0, 4),
    autorestart=st.sampled_from([True, False, "unexpected"]),
    exitcodes=st.sampled_from([(0,), (0, 2), (1,)]), stopwaitsecs=st.integers(0, 10),
    restart_interval=st.sampled_from([0.0, 1.0]))

EVENT_STRATEGIES: dict[type, st.SearchStrategy[states.Event]] = {
    Start: st.builds(Start, times),
    Spawned: st.builds(Spawned, st.integers(1, 99999), times),
    SpawnFailed: st.builds(SpawnFailed, st.just("no such file"), times),
    Exited: st.builds(Exited, st.integers(-1, 3), st.just("exit"), times, st.booleans()),
    Deadline: st.builds(Deadline, times, st.booleans()),
    Stop: st.builds(Stop, times),
    GiveUp: st.builds(GiveUp, times),
    SignalFailed: st.builds(SignalFailed, st.just("EPERM"), times),
}


@st.composite
def cases(draw: st.DrawFn) -> tuple[tuple[State, type], Policy, Record, states.Event]:
    key = draw(st.sampled_from(sorted(TABLE, key=lambda k: (k[0], k[1].__name__))))
    record = Record(state=key[0], pid=draw(st.integers(0, 5)), backoff=draw(st.integers(0, 5)),
                    laststart=draw(times), laststop=draw(times),
                    deadline=draw(st.none() | times), lastrestart=draw(st.none() | times))
    return key, draw(policies), record, draw(EVENT_STRATEGIES[key[1]])


def test_every_event_type_is_drawn() -> None:
    assert {event for _, event in TABLE} <= set(EVENT_STRATEGIES)


@settings(max_examples=1500, deadline=None)
@given(cases())
def test_handlers_enter_only_the_declared_states(
        case: tuple[tuple[State, type], Policy, Record, states.Event]) -> None:
    key, policy, record, event = case
    declared = TABLE[key].enters
    try:
        result = states.step(policy, record, event)
    except InvalidTransition:
        return  # a row that refuses some records (EXITED accepts Stop only while waiting)
    assert set(result.entered) <= declared, (key, result.entered)
    if result.record.state is not record.state:
        assert result.entered and result.entered[-1] is result.record.state
    else:
        assert result.entered in ((), (record.state,)) or result.entered[-1] is record.state


GRID_POLICIES = [Policy("p", startsecs=ss, startretries=sr, autorestart=ar, restart_interval=ri)
                 for ss, sr, ar, ri in itertools.product(
                     (0, 2), (0, 3), (True, False, "unexpected"), (0.0, 1.0))]
GRID_NOW = (0.0, 10.0, 60.0)
GRID_EVENTS: dict[type, list[states.Event]] = {
    Start: [Start(t) for t in GRID_NOW],
    Spawned: [Spawned(7, t) for t in GRID_NOW],
    SpawnFailed: [SpawnFailed("x", t) for t in GRID_NOW],
    Exited: [Exited(c, "x", t, m) for c, t, m in itertools.product((0, 1), GRID_NOW,
                                                                    (True, False))],
    Deadline: [Deadline(t, m) for t, m in itertools.product(GRID_NOW, (True, False))],
    Stop: [Stop(t) for t in GRID_NOW],
    GiveUp: [GiveUp(t) for t in GRID_NOW],
    SignalFailed: [SignalFailed("x", t) for t in GRID_NOW],
}


def test_declared_states_are_all_reached() -> None:
    # The declarations are no wider than the handlers: over a fixed grid of policies, records
    # and events, each row enters every state it declares.
    for key, transition in TABLE.items():
        seen: set[State] = set()
        for policy, backoff, laststart, deadline, lastrestart, event in itertools.product(
                GRID_POLICIES, (0, 5), (0.0, 50.0), (None, 10.0), (None, 50.0),
                GRID_EVENTS[key[1]]):
            record = Record(state=key[0], pid=3, backoff=backoff, laststart=laststart,
                            deadline=deadline, lastrestart=lastrestart)
            with contextlib.suppress(InvalidTransition):
                seen |= set(states.step(policy, record, event).entered)
        assert frozenset(seen) == transition.enters, key
