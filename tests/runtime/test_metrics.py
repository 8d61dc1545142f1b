"""The metrics registry on the pure state machine (a fake clock), the text it renders parsed
by prometheus_client, and docs/metrics.md generated from the definitions."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from supervisor_tools.errors import Span
from supervisor_tools.model.model import GroupConfig, Model, ProcessConfig, SupervisordConfig
from supervisor_tools.runtime import metricdefs, metricsdoc, readystates, states
from supervisor_tools.runtime.logfile import LogFile
from supervisor_tools.runtime.metrics import ProcessCounters, Registry
from supervisor_tools.runtime.metricstext import render
from supervisor_tools.runtime.states import (
    Deadline,
    Event,
    Exited,
    Policy,
    Record,
    Spawned,
    SpawnFailed,
    Start,
    State,
    Stop,
)
from supervisor_tools.runtime.supervisor import Supervisor

SPAN = Span.point("test.conf")
PAGE = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def test_metrics_page_is_fresh() -> None:
    assert PAGE.read_text(encoding="utf-8") == metricsdoc.page(), (
        "docs/metrics.md is stale: run python -m supervisor_tools.runtime.metricsdoc "
        "docs/metrics.md")


def test_every_metric_is_documented_once() -> None:
    page = metricsdoc.page()
    names = [m.name for m in metricdefs.METRICS]
    assert len(names) == len(set(names))
    for name in names:
        assert page.count(f"| `{name}` |") == 1


class Machine:
    """One process's state machine on a fake clock, feeding a ProcessCounters as
    Process.dispatch does."""

    def __init__(self, **policy: Any) -> None:
        self.policy = Policy("p", **policy)
        self.record = Record()
        self.counters = ProcessCounters("g", "p")

    def feed(self, event: Event) -> None:
        before = self.record
        result = states.step(self.policy, before, event)
        self.record = result.record
        self.counters.transitioned(before, event, result, self.policy.startsecs)

    def start(self, now: float, pid: int = 10) -> None:
        self.feed(Start(now))
        self.feed(Spawned(pid, now + 0.25))


def test_start_duration_runs_from_spawn_to_running() -> None:
    m = Machine(startsecs=2)
    m.start(100.0)
    m.feed(Deadline(102.5))
    assert m.record.state is State.RUNNING
    assert (m.counters.start_count, m.counters.start_sum) == (1, 2.25)
    m0 = Machine(startsecs=0)
    m0.start(5.0)
    assert m0.record.state is State.RUNNING
    assert (m0.counters.start_count, m0.counters.start_sum) == (1, 0.0)


def test_exit_after_startsecs_before_the_deadline_counts_startsecs() -> None:
    m = Machine(startsecs=2, autorestart=False)
    m.start(100.0)
    m.feed(Exited(0, "exit status 0", 110.0))  # the deadline never fired
    assert m.record.state is State.EXITED
    assert (m.counters.start_count, m.counters.start_sum) == (1, 2.0)


def test_restarts_count_automatic_restarts_only() -> None:
    m = Machine(startsecs=0, autorestart="unexpected")
    m.start(0.0)
    m.feed(Exited(-1, "terminated by SIGKILL", 10.0))  # restarted at once
    assert m.record.state is State.STARTING
    assert m.counters.restarts == 1
    m.feed(Spawned(11, 10.0))
    m.feed(Exited(-1, "terminated by SIGKILL", 10.5))  # within the restart interval: waits
    assert m.record.state is State.EXITED and m.counters.restarts == 1
    m.feed(Deadline(11.0))  # the interval is over
    assert m.record.state is State.STARTING and m.counters.restarts == 2
    m.feed(Spawned(12, 11.0))
    m.feed(Stop(20.0))
    m.feed(Exited(0, "exit status 0", 20.1))
    m.start(30.0)  # a client's start after a stop
    m.feed(Exited(0, "exit status 0", 40.0))  # expected: no restart
    assert m.record.state is State.EXITED
    m.start(50.0)  # a client's start of an EXITED process is no automatic restart
    assert m.counters.restarts == 2
    assert m.counters.start_count == 5  # every spawn reached RUNNING (startsecs=0)


def test_liveness_and_watchdog_restarts_count_as_restarts() -> None:
    """The supervisor restarting an unhealthy process goes STOPPING -> STOPPED -> STARTING
    without a start request: a restart like autorestart's; a client's restart is not."""
    policy = readystates.ReadyPolicy("p", startsecs=0, watchdogsecs=5)
    record: Record = readystates.ReadyRecord()
    counters = ProcessCounters("g", "p")

    def feed(event: readystates.Event) -> None:
        nonlocal record
        result = readystates.step(policy, record, event)
        counters.transitioned(record, event, result, policy.startsecs)
        record = result.record

    feed(Start(0.0))
    feed(Spawned(10, 0.0))
    assert record.state is State.RUNNING
    feed(readystates.Unhealthy("liveness probe failed 3 times", 5.0))
    feed(Exited(-15, "terminated by SIGTERM", 5.1))
    assert record.state is State.STARTING and counters.restarts == 1
    feed(Spawned(11, 5.2))
    feed(Deadline(20.0))  # no WATCHDOG=1 for watchdogsecs
    assert record.state is State.STOPPING
    feed(Exited(-15, "terminated by SIGTERM", 20.1))
    assert record.state is State.STARTING and counters.restarts == 2
    feed(Spawned(12, 20.2))
    feed(Stop(30.0))  # a client's restart: stop, then start
    feed(Exited(-15, "terminated by SIGTERM", 30.1))
    feed(Start(30.2))
    assert record.state is State.STARTING and counters.restarts == 2


def test_backoff_fatal_and_spawn_errors() -> None:
    m = Machine(startsecs=1, startretries=2)
    m.feed(Start(0.0))
    m.feed(SpawnFailed("can't find command", 0.0))  # BACKOFF 1
    m.feed(Deadline(1.0))
    m.feed(Spawned(7, 1.0))
    m.feed(Exited(1, "exit status 1", 1.5))  # too quick: BACKOFF 2
    m.feed(Deadline(3.5))
    m.feed(SpawnFailed("can't find command", 3.5))  # out of retries: FATAL
    assert m.record.state is State.FATAL
    c = m.counters
    assert (c.spawn_errors, c.backoffs, c.fatal, c.restarts, c.start_count) == (2, 3, 1, 0, 0)


EVENTS = st.one_of(
    st.builds(Start, st.just(0.0)),
    st.builds(Spawned, st.just(1), st.just(0.0)),
    st.builds(SpawnFailed, st.just("no"), st.just(0.0)),
    st.builds(Exited, st.sampled_from([0, 1, -1]), st.just("x"), st.just(0.0), st.booleans()),
    st.builds(Deadline, st.just(0.0), st.booleans()),
    st.builds(Stop, st.just(0.0)),
)


@given(st.lists(st.tuples(EVENTS, st.floats(0, 5)), max_size=40),
       st.sampled_from([0, 1, 3]), st.sampled_from([True, False, "unexpected"]))
def test_counters_agree_with_the_states_entered(steps: list[tuple[Event, float]],
                                                startsecs: int, autorestart: Any) -> None:
    """Whatever the events, each counter equals the entries it names, and RUNNING is never
    timed without a spawn before it."""
    m = Machine(startsecs=startsecs, autorestart=autorestart, startretries=2)
    now = 0.0
    backoffs = fatal = running = spawned = 0
    for event, gap in steps:
        now += gap
        event = type(event)(**{**{f: getattr(event, f) for f in event.__dataclass_fields__},
                              "now": now})
        if not states.accepts(m.record.state, type(event)):
            continue
        before = m.record
        try:
            result = states.step(m.policy, before, event)
        except states.InvalidTransition:
            continue
        m.feed(event)
        backoffs += result.entered.count(State.BACKOFF)
        fatal += result.entered.count(State.FATAL)
        running += result.entered.count(State.RUNNING)
        spawned += isinstance(event, Spawned)
    c = m.counters
    assert (c.backoffs, c.fatal) == (backoffs, fatal)
    assert c.start_count <= min(running, spawned)
    assert c.start_sum >= 0


def proc(name: str, group: str, **kw: Any) -> ProcessConfig:
    return ProcessConfig(name=name, program=group, group=group, kind="program", process_num=0,
                         source=SPAN, command="/bin/cat", autostart=False,
                         stdout_logfile="NONE", stderr_logfile="NONE", **kw)


def supervisor(tmp: Path, *groups: GroupConfig) -> Supervisor:
    sd = SupervisordConfig(source=SPAN, logfile=str(tmp / "main.log"), childlogdir=str(tmp))
    m = Model(main_file="test.conf", files=("test.conf",), supervisord=sd, groups=groups)
    sup = Supervisor(m, lambda: m)
    sup._activate(sup.group_configs)
    return sup


def group(name: str, *procs: ProcessConfig) -> GroupConfig:
    return GroupConfig(name=name, kind="program", priority=999, processes=procs, source=SPAN)


@pytest.fixture
def sup(tmp_path: Path) -> Iterator[Supervisor]:
    s = supervisor(tmp_path, group("web", proc("web", "web")),
                   group("pool", proc("a", "pool"), proc("b", "pool", redirect_stderr=True)))
    yield s
    s.log.close()


def parsed(sup: Supervisor) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    out = {}
    for family in text_string_to_metric_families(render(sup).decode()):
        for s in family.samples:
            key = (s.name, frozenset(s.labels.items()))
            assert key not in out
            out[key] = s.value
    return out


def test_a_stopped_supervisor_renders_every_family(sup: Supervisor) -> None:
    text = render(sup).decode()
    for metric in metricdefs.METRICS:
        assert f"# TYPE {metric.name} {metric.type}\n" in text
    samples = parsed(sup)
    a = frozenset({("name", "a"), ("group", "pool")})
    assert samples[("node_supervisord_state", a)] == 0
    assert samples[("supervisor_process_info", a | {("state", "STOPPED"),
                                                    ("exit_status", "0")})] == 0
    assert ("supervisor_process_uptime", a) not in samples
    assert ("node_supervisord_start_time_seconds_total", a) not in samples
    streams = {dict(labels)["stream"] for name, labels in samples
               if name == "supervisor_process_log_bytes_total"
               and dict(labels)["name"] == "b"}
    assert streams == {"stdout"}  # redirect_stderr: no stderr series
    order = [dict(labels)["name"] for name, labels in samples if name == "node_supervisord_up"]
    assert order == ["a", "b", "web"]  # getAllProcessInfo's order: group, then name


def test_counters_outlive_a_reload_and_go_with_their_group(sup: Supervisor) -> None:
    web = sup.groups["web"].processes["web"]
    assert web.counters is sup.metrics.counters("web", "web")
    web.counters.restarts = 4
    key = ("supervisor_process_restarts_total", frozenset({("name", "web"), ("group", "web")}))
    assert parsed(sup)[key] == 4
    sup._reload()
    new = sup.groups["web"].processes["web"]
    assert new is not web and new.counters is web.counters
    new.record = dataclasses.replace(new.record, state=State.FATAL)
    samples = parsed(sup)  # the scrape reads the new Process, not the one reloaded away
    assert samples[key] == 4
    assert samples[("node_supervisord_state", key[1])] == State.FATAL
    sup.remove_group("web")
    assert ("web", "web") not in sup.metrics.processes
    assert key not in parsed(sup)
    assert sup.add_group("web")
    assert sup.groups["web"].processes["web"].counters.restarts == 0  # type: ignore[union-attr]
    assert parsed(sup)[key] == 0


def test_registry_keeps_only_the_configured_processes() -> None:
    reg = Registry()
    reg.counters("g", "a").restarts = 1
    reg.counters("g", "b")
    reg.counters("h", "c")
    reg.keep_only([("g", "a"), ("h", "c")])
    assert sorted(reg.processes) == [("g", "a"), ("h", "c")]
    assert reg.counters("g", "a").restarts == 1
    reg.forget_group("g")
    assert sorted(reg.processes) == [("h", "c")]


def test_rotations_are_told_to_the_counter(tmp_path: Path) -> None:
    log = LogFile(str(tmp_path / "x.log"), maxbytes=10, backups=1)
    c = ProcessCounters("g", "p")
    log.on_rotate = c.rotation_counter("stdout")
    log.write(b"0123456789\n" * 3)
    log.close()
    assert (c.stdout_rotations, c.stderr_rotations) == (3, 0)


NAMES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1,
                max_size=12)


@settings(max_examples=30, deadline=None)
@given(NAMES, NAMES)
def test_any_name_round_trips_through_the_labels(name: str, group_name: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        s = supervisor(Path(tmp), group(group_name, proc(name, group_name)))
        try:
            samples = parsed(s)
        finally:
            s.log.close()
    labels = frozenset({("name", name), ("group", group_name)})
    assert samples[("node_supervisord_up", labels)] == 0
    assert samples[("supervisor_process_log_bytes_total", labels | {("stream", "stdout")})] == 0
