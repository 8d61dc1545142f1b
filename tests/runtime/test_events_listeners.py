"""The listener protocol, pool buffers and the event hub, driven by hand (no children)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from supervisor.dispatchers import RejectEvent as SdRejectEvent

from supervisor_tools.errors import Span
from supervisor_tools.model.model import GroupConfig, Model, ProcessConfig, SupervisordConfig
from supervisor_tools.runtime import events as ev
from supervisor_tools.runtime.listeners import Listener, ListenerState, Pool, load_handler
from supervisor_tools.runtime.process import Process
from supervisor_tools.runtime.states import Exited, Record, Result, Start, State
from supervisor_tools.runtime.supervisor import Group, Supervisor

SPAN = Span.point("test.conf")


def accept_yes(event: object, response: bytes) -> None:
    """A result handler as written for supervisord: it raises supervisor's RejectEvent."""
    if response != b"yes":
        raise SdRejectEvent(response)


def broken_handler(event: object, response: bytes) -> None:
    raise RuntimeError("bug in handler")


def pconf(name: str, group: str, kind: Any = "program", **kw: Any) -> ProcessConfig:
    return ProcessConfig(name=name, program=group, group=group, kind=kind, process_num=0,
                         source=SPAN, command="/bin/cat", autostart=False, **kw)


def pool_conf(name: str, events: tuple[str, ...], numprocs: int = 1, buffer_size: int = 10,
              handler: str | None = None) -> GroupConfig:
    procs = tuple(pconf(f"{name}_{i}", name, "eventlistener") for i in range(numprocs))
    return GroupConfig(name=name, kind="eventlistener", priority=-1, processes=procs,
                       source=SPAN, events=events, buffer_size=buffer_size,
                       result_handler=handler or "supervisor.dispatchers:default_handler")


class Rig:
    """A supervisor whose listener processes are marked RUNNING with a pipe as stdin."""

    def __init__(self, tmp: Path, *groups: GroupConfig) -> None:
        sd = SupervisordConfig(source=SPAN, logfile=str(tmp / "main.log"), childlogdir=str(tmp),
                               loglevel="debug")
        model = Model(main_file="test.conf", files=("test.conf",), supervisord=sd,
                      groups=groups)
        self.sup = Supervisor(model, lambda: model)
        for g in groups:
            self.sup.groups[g.name] = Group(self.sup, g)
        self.pipes: dict[str, int] = {}

    def pool(self, name: str) -> Pool:
        return self.sup.events.pools[name]

    def listener(self, pool: str, i: int = 0) -> Listener:
        return self.pool(pool).listeners[i]

    def run(self, pool: str, i: int = 0) -> Listener:
        lis = self.listener(pool, i)
        r, w = os.pipe()
        os.set_blocking(w, False)
        lis.proc.stdin_fd = w
        lis.proc.record = dataclasses.replace(lis.proc.record, state=State.RUNNING, pid=99)
        self.pipes[lis.name] = r
        lis.spawned()
        return lis

    def read(self, lis: Listener) -> bytes:
        r = self.pipes[lis.name]
        os.set_blocking(r, False)
        try:
            return os.read(r, 1 << 20)
        except BlockingIOError:
            return b""

    def log(self) -> str:
        self.sup.log.flush()
        return Path(self.sup.log.path or "").read_text()

    def close(self) -> None:
        for r in self.pipes.values():
            os.close(r)
        for g in self.sup.groups.values():
            for p in g.processes.values():
                if p.stdin_fd >= 0:
                    os.close(p.stdin_fd)
        self.sup.log.close()
        self.sup.loop.close()


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Any]:
    made: list[Rig] = []

    def make(*groups: GroupConfig) -> Rig:
        made.append(Rig(tmp_path, *groups))
        return made[-1]

    yield make
    for r in made:
        r.close()


def state_of(lis: Listener) -> ListenerState:
    """The state as a plain value, so mypy does not narrow it across feed() calls."""
    return lis.state


def headers(data: bytes) -> tuple[dict[str, str], str]:
    line, _, rest = data.decode().partition("\n")
    hdr = dict(x.split(":", 1) for x in line.split())
    return hdr, rest[:int(hdr["len"])]


