"""The dependency scheduler as a pure table: conditions, latching, blocked reasons, order.

Processes are simulated with the real process table (states.step) on a fake clock, so every
transition the scheduler sees is one the runtime would report.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervisor_tools.model.depgraph import build_graph
from supervisor_tools.model.resolve import load
from supervisor_tools.runtime import states
from supervisor_tools.runtime.deps import Scheduler, Snapshot
from supervisor_tools.runtime.process import policy_of
from supervisor_tools.runtime.states import Record, State


class Sim:
    """Processes on a fake clock, driven through the real state table, observed by the
    scheduler exactly as the runtime's hooks observe them."""

    def __init__(self, tmp_path: Path, text: str) -> None:
        conf = tmp_path / "s.conf"
        conf.write_text("[supervisord]\n" + text)
        result = load(str(conf))
        assert not result.errors, result.errors
        graph = build_graph(result.model)
        keys: dict[str, list[str]] = {}
        self.policy = {}
        self.config = {}
        for g in result.model.groups:
            for pc in g.processes:
                k = f"{pc.group}:{pc.name}"
                keys.setdefault(pc.program, []).append(k)
                self.policy[k] = policy_of(pc)
                self.config[k] = pc
        self.sched = Scheduler(graph, keys)
        self.rec = {k: Record() for k in self.policy}
        self.now = 100.0
        self.pid = 1000
        self.spawned: list[str] = []  # keys in the order they were forked
        self.seq = 0  # a counter of events, to order what happened at one fake time
        self.first: dict[tuple[str, State], int] = {}  # (key, state) -> when first entered

    def snap(self, k: str) -> Snapshot:
        r = self.rec[k]
        expected = r.exitstatus is None or r.exitstatus in self.config[k].exitcodes
        return Snapshot(r.state, r.pid, expected, states.restart_waits(r))

    def event(self, k: str, ev: states.Event) -> None:
        """Apply one event, then start whatever the scheduler releases."""
        res = states.step(self.policy[k], self.rec[k], ev)
        self.rec[k] = res.record
        for entered in res.entered:
            self.seq += 1
            self.first.setdefault((k, entered), self.seq)
        released: list[str] = []
        spawn = any(isinstance(a, states.Spawn) for a in res.actions)
        if res.entered:
            released += self.sched.observe(k, self.snap(k), res.entered)
        if spawn:
            self.pid += 1
            self.spawned.append(k)
            self.seq += 1
            self.first.setdefault((k, State.UNKNOWN), self.seq)  # UNKNOWN here: "forked"
            self.event(k, states.Spawned(self.pid, self.now))
            released += self.sched.observe(k, self.snap(k), (State.STARTING,))
        for r in released:
            self.start(r)

    def start(self, k: str) -> None:
        self.event(k, states.Start(self.now))

    def want(self, k: str) -> bool:
        ok = self.sched.want(k)
        if ok:
            self.start(k)
        return ok

    def tick(self, seconds: float) -> None:
        """Let time pass, firing every deadline that falls due, earliest first."""
        until = self.now + seconds
        while True:
            due = [(r.deadline, k) for k, r in self.rec.items()
                   if r.deadline is not None and r.deadline <= until]
            if not due:
                break
            when, k = min(due)
            self.now = max(self.now, when)
            self.event(k, states.Deadline(self.now))
        self.now = until

    def exit(self, k: str, status: int) -> None:
        self.event(k, states.Exited(status, f"exit status {status}", self.now))


DB_WEB = """
[program:db]
command=db
startsecs=2
[program:web]
command=web
dependent_startup=true
dependent_startup_wait_for=db:running
"""


def test_running_waits_for_running_not_for_the_spawn(tmp_path: Path) -> None:
    sim = Sim(tmp_path, DB_WEB)
    sim.start("db:db")
    assert not sim.want("web:web")
    assert sim.sched.note("web:web") == "waiting for db:running: db is STARTING"
    sim.tick(1.9)
    assert sim.spawned == ["db:db"]
    sim.tick(0.2)  # startsecs is over: db RUNNING, web released
    assert sim.rec["db:db"].state is State.RUNNING
    assert sim.spawned == ["db:db", "web:web"]
    assert not sim.sched.queued("web:web")


def test_a_fatal_dependency_blocks_with_a_reason_and_a_later_start_releases(
        tmp_path: Path) -> None:
    sim = Sim(tmp_path, DB_WEB.replace("startsecs=2", "startsecs=2\nstartretries=0"))
    sim.start("db:db")
    assert not sim.want("web:web")
    sim.exit("db:db", 1)  # too quick, no retries: FATAL
    assert sim.rec["db:db"].state is State.FATAL
    assert sim.sched.note("web:web") == "cannot start: db:running: db is FATAL"
    assert sim.sched.queued("web:web")  # still armed
    sim.start("db:db")
    sim.tick(2.5)
    assert sim.spawned == ["db:db", "db:db", "web:web"]


