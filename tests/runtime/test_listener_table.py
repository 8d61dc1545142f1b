"""The event-listener protocol table, driven without processes or pipes."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_tools.runtime import listenerstates as ls
from supervisor_tools.runtime.listenerstates import TABLE, ListenerState

L = ListenerState


class Driver:
    """Feeds a listener's output through the table as `Listener.feed` does, answering each
    Judge with the next verdict and recording every step."""

    def __init__(self, verdicts: list[str], eager: bool = False) -> None:
        # eager: an event is sent the moment the listener is READY, inside one feed
        self.eager = eager
        self.record = ls.Record()
        self.verdicts = verdicts
        self.steps: list[tuple[ls.Record, ls.Event, ls.Result]] = []
        self.actions: list[ls.Action] = []

    def step(self, event: ls.Event) -> None:
        result = ls.step(self.record, event)
        self.steps.append((self.record, event, result))
        self.record = result.record
        for action in result.actions:
            self.actions.append(action)
            if isinstance(action, ls.Judge):
                self.step(ls.Judged(self.verdicts.pop(0) if self.verdicts else "ok"))
        if self.eager and self.record.state is L.READY:
            self.step(ls.Sent())

    def feed(self, data: bytes) -> None:
        self.record = replace(self.record, inbuf=self.record.inbuf + data)
        while self.record.inbuf:
            before = self.record
            self.step(ls.Output())
            if self.record == before:
                return

    def send(self) -> None:
        if self.record.state is L.READY:
            self.step(ls.Sent())


def test_a_cycle_ready_busy_acknowledged() -> None:
    d = Driver(["ok"])
    d.feed(b"REA")
    assert d.record.state is L.ACKNOWLEDGED
    d.feed(b"DY\n")
    assert d.record.state is L.READY
    d.send()
    assert d.record.state is L.BUSY
    d.feed(b"RESULT 2\nOK")
    assert d.record.state is L.ACKNOWLEDGED
    assert [a for a in d.actions if isinstance(a, ls.Judge)] == [ls.Judge(b"OK")]


@pytest.mark.parametrize(("verdict", "state", "fate"), [
    ("ok", L.ACKNOWLEDGED, ls.Forget()), ("rejected", L.ACKNOWLEDGED, ls.Requeue()),
    ("error", L.UNKNOWN, ls.Requeue())])
def test_verdicts(verdict: str, state: ListenerState, fate: ls.Action) -> None:
    d = Driver([verdict])
    d.feed(b"READY\n")
    d.send()
    d.feed(b"RESULT 4\nFAIL")
    assert d.record.state is state and d.actions[-1] == fate


@pytest.mark.parametrize("output", [b"HELLO!\n", b"READY\nREADY\n"])
def test_violations_are_unknown_for_good(output: bytes) -> None:
    d = Driver([])
    d.feed(output)
    assert d.record.state is L.UNKNOWN
    d.feed(b"READY\n")
    assert d.record.state is L.UNKNOWN and d.record.inbuf == b""


def test_a_bad_result_line_gives_the_event_back() -> None:
    d = Driver([])
    d.feed(b"READY\n")
    d.send()
    d.feed(b"RESULT two\nOK")
    assert d.record.state is L.UNKNOWN
    assert d.actions[-3:] == [ls.Log("warn", "bad result line: 'RESULT two'"),
                              ls.Enter(L.UNKNOWN), ls.Requeue()]


def test_respawn_starts_over_from_any_state() -> None:
    for state in ListenerState:
        res = ls.step(ls.Record(state, b"xx", 3, b"a"), ls.Respawned())
        assert res.record == ls.Record() and res.entered == (L.ACKNOWLEDGED,)


def test_pairs_outside_the_table_are_refused() -> None:
    events: list[ls.Event] = [ls.Output(), ls.Sent(), ls.Judged("ok"), ls.Respawned()]
    for state, event in itertools.product(ListenerState, events):
        if (state, type(event)) not in TABLE:
            with pytest.raises(ls.InvalidTransition):
                ls.step(ls.Record(state, b"x"), event)


# A session: the listener's whole output, the points it arrives split at, and verdicts.
answers = st.binary(max_size=12).map(lambda b: b"RESULT %d\n" % len(b) + b)
garbage = st.sampled_from([b"READY\n", b"HELLO!\n", b"RESULT x\n", b"\n", b"RESULT 3\nab"])
sessions = st.tuples(
    st.lists(st.one_of(st.just(b"READY\n"), answers, garbage), max_size=8),
    st.lists(st.integers(0, 200), max_size=6),
    st.lists(st.sampled_from(["ok", "rejected", "error"]), max_size=8))


def run(parts: list[bytes], cuts: list[int], verdicts: list[str], eager: bool = False) -> Driver:
    data = b"".join(parts)
    bounds = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    d = Driver(list(verdicts), eager)
    for lo, hi in itertools.pairwise(bounds):
        d.feed(data[lo:hi])
        d.send()  # the pool sends an event whenever the listener is READY
    return d


@settings(max_examples=600, deadline=None)
@given(sessions)
def test_every_step_enters_only_declared_states(
        session: tuple[list[bytes], list[int], list[str]]) -> None:
    parts, cuts, verdicts = session
    d = run(parts, cuts, verdicts, eager=bool(cuts) and cuts[0] % 2 == 0)
    for record, event, result in d.steps:
        declared = TABLE[(record.state, type(event))].enters
        assert set(result.entered) <= declared
        assert result.record.state in declared | {record.state}
        if result.record.state is not record.state:
            assert result.entered[-1] is result.record.state


@settings(max_examples=400, deadline=None)
@given(sessions)
def test_how_output_is_split_does_not_matter(
        session: tuple[list[bytes], list[int], list[str]]) -> None:
    # Output is consumed token by token: however it arrives, the listener ends in the same
    # state and the handler sees the same answers (when events are sent at the same points).
    parts, cuts, verdicts = session
    whole = run(parts, [], verdicts, eager=True)
    split = run(parts, cuts, verdicts, eager=True)
    assert (split.record.state, split.actions) == (whole.record.state, whole.actions)


def test_declared_states_are_all_reached() -> None:
    seen: dict[tuple[ListenerState, type], set[ListenerState]] = {k: set() for k in TABLE}
    outputs = [b"READY\n", b"READ", b"HELLO!\n", b"RESULT 2\nOK", b"RESULT x\n", b"", b"RESU"]
    for state, inbuf, event in itertools.product(
            ListenerState, outputs,
            [ls.Output(), ls.Sent(), ls.Judged("ok"), ls.Judged("error"), ls.Respawned()]):
        if (state, type(event)) in TABLE:
            seen[(state, type(event))] |= set(ls.step(ls.Record(state, inbuf), event).entered)
    assert {k: frozenset(v) for k, v in seen.items()} == {k: t.enters for k, t in TABLE.items()}