def test_ready_event_result_cycle(rig: Any) -> None:
    r = rig(pool_conf("lis", ("REMOTE_COMMUNICATION",)))
    lis = r.run("lis")
    assert state_of(lis) is ListenerState.ACKNOWLEDGED
    r.sup.events.remote("note", "hello")
    r.sup.events.flush()
    assert r.read(lis) == b""  # not READY yet: the event waits in the buffer
    assert len(r.pool("lis").buffer) == 1
    lis.feed(b"REA")
    assert state_of(lis) is ListenerState.ACKNOWLEDGED
    lis.feed(b"DY\n")
    assert state_of(lis) is ListenerState.READY
    r.sup.events.flush()
    hdr, payload = headers(r.read(lis))
    assert hdr == {"ver": "3.0", "server": "supervisor", "serial": "0", "pool": "lis",
                   "poolserial": "0", "eventname": "REMOTE_COMMUNICATION", "len": "15"}
    assert payload == "type:note\nhello"
    assert state_of(lis) is ListenerState.BUSY
    for byte in b"RESULT 2\nOK":
        lis.feed(bytes([byte]))
    assert state_of(lis) is ListenerState.ACKNOWLEDGED
    assert r.pool("lis").buffer == []
    assert "lis_0: event was processed" in r.log()


def test_rejected_event_is_sent_again_with_its_serials(rig: Any) -> None:
    r = rig(pool_conf("lis", ("REMOTE_COMMUNICATION",)))
    lis = r.run("lis")
    r.sup.events.remote("a", "1")
    r.sup.events.remote("b", "2")
    lis.feed(b"READY\n")
    r.sup.events.flush()
    first, _ = headers(r.read(lis))
    lis.feed(b"RESULT 4\nFAIL")
    assert state_of(lis) is ListenerState.ACKNOWLEDGED
    assert "lis_0: event was rejected" in r.log()
    lis.feed(b"READY\n")
    r.sup.events.flush()
    again, payload = headers(r.read(lis))
    assert (again["serial"], again["poolserial"]) == (first["serial"], first["poolserial"])
    assert payload == "type:a\n1"


def test_importable_result_handler_raising_supervisors_reject(rig: Any) -> None:
    spec = f"{__name__}:accept_yes"
    assert load_handler(spec) is accept_yes
    r = rig(pool_conf("lis", ("REMOTE_COMMUNICATION",), handler=spec))
    lis = r.run("lis")
    r.sup.events.remote("a", "1")
    lis.feed(b"READY\n")
    r.sup.events.flush()
    r.read(lis)
    lis.feed(b"RESULT 2\nOK")  # not what this handler wants
    assert len(r.pool("lis").buffer) == 1
    lis.feed(b"READY\n")
    r.sup.events.flush()
    r.read(lis)
    lis.feed(b"RESULT 3\nyes")
    assert r.pool("lis").buffer == [] and lis.state is ListenerState.ACKNOWLEDGED


def test_handler_error_puts_listener_in_unknown(rig: Any) -> None:
    r = rig(pool_conf("lis", ("REMOTE_COMMUNICATION",), handler=f"{__name__}:broken_handler"))
    lis = r.run("lis")
    r.sup.events.remote("a", "1")
    lis.feed(b"READY\n")
    r.sup.events.flush()
    lis.feed(b"RESULT 2\nOK")
    assert state_of(lis) is ListenerState.UNKNOWN
    assert len(r.pool("lis").buffer) == 1
    log = r.log()
    assert "lis_0: event caused an error" in log
    assert "lis_0: has entered the UNKNOWN state and will no longer receive events" in log


@pytest.mark.parametrize("garbage,state", [
    (b"HELLO!\n", ListenerState.UNKNOWN),  # not READY while ACKNOWLEDGED
])
def test_protocol_violations(rig: Any, garbage: bytes, state: ListenerState) -> None:
    r = rig(pool_conf("lis", ("EVENT",)))
    lis = r.run("lis")
    lis.feed(garbage)
    assert state_of(lis) is state


def test_output_while_ready_and_bad_result_line(rig: Any) -> None:
    r = rig(pool_conf("lis", ("REMOTE_COMMUNICATION",)))
    lis = r.run("lis")
    lis.feed(b"READY\nREADY\n")  # spurious output while READY
    assert state_of(lis) is ListenerState.UNKNOWN
    lis.spawned()
    r.sup.events.remote("a", "1")
    lis.feed(b"READY\n")
    r.sup.events.flush()
    lis.feed(b"RESULT two\nOK")
    assert state_of(lis) is ListenerState.UNKNOWN
    assert "lis_0: bad result line: 'RESULT two'" in r.log()
    assert len(r.pool("lis").buffer) == 1  # the event was kept


def test_overflow_drops_the_oldest_and_logs_it(rig: Any) -> None:
    r = rig(pool_conf("lis", ("REMOTE_COMMUNICATION",), buffer_size=3))
    for i in range(5):
        r.sup.events.remote("n", str(i))
    pool = r.pool("lis")
    assert [e.payload for e in pool.buffer] == ["type:n\n2", "type:n\n3", "type:n\n4"]
    log = r.log()
    assert "ERRO pool lis event buffer overflowed, discarding event 0" in log
    assert "ERRO pool lis event buffer overflowed, discarding event 1" in log