JOB = """
[program:migrate]
command=migrate
startsecs=0
autorestart=false
[program:web]
command=web
dependent_startup=true
dependent_startup_wait_for=migrate:exited
"""


def test_exited_needs_an_expected_exit(tmp_path: Path) -> None:
    sim = Sim(tmp_path, JOB)
    sim.start("migrate:migrate")
    assert not sim.want("web:web")
    assert sim.sched.note("web:web") == "waiting for migrate:exited: migrate is RUNNING"
    sim.exit("migrate:migrate", 0)
    assert sim.spawned == ["migrate:migrate", "web:web"]


def test_an_unexpected_exit_blocks_exited(tmp_path: Path) -> None:
    sim = Sim(tmp_path, JOB)
    sim.start("migrate:migrate")
    sim.want("web:web")
    sim.exit("migrate:migrate", 3)
    assert sim.sched.note("web:web") == \
        "cannot start: migrate:exited: migrate exited with an unexpected status"
    assert sim.spawned == ["migrate:migrate"]


def test_an_unexpected_exit_that_restarts_keeps_waiting(tmp_path: Path) -> None:
    sim = Sim(tmp_path, JOB.replace("autorestart=false", "autorestart=unexpected"))
    sim.start("migrate:migrate")
    sim.want("web:web")
    sim.tick(5)
    sim.exit("migrate:migrate", 3)  # restarted at once (first automatic restart)
    assert sim.spawned == ["migrate:migrate", "migrate:migrate"]
    assert sim.sched.note("web:web") == "waiting for migrate:exited: migrate is RUNNING"
    sim.exit("migrate:migrate", 0)
    assert sim.spawned[-1] == "web:web"


def test_a_condition_met_in_passing_is_latched(tmp_path: Path) -> None:
    # migrate is RUNNING (startsecs=0) while web waits for it to run and for cache to start;
    # migrate exits before cache starts: its RUNNING still counts, as the plugin counts it.
    sim = Sim(tmp_path, """
[program:migrate]
command=migrate
startsecs=0
autorestart=false
[program:cache]
command=cache
startsecs=5
[program:web]
command=web
dependent_startup=true
dependent_startup_wait_for=migrate:running cache:running
""")
    sim.start("cache:cache")
    assert not sim.want("web:web")
    sim.start("migrate:migrate")
    sim.exit("migrate:migrate", 0)
    assert sim.sched.queued("web:web")
    assert sim.sched.note("web:web") == "waiting for cache:running: cache is STARTING"
    sim.tick(6)
    assert sim.spawned == ["cache:cache", "migrate:migrate", "web:web"]


def test_started_means_forked(tmp_path: Path) -> None:
    sim = Sim(tmp_path, """
[program:a]
command=a
[program:b]
command=b
dependent_startup=true
dependent_startup_wait_for=a:started
""")
    sim.sched.enqueue("a:a")
    assert not sim.want("b:b")
    # STARTING entered, the fork not done yet (a spawn batch collects it): not started
    assert sim.sched.observe("a:a", Snapshot(State.STARTING, 0), (State.STARTING,)) == []
    assert sim.sched.observe("a:a", Snapshot(State.STARTING, 77), (State.STARTING,)) == \
        ["b:b"]


def test_missing_target_and_cycle_are_blocked(tmp_path: Path) -> None:
    sim = Sim(tmp_path, """
[program:a]
command=a
dependent_startup=true
dependent_startup_wait_for=b
[program:b]
command=b
depends_on=c
[program:c]
command=c
dependent_startup=true
dependent_startup_wait_for=a:started
[program:d]
command=d
depends_on=nosuch
""")
    for k in ("a:a", "b:b", "c:c", "d:d"):
        assert not sim.want(k)
    assert sim.sched.note("a:a") == "cannot start: dependency cycle a -> b -> c -> a"
    assert sim.sched.note("b:b") == "cannot start: dependency cycle a -> b -> c -> a"
    assert sim.sched.note("d:d") == \
        "cannot start: nosuch (spawned first): no program or group named 'nosuch'"


AFTER = """
[program:x]
command=x
startsecs=5
[program:a]
command=a
autostart=false
dependent_startup=true
dependent_startup_wait_for=x
[program:b]
command=b
depends_on=a
"""


def test_after_never_waits_for_what_will_not_start(tmp_path: Path) -> None:
    sim = Sim(tmp_path, AFTER)
    assert sim.want("b:b")  # a is not going to start: b goes at once, as in ochinchina's
    assert sim.spawned == ["b:b"]


def test_after_waits_for_a_queued_target(tmp_path: Path) -> None:
    sim = Sim(tmp_path, AFTER)
    sim.start("x:x")
    assert not sim.want("a:a")
    assert not sim.want("b:b")
    assert sim.sched.note("b:b") == "waiting for a (spawned first): a is waiting"
    sim.tick(6)
    assert sim.spawned == ["x:x", "a:a", "b:b"]


