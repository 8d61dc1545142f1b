"""The runtime side of dependencies: queue start requests, start what the scheduler releases,
and stop in reverse dependency order.

The supervisor calls in at four points (autostart, each state change, a start or stop request,
and shutdown); everything else is the pure scheduler in deps.py. A config without dependency
keys gets no `Dependencies` at all, so it runs exactly as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from supervisor_tools.model.depgraph import Graph, build_graph, graph_of
from supervisor_tools.model.model import Model
from supervisor_tools.runtime.deps import Scheduler, Snapshot, Verdict
from supervisor_tools.runtime.process import Process
from supervisor_tools.runtime.spawn import SpawnBatch
from supervisor_tools.runtime.states import STOPPED_STATES, State, restart_waits

if TYPE_CHECKING:
    from supervisor_tools.runtime.supervisor import Supervisor


def key_of(proc: Process) -> str:
    return f"{proc.config.group}:{proc.name}"


def snapshot(proc: Process, pid: int = 0) -> Snapshot:
    r = proc.record
    expected = r.exitstatus is None or r.exitstatus in proc.config.exitcodes
    return Snapshot(r.state, pid or r.pid, expected, restart_waits(r))


def autostart(deps: Dependencies | None, procs: list[Process]) -> None:
    """Start what autostart asks for, through the dependency queue when there is one."""
    if deps is not None:
        deps.autostart(procs)
        return
    for proc in procs:
        proc.autostart()


def refreshed(sup: Supervisor, deps: Dependencies | None) -> Dependencies | None:
    """The scheduler for the supervisor's groups as they are now (after `update` added or
    removed one), keeping what the old one had queued and the stops under way."""
    configs = [g.config for g in sup.groups.values()]
    graph = graph_of(configs)
    if graph.empty and not any(p.dependent_startup for g in configs for p in g.processes):
        return None
    new = Dependencies(sup, graph)
    if deps is not None:
        new._stops = deps._stops
        new._released = [k for k in deps._released if k in new.sched.program_of]
        for k in new.sched.start_order([k for k in deps.sched.queue
                                        if k in new.sched.program_of]):
            new.sched.enqueue(k)
    for key in new.sched.program_of:
        proc = new._find(key)
        if proc is not None:
            new.sched.snap[key] = snapshot(proc)
    ready = [k for k in list(new.sched.queue) if new.sched.want(k)]
    new._start(ready)
    return new


class Dependencies:
    """Feeds the scheduler and carries out what it decides."""

    def __init__(self, sup: Supervisor, graph: Graph) -> None:
        self.sup = sup
        self.graph = graph
        keys: dict[str, list[str]] = {p: [] for p in graph.programs}
        for procs in graph.programs.values():
            for pc in procs:
                keys[pc.program].append(f"{pc.group}:{pc.name}")
        self.sched = Scheduler(graph, keys)
        self._pending: list[str] = []
        self._draining = False
        # Ordered stops under way (stop all, stop a group): each goes on as processes exit.
        self._stops: list[list[Process]] = []
        self._forked: list[tuple[Process, int]] = []
        self._released: list[str] = []

    @classmethod
    def for_model(cls, sup: Supervisor, model: Model) -> Dependencies | None:
        graph = build_graph(model)
        if graph.empty and not any(p.dependent_startup for p in model.processes()):
            return None
        return cls(sup, graph)

    def _find(self, key: str) -> Process | None:
        group, name = key.split(":", 1)
        return self.sup.find(group, name)[1]

    # -- starting ------------------------------------------------------------------------------

    def autostart(self, procs: list[Process]) -> None:
        """Start-up: processes without conditions start as supervisord starts them; the others
        are queued (autostart=true, or dependent_startup=true as the plugin's autostart=false
        programs are) and start as their conditions come to hold."""
        queued: list[Process] = []
        for proc in procs:
            if not self.sched.gated(key_of(proc)):
                if proc.config.dependent_startup and not proc.config.autostart \
                        and proc.state is State.STOPPED and not proc.record.laststart:
                    proc.start()  # the plugin's first program: it waits for nothing
                else:
                    proc.autostart()
            elif (proc.config.autostart or proc.config.dependent_startup) \
                    and proc.state is State.STOPPED and not proc.record.laststart:
                queued.append(proc)
        for proc in queued:  # queue them all first: a queued target is one that will start
            self.sched.enqueue(key_of(proc))
        for k in self.sched.start_order([key_of(p) for p in queued]):
            if self.sched.queued(k) and self.sched.want(k):
                self._start([k])  # STARTING now, so what waits for it sees it starting
        for proc in queued:
            k = key_of(proc)
            if self.sched.queued(k):
                self.sup.log.info(f"{proc.name}: {self.sched.note(k)}")

    def request(self, proc: Process) -> Verdict | None:
        """A start request (supervisorctl start): None when the process may start now, else
        the verdict of its conditions; it is then queued and starts when they hold."""
        k = key_of(proc)
        if not self.sched.gated(k) or self.sched.want(k):
            return None
        v = self.sched.verdict(k)
        self.sup.log.info(f"{proc.name}: {self.sched.note(k)}")
        return v

    def queued(self, proc: Process) -> bool:
        """Waiting for its conditions, or released and about to start on the next pass."""
        k = key_of(proc)
        return self.sched.queued(k) or k in self._released

    def cancel(self, proc: Process) -> bool:
        """A stop request for a queued process: it no longer waits (nor starts if it was
        released on this pass of the loop)."""
        k = key_of(proc)
        released = k in self._released
        self._released = [r for r in self._released if r != k]
        return self.sched.cancel(k) or released

    def note(self, proc: Process) -> str:
        return self.sched.note(key_of(proc))

    def changed(self, proc: Process, entered: tuple[State, ...], pid: int = 0) -> None:
        ready = self.sched.observe(key_of(proc), snapshot(proc, pid), entered)
        if ready:
            # Started on the next pass of the loop, with whatever else this pass releases, in
            # one spawn batch (forks spread over the cores) instead of one fork at a time.
            if not self._released:
                self.sup.loop.call_later(0, self._start_released)
            self._released += ready
        if self._stops and any(s in STOPPED_STATES for s in entered):
            self._stops = [procs for procs in self._stops if not self.stop_step(procs)]

    def spawned(self, proc: Process, pid: int) -> None:
        """The child of a STARTING process was forked. What that releases starts on the next
        pass of the loop, once the spawn is complete (and logged), so the log shows the order
        the children were forked in; the forks of one batch release theirs in one batch."""
        if not self._forked:
            self.sup.loop.call_later(0, self._release_forked)
        self._forked.append((proc, pid))

    def _start_released(self) -> None:
        # In the order their conditions came to hold (each release already in start order),
        # as the plugin starts what each event releases in turn.
        ready, self._released = self._released, []
        self._start(ready)

    def _release_forked(self) -> None:
        forked, self._forked = self._forked, []
        ready: list[str] = []
        for proc, pid in forked:
            ready += self.sched.observe(key_of(proc), snapshot(proc, pid), (State.STARTING,))
        if ready:
            self._start(self.sched.start_order(ready))

    def _start(self, keys: list[str]) -> None:
        """Start released processes, together in one spawn batch, without recursing: a start
        can release more processes (a `started` condition), which join the same pass."""
        self._pending.extend(keys)
        if self._draining or not self._pending:
            return
        if not self.sup.may_restart():
            self.sched.released.difference_update(self._pending)
            self._pending.clear()
            return
        self._draining = True
        own = self.sup.spawn_batch is None
        if own:
            self.sup.spawn_batch = SpawnBatch()
        try:
            while self._pending:
                key = self._pending.pop(0)
                proc = self._find(key)
                if proc is not None and proc.state in (State.STOPPED, State.EXITED, State.FATAL):
                    proc.start()
                else:
                    self.sched.released.discard(key)  # nothing to start after all
        finally:
            self._draining = False
            if own:
                batch, self.sup.spawn_batch = self.sup.spawn_batch, None
                if batch is not None:
                    batch.run()

    def start_order(self, procs: list[Process]) -> list[Process]:
        by_key = {key_of(p): p for p in procs}
        return [by_key[k] for k in self.sched.start_order(list(by_key))]

    # -- stopping ------------------------------------------------------------------------------

    def stop_order(self, procs: list[Process]) -> list[Process]:
        """Dependants before what they depend on; otherwise supervisord's reverse order."""
        return list(reversed(self.start_order(procs)))

    def blockers(self, proc: Process, among: set[str]) -> list[str]:
        """The live processes of `among` (keys) that wait for `proc`: they stop before it."""
        out: list[str] = []
        for d in self.sched.rev.get(proc.config.program, ()):
            for k in self.sched.keys.get(d, ()):
                other = self._find(k) if k in among else None
                if other is not None and other is not proc and other.state not in STOPPED_STATES:
                    out.append(k)
        return out

    def stop_step(self, procs: list[Process]) -> bool:
        """One step of an ordered stop of `procs`: signal every process whose dependants have
        stopped (and, as supervisord does group by group, whose earlier stop stage is done).
        True once all of them are stopped."""
        for proc in procs:
            self.sched.cancel(key_of(proc))
        order = self.stop_order(procs)
        among = {key_of(p) for p in procs}
        busy_group: str | None = None
        for proc in order:
            if proc.state in STOPPED_STATES:
                continue
            group = proc.config.group
            if busy_group is not None and group != busy_group:
                break  # an earlier stage is still stopping
            busy_group = group
            if self.blockers(proc, among):
                continue
            if proc.state in (State.RUNNING, State.STARTING):
                proc.stop()
            elif proc.state is State.BACKOFF:
                proc.give_up()
        return all(p.state in STOPPED_STATES for p in procs)

    def begin_stop(self, procs: list[Process]) -> None:
        """Stop `procs` in order, going on by itself as they exit (stop all, stop a group)."""
        if not self.stop_step(procs):
            self._stops.append(procs)

    def shutdown_step(self) -> bool:
        """The supervisor's shutdown or reload: nothing starts any more; stop in order."""
        self.sched.queue.clear()
        self._pending.clear()
        return self.stop_step([p for _g, p in self.sup.all_processes()])