def test_serials_global_and_per_pool(rig: Any) -> None:
    r = rig(pool_conf("a", ("REMOTE_COMMUNICATION",)), pool_conf("b", ("TICK_5",)))
    r.sup.events.notify(ev.tick("TICK_5", 5))
    r.sup.events.remote("x", "y")
    r.sup.events.notify(ev.tick("TICK_5", 10))
    assert [(e.serial, e.pool_serials["a"]) for e in r.pool("a").buffer] == [(1, 0)]
    assert [(e.serial, e.pool_serials["b"]) for e in r.pool("b").buffer] == [(0, 0), (2, 1)]


def test_events_go_to_one_ready_listener_of_each_pool(rig: Any) -> None:
    r = rig(pool_conf("lis", ("PROCESS_GROUP",), numprocs=2))
    a, b = r.run("lis", 0), r.run("lis", 1)
    b.feed(b"READY\n")
    r.sup.events.group_added("one")
    r.sup.events.group_added("two")
    r.sup.events.flush()
    assert headers(r.read(b))[1] == "groupname:one\n"
    assert r.read(a) == b""
    a.feed(b"READY\n")
    r.sup.events.flush()
    assert headers(r.read(a))[1] == "groupname:two\n"


def test_listener_death_rebuffers_its_event(rig: Any) -> None:
    r = rig(pool_conf("lis", ("REMOTE_COMMUNICATION",)))
    lis = r.run("lis")
    r.sup.events.remote("a", "1")
    lis.feed(b"READY\n")
    r.sup.events.flush()
    assert r.pool("lis").buffer == []
    lis.exiting()
    assert [e.payload for e in r.pool("lis").buffer] == ["type:a\n1"]


def test_listener_stdin_that_is_full_never_blocks(rig: Any) -> None:
    r = rig(pool_conf("lis", ("REMOTE_COMMUNICATION",)))
    lis = r.run("lis")
    lis.feed(b"READY\n")
    r.sup.events.remote("big", "x" * (1 << 20))
    r.sup.events.flush()  # far more than a pipe holds: the rest waits for EVENT_WRITE
    assert state_of(lis) is ListenerState.BUSY and lis.outbuf
    got = b""
    while lis.outbuf or got == b"":
        got += r.read(lis)
        lis._on_writable()
    got += r.read(lis)
    assert headers(got)[1] == "type:big\n" + "x" * (1 << 20)


def test_ticks_are_scheduled_only_while_subscribed(rig: Any) -> None:
    r = rig(pool_conf("prog", ("PROCESS_STATE",)))
    hub = r.sup.events
    assert hub.ticks == {}
    assert r.sup.loop._timeout() is None  # nothing would wake an idle supervisor
    r.sup.groups["t"] = Group(r.sup, pool_conf("t", ("TICK",)))
    assert set(hub.ticks) == {"TICK_5", "TICK_60", "TICK_3600"}
    timer = hub.ticks["TICK_5"]
    assert r.sup.loop._timeout() is not None
    hub.group_removed("t")
    assert hub.ticks == {} and timer.cancelled


def test_state_events_carry_supervisords_fields(rig: Any) -> None:
    r = rig(pool_conf("lis", ("PROCESS_STATE",)),
            GroupConfig(name="web", kind="program", priority=999,
                        processes=(pconf("web", "web", startretries=1),), source=SPAN))
    web: Process = r.sup.groups["web"].processes["web"]
    hooks = web.hooks
    assert hooks is not None
    before = Record(state=State.STARTING, pid=0, backoff=1)
    after = Record(state=State.FATAL, backoff=0)
    hooks.transitioned(before, Start(0.0), Result(after, (), (State.BACKOFF, State.FATAL)))
    before = Record(state=State.RUNNING, pid=321)
    after = Record(state=State.STARTING, backoff=0, exitstatus=None)
    hooks.transitioned(before, Exited(1, "exit status 1", 5.0),
                       Result(after, (), (State.EXITED, State.STARTING)))
    assert [(e.name, e.payload) for e in r.pool("lis").buffer] == [
        ("PROCESS_STATE_BACKOFF", "processname:web groupname:web from_state:STARTING tries:2"),
        ("PROCESS_STATE_FATAL", "processname:web groupname:web from_state:BACKOFF"),
        ("PROCESS_STATE_EXITED",
         "processname:web groupname:web from_state:RUNNING expected:0 pid:321"),
        ("PROCESS_STATE_STARTING", "processname:web groupname:web from_state:EXITED tries:0"),
    ]
