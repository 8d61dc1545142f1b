"""Event types and payloads, checked against supervisor 4.3.0's own event classes."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from supervisor import events as sd_events
from supervisor.process import EventListenerPool

from supervisor_tools.runtime import events as ev
from supervisor_tools.runtime.capture import Capture, prefix_at_end
from supervisor_tools.runtime.states import State


def test_every_type_is_known_to_supervisord_and_back() -> None:
    sd_names = {n for n, v in vars(sd_events.EventTypes).items()
                if isinstance(v, type) and not n.startswith("_")}
    assert set(ev.PARENTS) == sd_names


@pytest.mark.parametrize("sub", sorted(ev.PARENTS))
def test_hierarchy_matches_supervisord(sub: str) -> None:
    for kind in ev.PARENTS:
        expected = issubclass(getattr(sd_events.EventTypes, sub),
                              getattr(sd_events.EventTypes, kind))
        assert ev.covers(frozenset({kind}), sub) is expected, (kind, sub)


def fake_process(name: str, group: str, pid: int, backoff: int = 0) -> Any:
    return SimpleNamespace(config=SimpleNamespace(name=name), pid=pid, backoff=backoff,
                           group=SimpleNamespace(config=SimpleNamespace(name=group)))


STATE_CLASSES = {
    State.STOPPED: sd_events.ProcessStateStoppedEvent,
    State.STARTING: sd_events.ProcessStateStartingEvent,
    State.RUNNING: sd_events.ProcessStateRunningEvent,
    State.BACKOFF: sd_events.ProcessStateBackoffEvent,
    State.STOPPING: sd_events.ProcessStateStoppingEvent,
    State.EXITED: sd_events.ProcessStateExitedEvent,
    State.FATAL: sd_events.ProcessStateFatalEvent,
    State.UNKNOWN: sd_events.ProcessStateUnknownEvent,
}


@pytest.mark.parametrize("to", list(STATE_CLASSES))
@pytest.mark.parametrize("expected", [True, False])
def test_process_state_payloads(to: State, expected: bool) -> None:
    proc = fake_process("web_01", "web", 4242, backoff=2)
    theirs = STATE_CLASSES[to](proc, int(State.RUNNING), expected)
    ours = ev.process_state(to, "web_01", "web", State.RUNNING, tries=2, expected=expected,
                            pid=4242)
    assert ours.payload == theirs.payload()
    assert ours.name == sd_events.getEventNameByType(type(theirs))


@pytest.mark.parametrize("data", [b"hello\n", b"", b"caf\xc3\xa9 ok", b"\xff\xfe bad"])
def test_log_and_communication_payloads(data: bytes) -> None:
    proc = fake_process("web", "grp", 77)
    for channel, cls in (("stdout", sd_events.ProcessLogStdoutEvent),
                         ("stderr", sd_events.ProcessLogStderrEvent)):
        assert ev.process_log(channel, "web", "grp", 77, data).payload == \
            cls(proc, 77, data).payload()
    for channel, ccls in (("stdout", sd_events.ProcessCommunicationStdoutEvent),
                          ("stderr", sd_events.ProcessCommunicationStderrEvent)):
        ours = ev.process_communication(channel, "web", "grp", 77, data)
        assert ours.payload == ccls(proc, 77, data).payload()
        assert ours.name == sd_events.getEventNameByType(ccls)


def test_other_payloads() -> None:
    assert ev.remote_communication("kind", "some data").payload == \
        sd_events.RemoteCommunicationEvent("kind", "some data").payload()
    assert ev.process_group("ADDED", "web").payload == \
        sd_events.ProcessGroupAddedEvent("web").payload()
    assert ev.process_group("REMOVED", "web").name == "PROCESS_GROUP_REMOVED"
    assert ev.tick("TICK_60", 1800).payload == sd_events.Tick60Event(1800, None).payload()
    assert ev.supervisor_state("RUNNING").payload == \
        sd_events.SupervisorRunningEvent().payload()


def test_envelope_matches_supervisord() -> None:
    event = ev.process_log("stdout", "web", "web", 12, "héllo\n".encode())
    event.serial = 7
    event.pool_serials["pool"] = 3
    sd_pool = SimpleNamespace(config=SimpleNamespace(options=SimpleNamespace(
        identifier="supervisor"), name="pool"))
    theirs = EventListenerPool._eventEnvelope(
        sd_pool, sd_events.ProcessLogStdoutEvent, 7, 3, event.payload)
    assert ev.envelope("supervisor", "pool", event) == theirs.encode("utf-8")
    assert theirs.startswith("ver:3.0 server:supervisor serial:7 pool:pool poolserial:3 "
                             "eventname:PROCESS_LOG_STDOUT len:")


def test_ticks_fall_on_slice_boundaries() -> None:
    assert ev.timeslice(5, 1003.7) == 1000
    assert ev.next_tick(5, 1003.7) == 1005
    assert ev.next_tick(3600, 7199.0) == 7200


# -- capture mode ------------------------------------------------------------------------------

B, E = ev.BEGIN_TOKEN, ev.END_TOKEN


def test_capture_splits_messages_out_of_the_log() -> None:
    cap = Capture(100)
    pieces = cap.feed(b"before " + B + b"the message" + E + b" after, and more text than a token\n")
    assert [p for p in pieces if p[0] == "message"] == [("message", b"the message")]
    assert b"".join(d for k, d in pieces if k == "log") == \
        b"before  after, and more text than a token\n"


def test_capture_holds_output_no_longer_than_a_token() -> None:
    # supervisord waits for more output before deciding about so few bytes
    cap = Capture(100)
    assert cap.feed(b"short\n") == []
    assert cap.feed(b"more output, enough to decide\n") == [
        ("log", b"short\nmore output, enough to decide\n")]
    assert cap.feed(b"tail\n") == []
    assert cap.flush() == b"tail\n"


def test_capture_tokens_split_across_reads() -> None:
    cap = Capture(100)
    stream = b"x" * 30 + B + b"msg" + E + b"x" * 30
    pieces = [p for i in range(len(stream)) for p in cap.feed(stream[i:i + 1])]
    assert [d for k, d in pieces if k == "message"] == [b"msg"]
    assert b"".join(d for k, d in pieces if k == "log") + cap.flush() == b"x" * 60


def test_capture_keeps_at_most_maxbytes_as_supervisord_does() -> None:
    cap = Capture(10)
    pieces = []
    for chunk in (b"abcdefghijklmnopqrstuvwxyz" * 2, B + b"a" * 30, b"b" * 25, E + b"z" * 30):
        pieces += cap.feed(chunk)
    # BoundIO: a write that overflows drops as many bytes from the front as it adds, so
    # the buffer is bounded only loosely, exactly as in supervisord.
    assert [d for k, d in pieces if k == "message"] == [b"a" * 5 + b"b" * 25]


def test_prefix_at_end() -> None:
    assert prefix_at_end(b"abc<!--XSUP", B) == 8
    assert prefix_at_end(b"abc", B) == 0
    assert prefix_at_end(b"<", B) == 1


text = st.binary(max_size=40).filter(lambda b: b"<!--" not in b)


@given(st.lists(st.tuples(text, text), max_size=4), text, st.data())
def test_capture_is_independent_of_read_sizes(parts: list[tuple[bytes, bytes]], tail: bytes,
                                              data: st.DataObject) -> None:
    # Output that ends with more than a token's length of plain text decides everything.
    trailer = b"." * 30
    stream = b"".join(plain + B + msg + E for plain, msg in parts) + tail
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    chunks = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]
    cap = Capture(1 << 20)
    pieces = [p for c in [*chunks, trailer] if c for p in cap.feed(c)]
    assert [d for k, d in pieces if k == "message"] == [m for _, m in parts]
    logged = b"".join(d for k, d in pieces if k == "log") + cap.flush()
    assert logged == b"".join(p for p, _ in parts) + tail + trailer
