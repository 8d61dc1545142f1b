"""The dependency scheduler: which waiting process may be spawned now, and why the others wait.

Pure, like states.py: it is told what the processes do (each state they enter, as the state
table reports it) and answers which processes to start; it never touches the OS. A process
asked to start whose conditions do not hold yet is *queued*; it stays STOPPED for supervisorctl,
and `note()` says what it waits for or why it cannot start. Conditions are latched: once a
condition held while the process waited (its target reached RUNNING, say), it counts even if
the target moves on before the last condition holds, as the plugin's "state reached" does.

`running` means RUNNING as the process table decides it, so a readiness check that keeps a
process STARTING longer delays its dependants too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from supervisor_tools.model.depgraph import Graph, Wait, describe_cycle
from supervisor_tools.runtime.states import State

# The states in which a condition holds at once; "exited" also needs an expected exit code.
MET_IN: dict[str, frozenset[State]] = {
    "started": frozenset({State.STARTING, State.RUNNING, State.EXITED}),
    "running": frozenset({State.RUNNING}),
    "exited": frozenset({State.EXITED}),
    "backoff": frozenset({State.BACKOFF}),
    "stopping": frozenset({State.STOPPING}),
    "fatal": frozenset({State.FATAL}),
}
# States from which a process moves on by itself (a start, a retry, a stop under way).
MOVING = frozenset({State.STARTING, State.BACKOFF, State.STOPPING, State.RUNNING})
# Entering one of these may leave a queued process unable to start (or free an `after`).
SETTLED = frozenset({State.FATAL, State.EXITED, State.STOPPED, State.UNKNOWN})


def display(key: str) -> str:
    """A process key as supervisorctl names the process ("db", "grp:web")."""
    group, _, proc = key.partition(":")
    return proc if proc == group else key


def wait_text(w: Wait) -> str:
    return f"{w.target} (spawned first)" if w.conditions == ("after",) else w.word


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the scheduler needs to know of one process."""

    state: State = State.STOPPED
    pid: int = 0  # 0 in STARTING until the child is forked
    expected: bool = True  # the last exit status is one of its exitcodes
    restarting: bool = False  # EXITED, and autorestart will spawn it again


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a process's conditions hold: "met", "pending" or "blocked", and why not."""

    status: str
    reason: str = ""


MET = Verdict("met")


@dataclass(slots=True)
class _Queued:
    order: int
    latched: set[tuple[str, str]] = field(default_factory=set)  # (target key, condition)


