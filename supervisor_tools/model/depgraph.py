"""The dependency graph of a model: which program waits for which, on what condition.

Nodes are programs (a `[program:x]`, `[eventlistener:x]` or `[fcgi-program:x]` section; every
process of a program shares its waits). A wait names a program or a group; a group stands for
every program in it. `dependent_startup_wait_for` applies only with `dependent_startup=true`
(as the plugin reads it); `depends_on` always applies, with the order-only condition `after`.
Lint, `svtool show --graph`, the systemd converter and the runtime all read this one graph.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field

from supervisor_tools.errors import Span
from supervisor_tools.model.model import GroupConfig, Model, ProcessConfig
from supervisor_tools.options.dependencies import split_wait

WAIT_FOR = "dependent_startup_wait_for"
DEPENDS_ON = "depends_on"


@dataclass(frozen=True, slots=True)
class Wait:
    """One written dependency: `dependant` waits for `target` to meet one of `conditions`."""

    dependant: str
    target: str
    conditions: tuple[str, ...]
    option: str
    span: Span

    @property
    def word(self) -> str:
        return f"{self.target}:{','.join(self.conditions)}"


def waits_of(pc: ProcessConfig) -> tuple[Wait, ...]:
    """The dependencies a process's options ask for, in the order written."""
    out: list[Wait] = []
    if pc.dependent_startup:
        span = pc.span_of(WAIT_FOR)
        for word in pc.dependent_startup_wait_for:
            target, conds = split_wait(word)
            out.append(Wait(pc.program, target, conds, WAIT_FOR, span))
    span = pc.span_of(DEPENDS_ON)
    for target in pc.depends_on:
        out.append(Wait(pc.program, target, ("after",), DEPENDS_ON, span))
    return tuple(out)


@dataclass(slots=True)
class Graph:
    """Programs, the groups that name them, and each program's waits."""

    programs: dict[str, tuple[ProcessConfig, ...]]
    groups: dict[str, tuple[str, ...]]
    group_priority: dict[str, int]
    waits: dict[str, tuple[Wait, ...]]
    _cycles: dict[str, tuple[str, ...]] | None = field(default=None)

    @property
    def empty(self) -> bool:
        return not any(self.waits.values())

    def targets(self, name: str) -> tuple[str, ...] | None:
        """The programs `name` stands for: the program itself, else a group's; None if neither."""
        if name in self.programs:
            return (name,)
        return self.groups.get(name)

    def edges(self, program: str) -> list[tuple[Wait, str]]:
        """(wait, target program) for every program `program` waits for that exists."""
        out = []
        for w in self.waits.get(program, ()):
            for t in self.targets(w.target) or ():
                out.append((w, t))
        return out

    def dependants(self) -> dict[str, set[str]]:
        """target program -> the programs that wait for it."""
        rev: dict[str, set[str]] = {p: set() for p in self.programs}
        for p in self.programs:
            for _w, t in self.edges(p):
                rev[t].add(p)
        return rev

    def sort_key(self, program: str) -> tuple[int, int, str]:
        procs = self.programs[program]
        first = procs[0] if procs else None
        gprio = self.group_priority.get(first.group, 999) if first else 999
        return (gprio, first.priority if first else 999, program)

    def cycles(self) -> dict[str, tuple[str, ...]]:
        """program -> a cycle through it (first program repeated at the end), for every
        program on a cycle."""
        if self._cycles is None:
            self._cycles = _find_cycles(self)
        return self._cycles

    def order(self) -> list[str]:
        """Programs in start order: every program after those it waits for, ties by group
        priority, then priority, then name; programs on a cycle come last."""
        indeg: dict[str, int] = {p: 0 for p in self.programs}
        rev = self.dependants()
        for p in self.programs:
            indeg[p] = len({t for _w, t in self.edges(p)})
        heap = [(self.sort_key(p), p) for p, d in indeg.items() if d == 0]
        heapq.heapify(heap)
        out: list[str] = []
        while heap:
            _k, p = heapq.heappop(heap)
            out.append(p)
            for d in rev[p]:
                indeg[d] -= 1
                if indeg[d] == 0:
                    heapq.heappush(heap, (self.sort_key(d), d))
        done = set(out)
        out.extend(sorted((p for p in self.programs if p not in done), key=self.sort_key))
        return out


def build_graph(model: Model) -> Graph:
    return graph_of(model.groups)


def graph_of(group_configs: Iterable[GroupConfig]) -> Graph:
    """The graph of these groups (the runtime's active groups after `update`, say)."""
    programs: dict[str, list[ProcessConfig]] = {}
    groups: dict[str, tuple[str, ...]] = {}
    prio: dict[str, int] = {}
    for g in group_configs:
        prio[g.name] = g.priority
        names: list[str] = []
        for pc in g.processes:
            programs.setdefault(pc.program, []).append(pc)
            if pc.program not in names:
                names.append(pc.program)
        if g.kind == "group":
            groups[g.name] = tuple(names)
    waits = {name: waits_of(procs[0]) for name, procs in programs.items() if procs}
    return Graph({k: tuple(v) for k, v in programs.items()}, groups, prio, waits)


def _find_cycles(graph: Graph) -> dict[str, tuple[str, ...]]:
    """Tarjan's strongly connected components, iteratively; each component of more than one
    program (or a program waiting for itself) is reported as one cycle path."""
    succ = {p: sorted({t for _w, t in graph.edges(p)}) for p in graph.programs}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    comps: list[list[str]] = []
    counter = 0
    for root in sorted(graph.programs):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            nxt = succ[node]
            if i < len(nxt):
                work.append((node, i + 1))
                child = nxt[i]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                comps.append(comp)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    out: dict[str, tuple[str, ...]] = {}
    for comp in comps:
        if len(comp) == 1 and comp[0] not in succ[comp[0]]:
            continue
        path = _cycle_path(sorted(comp)[0], set(comp), succ)
        for p in comp:
            out[p] = path
    return out


def _cycle_path(start: str, members: set[str], succ: dict[str, list[str]]) -> tuple[str, ...]:
    """A shortest path from `start` back to itself inside one component (breadth first)."""
    prev: dict[str, str] = {}
    frontier = [start]
    seen = {start}
    while frontier:
        nxt: list[str] = []
        for node in frontier:
            for child in succ[node]:
                if child not in members:
                    continue
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(prev[path[-1]])
                    return (start, *reversed(path[:-1]), start) if node != start \
                        else (start, start)
                if child not in seen:
                    seen.add(child)
                    prev[child] = node
                    nxt.append(child)
        frontier = nxt
    return (start, start)


def describe_cycle(path: tuple[str, ...]) -> str:
    return " -> ".join(path)