def test_after_goes_on_when_the_target_cannot_start(tmp_path: Path) -> None:
    sim = Sim(tmp_path, AFTER.replace("startsecs=5", "startsecs=5\nstartretries=0"))
    sim.start("x:x")
    assert not sim.want("a:a")
    assert not sim.want("b:b")
    sim.exit("x:x", 1)  # FATAL: a can never start, so b no longer waits for it
    assert sim.sched.note("a:a") == "cannot start: x:running: x is FATAL"
    assert sim.spawned == ["x:x", "b:b"]


def test_group_targets_wait_for_every_member(tmp_path: Path) -> None:
    sim = Sim(tmp_path, """
[group:backend]
programs=db,cache
[program:db]
command=db
startsecs=1
[program:cache]
command=cache
startsecs=3
[program:web]
command=web
dependent_startup=true
dependent_startup_wait_for=backend:running
""")
    sim.start("backend:db")
    sim.start("backend:cache")
    assert not sim.want("web:web")
    sim.tick(1.5)
    assert sim.sched.note("web:web") == \
        "waiting for backend:running: backend:cache is STARTING"
    sim.tick(2)
    assert sim.spawned[-1] == "web:web"


def test_start_order_follows_the_graph_then_priority(tmp_path: Path) -> None:
    sim = Sim(tmp_path, """
[program:web]
command=web
priority=1
depends_on=db
[program:db]
command=db
priority=900
[program:cron]
command=cron
priority=5
[program:worker]
command=worker
priority=950
dependent_startup=true
dependent_startup_wait_for=db
dependent_startup_inherit_priority=true
[program:mail]
command=mail
priority=920
depends_on=db
""")
    keys = ["web:web", "db:db", "cron:cron", "worker:worker", "mail:mail"]
    # db first (web, worker and mail follow it); among those ready together, priority
    # decides, worker's inherited from db
    assert sim.sched.start_order(keys) == \
        ["cron:cron", "db:db", "web:web", "worker:worker", "mail:mail"]


@pytest.mark.parametrize("cond,state,expected,met", [
    ("running", State.RUNNING, True, True),
    ("running", State.STARTING, True, False),
    ("started", State.RUNNING, True, True),
    ("exited", State.EXITED, True, True),
    ("exited", State.EXITED, False, False),
    ("fatal", State.FATAL, True, True),
    ("backoff", State.BACKOFF, True, True),
    ("stopping", State.RUNNING, True, False),
])
def test_condition_table(cond: str, state: State, expected: bool, met: bool) -> None:
    assert Scheduler._holds(cond, state, Snapshot(state, 5, expected)) is met


@st.composite
def dags(draw: st.DrawFn) -> list[tuple[int, list[tuple[int, str]]]]:
    """Programs 0..n-1, each with a startsecs and waits on lower-numbered programs."""
    n = draw(st.integers(2, 7))
    out = []
    for i in range(n):
        startsecs = draw(st.integers(0, 2))
        targets = draw(st.lists(st.integers(0, i - 1), unique=True, max_size=3)) if i else []
        out.append((startsecs, [(t, draw(st.sampled_from(["running", "started", "after"])))
                                for t in targets]))
    return out


@given(dags(), st.randoms(use_true_random=False))
@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_program_starts_and_only_after_its_conditions(
        tmp_path: Path, dag: list[tuple[int, list[tuple[int, str]]]], rnd: object) -> None:
    text = ""
    for i, (startsecs, waits) in enumerate(dag):
        text += f"[program:p{i}]\ncommand=p\nstartsecs={startsecs}\n"
        words = [f"p{t}:{c}" for t, c in waits if c != "after"]
        after = [f"p{t}" for t, c in waits if c == "after"]
        if words:
            text += "dependent_startup=true\ndependent_startup_wait_for=" + " ".join(words) + "\n"
        if after:
            text += "depends_on=" + ",".join(after) + "\n"
    sub = tmp_path / str(abs(hash(text)))
    sub.mkdir(exist_ok=True)
    sim = Sim(sub, text)
    keys = [f"p{i}:p{i}" for i in range(len(dag))]
    order = list(keys)
    rnd.shuffle(order)  # type: ignore[attr-defined]
    # as start-up does: programs without conditions start, the others are all queued, then
    # each is asked for (here in any order, the runtime uses the graph's)
    gated = [k for k in order if sim.sched.gated(k)]
    for k in order:
        if k not in gated:
            sim.start(k)
    for k in gated:
        sim.sched.enqueue(k)
    for k in gated:
        if sim.sched.queued(k):
            sim.want(k)
    sim.tick(60)
    assert sorted(sim.spawned) == sorted(keys), sim.sched.queue
    forked = State.UNKNOWN
    for i, (_s, waits) in enumerate(dag):
        mine = sim.first[(keys[i], forked)]
        for t, cond in waits:
            need = State.RUNNING if cond == "running" else forked
            assert sim.first[(keys[t], need)] < mine, (i, t, cond)