class Scheduler:
    """The queue of processes waiting for their dependencies."""

    def __init__(self, graph: Graph, keys: dict[str, list[str]]) -> None:
        """`keys` maps each program to the keys (group:name) of its processes."""
        self.graph = graph
        self.keys = keys
        self.program_of = {k: p for p, ks in keys.items() for k in ks}
        self.snap: dict[str, Snapshot] = {k: Snapshot() for k in self.program_of}
        self.queue: dict[str, _Queued] = {}
        # Released (their conditions held) but not seen starting yet: a process that waits for
        # one of them, even only to be spawned after it, must still wait.
        self.released: set[str] = set()
        self.cycles = graph.cycles()
        self.rev = graph.dependants()
        self._seq = 0
        level: dict[str, int] = {}
        for p in graph.order():  # dependencies first, so each level is known when needed
            deps = [level.get(t, len(graph.programs)) for _w, t in graph.edges(p)]
            level[p] = 1 + max(deps) if deps else 0
        self.rank = {k: (level.get(p, 0), self._priority(p), k)
                     for p, ks in keys.items() for k in ks}

    def _priority(self, program: str) -> tuple[int, int]:
        """(group priority, priority) to order programs of one level by; with
        dependent_startup_inherit_priority, the lowest of its own and its targets'."""
        own = self.graph.sort_key(program)[:2]
        procs = self.graph.programs.get(program, ())
        if procs and procs[0].dependent_startup_inherit_priority:
            return min([own, *(self.graph.sort_key(t)[:2] for _w, t in self.graph.edges(program))])
        return own

    # -- questions -----------------------------------------------------------------------------

    def gated(self, key: str) -> bool:
        """Whether the process has conditions at all (else it starts as supervisord would)."""
        return bool(self.graph.waits.get(self.program_of.get(key, ""), ()))

    def queued(self, key: str) -> bool:
        return key in self.queue

    def verdict(self, key: str) -> Verdict:
        return self._verdict(key, set())

    def note(self, key: str) -> str:
        """What a queued process waits for, or why it cannot start; "" when not queued."""
        if key not in self.queue:
            return ""
        v = self.verdict(key)
        if v.status == "blocked":
            return f"cannot start: {v.reason}"
        return f"waiting for {v.reason}" if v.reason else "starting"

    def start_order(self, keys: list[str]) -> list[str]:
        """`keys` in dependency order, then (inherited) priority."""
        return sorted(keys, key=lambda k: self.rank.get(k, (0, (999, 999), k)))

    # -- events --------------------------------------------------------------------------------

    def enqueue(self, key: str) -> _Queued:
        q = self.queue.get(key)
        if q is None:
            self._seq += 1
            q = self.queue[key] = _Queued(self._seq)
        return q

    def want(self, key: str) -> bool:
        """A start request for a gated process: True when it may start now, else queued."""
        q = self.enqueue(key)
        self._latch_current(key, q)
        if self._verdict(key, set()).status == "met":
            del self.queue[key]
            self.released.add(key)
            return True
        return False

    def cancel(self, key: str) -> bool:
        """A stop request for a queued process: it no longer waits. False if it was not."""
        self.released.discard(key)
        return self.queue.pop(key, None) is not None

    def observe(self, key: str, snap: Snapshot, entered: tuple[State, ...]) -> list[str]:
        """A process entered `entered` (in order) and is now as `snap` says: the queued
        processes that may start now, in start order."""
        self.snap[key] = snap
        self.queue.pop(key, None)  # it started (or was started) some other way
        self.released.discard(key)
        program = self.program_of.get(key)
        if program is None or not self.queue:
            return []
        waiting = [k for d in self.rev.get(program, ()) for k in self.keys.get(d, ())
                   if k in self.queue]
        for k in waiting:
            q = self.queue[k]
            for w in self.graph.waits.get(self.program_of[k], ()):
                if program not in (self.graph.targets(w.target) or ()):
                    continue
                for cond in w.conditions:
                    if any(self._holds(cond, st, snap) for st in entered):
                        q.latched.add((key, cond))
        # A settled process can make any queued process blocked or (for `after`) free to go;
        # otherwise only its direct dependants can have changed.
        check = list(self.queue) if any(s in SETTLED for s in entered) else waiting
        ready = [k for k in dict.fromkeys(check)
                 if k in self.queue and self._verdict(k, set()).status == "met"]
        for k in ready:
            del self.queue[k]
        self.released.update(ready)
        return self.start_order(ready)

    # -- evaluation ----------------------------------------------------------------------------

    @staticmethod
    def _holds(cond: str, state: State, snap: Snapshot) -> bool:
        if state not in MET_IN.get(cond, frozenset()):
            return False
        if state is State.STARTING and snap.state is State.STARTING and not snap.pid:
            return False  # a spawn collected for a batch has not forked yet
        # An exit counts while the process stays EXITED: one that autorestart spawned again
        # at once has lost its exit status (and its dependants would chase a moving target).
        return cond != "exited" or (snap.state is State.EXITED and snap.expected)

    def _latch_current(self, key: str, q: _Queued) -> None:
        for w in self.graph.waits.get(self.program_of[key], ()):
            for t in self.graph.targets(w.target) or ():
                for tk in self.keys.get(t, ()):
                    s = self.snap[tk]
                    for cond in w.conditions:
                        if self._holds(cond, s.state, s):
                            q.latched.add((tk, cond))

    def _verdict(self, key: str, seen: set[str]) -> Verdict:
        program = self.program_of[key]
        cycle = self.cycles.get(program)
        if cycle is not None:
            return Verdict("blocked", f"dependency cycle {describe_cycle(cycle)}")
        q = self.queue.get(key)
        latched = q.latched if q is not None else set()
        pending: list[str] = []
        for w in self.graph.waits.get(program, ()):
            v = self._wait_verdict(w, latched, seen | {key})
            if v.status == "blocked":
                return Verdict("blocked", f"{wait_text(w)}: {v.reason}")
            if v.status == "pending":
                pending.append(f"{wait_text(w)}: {v.reason}" if v.reason else wait_text(w))
        if pending:
            return Verdict("pending", ", ".join(pending))
        return MET

    def _wait_verdict(self, w: Wait, latched: set[tuple[str, str]], seen: set[str]) -> Verdict:
        targets = self.graph.targets(w.target)
        if targets is None:
            return Verdict("blocked", f"no program or group named {w.target!r}")
        reasons: list[Verdict] = []
        for t in targets:
            for tk in self.keys.get(t, ()):
                if w.conditions == ("after",):
                    v = self._after(tk, seen)
                elif any((tk, c) in latched for c in w.conditions):
                    continue
                else:
                    v = self._progress(tk, w.conditions, seen)
                if v.status != "met":
                    reasons.append(v)
        for v in reasons:
            if v.status == "blocked":
                return v
        return reasons[0] if reasons else MET

    def _after(self, tk: str, seen: set[str]) -> Verdict:
        """Order only: wait while the target is queued and able to start (its conditions
        pending, or met and about to start), never otherwise."""
        if tk in self.released:
            return Verdict("pending", f"{display(tk)} is starting")
        if tk in self.queue and tk not in seen and \
                self._verdict(tk, seen).status != "blocked":
            return Verdict("pending", f"{display(tk)} is waiting")
        s = self.snap[tk]
        if s.state is State.STARTING and not s.pid:
            return Verdict("pending", f"{display(tk)} is being spawned")
        return MET

    def _progress(self, tk: str, conds: tuple[str, ...], seen: set[str]) -> Verdict:
        """Not met yet: will the target get there by itself (pending) or not (blocked)?"""
        s = self.snap[tk]
        name = display(tk)
        if tk in self.released:
            return Verdict("pending", f"{name} is starting")
        if tk in self.queue:
            if tk in seen:
                return Verdict("pending", f"{name} is waiting")
            v = self._verdict(tk, seen)
            if v.status == "blocked":
                return Verdict("blocked", f"{name} cannot start ({v.reason})")
            return Verdict("pending", f"{name} is waiting")
        if s.state is State.EXITED and s.restarting:
            return Verdict("pending", f"{name} is restarting")
        if s.state in MOVING:
            return Verdict("pending", f"{name} is {s.state.name}")
        if s.state is State.EXITED and "exited" in conds and not s.expected:
            return Verdict("blocked", f"{name} exited with an unexpected status")
        if s.state is State.STOPPED:
            return Verdict("blocked", f"{name} is STOPPED and not set to start")
        return Verdict("blocked", f"{name} is {s.state.name}")
