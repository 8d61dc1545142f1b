"""Rules about dependencies between programs (dependent_startup_wait_for, depends_on)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from supervisor_tools.errors import Severity
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Report, rule
from supervisor_tools.model.model import ProcessConfig

if TYPE_CHECKING:
    from supervisor_tools.model.depgraph import Graph

W = Severity.WARNING
E = Severity.ERROR


def _graph(ctx: Context) -> Graph | None:
    # Most configs write no dependency: they need neither the graph nor its module, whose
    # import would cost every cold `svtool lint` about a millisecond.
    if not any(p.depends_on or (p.dependent_startup and p.dependent_startup_wait_for)
               for p in ctx.processes()):
        return None
    from supervisor_tools.model.depgraph import build_graph

    return build_graph(ctx.model)


def graph(ctx: Context) -> Graph | None:
    """The model's dependency graph; None when no program waits for another."""
    return ctx.memo(_graph)


def _first(g: Graph, program: str) -> ProcessConfig:
    return g.programs[program][0]


@rule("SV280", "dependency-cycle", E, "programs wait for each other in a cycle",
      options=("dependent_startup_wait_for", "depends_on"))
def dependency_cycle(ctx: Context, report: Report) -> None:
    """Programs that wait for each other, directly or through others, can never start: each
    waits for the next to start first. `svtool run` leaves every program on the cycle STOPPED
    with the cycle as its reason; the `supervisord-dependent-startup` plugin refuses the whole
    config, and ochinchina/supervisord never finishes sorting its programs. The finding is on
    each program of the cycle, at the wait that closes it.

    Failing:

        [program:api]
        command = /usr/bin/api
        dependent_startup = true
        dependent_startup_wait_for = worker:running

        [program:worker]
        command = /usr/bin/worker
        depends_on = api

    Passing:

        [program:api]
        command = /usr/bin/api

        [program:worker]
        command = /usr/bin/worker
        depends_on = api
    """
    g = graph(ctx)
    if g is None:
        return
    from supervisor_tools.model.depgraph import describe_cycle

    for program, path in sorted(g.cycles().items()):
        nxt = path[path.index(program) + 1] if program in path[:-1] else path[1]
        for w, target in g.edges(program):
            if target == nxt:
                report(w.span, f"[{_first(g, program).kind}:{program}] {w.option}: dependency "
                               f"cycle {describe_cycle(path)}; none of these can start")
                break


@rule("SV281", "dependency-unknown", E, "a wait names no program or group",
      options=("dependent_startup_wait_for", "depends_on"))
def dependency_unknown(ctx: Context, report: Report) -> None:
    """A dependency must name a `[program:x]` (or `[eventlistener:x]`, `[fcgi-program:x]`)
    section or a `[group:x]`. A name that is neither can never be met: `svtool run` leaves the
    program STOPPED saying so, and the plugin drops the wait with a warning. Usually a typo or
    a program removed from the config.

    Failing:

        [program:web]
        command = /usr/bin/web
        dependent_startup = true
        dependent_startup_wait_for = postgress:running

        [program:postgres]
        command = /usr/bin/postgres

    Passing:

        [program:web]
        command = /usr/bin/web
        dependent_startup = true
        dependent_startup_wait_for = postgres:running

        [program:postgres]
        command = /usr/bin/postgres
    """
    g = graph(ctx)
    if g is None:
        return
    for program, waits in g.waits.items():
        for w in waits:
            if g.targets(w.target) is None:
                report(w.span, f"[{_first(g, program).kind}:{program}] {w.option}: "
                               f"{w.target!r} names no program or group")


@rule("SV282", "exited-wait-on-autorestart", W,
      "a wait for an exit of a program that autorestart=true restarts",
      options=("dependent_startup_wait_for", "autorestart"))
def exited_wait_on_autorestart(ctx: Context, report: Report) -> None:
    """`name:exited` waits for a one-shot job to finish with an expected exit code. With
    `autorestart=true` the job is spawned again as soon as it exits, so it does not stay
    EXITED and its dependants may wait for ever. Use `autorestart=false` (or the default
    `unexpected`, which retries only failed runs) for a job others wait on.

    Failing:

        [program:migrate]
        command = /usr/bin/migrate
        autorestart = true

        [program:web]
        command = /usr/bin/web
        dependent_startup = true
        dependent_startup_wait_for = migrate:exited

    Passing:

        [program:migrate]
        command = /usr/bin/migrate
        startsecs = 0
        autorestart = false

        [program:web]
        command = /usr/bin/web
        dependent_startup = true
        dependent_startup_wait_for = migrate:exited
    """
    g = graph(ctx)
    if g is None:
        return
    for program, waits in g.waits.items():
        for w in waits:
            if "exited" not in w.conditions:
                continue
            for t in g.targets(w.target) or ():
                if _first(g, t).autorestart is True:
                    report(w.span, f"[{_first(g, program).kind}:{program}] {w.option}: waits "
                                   f"for {t} to exit, but {t} has autorestart=true and is "
                                   "restarted at once")
                    break


@rule("SV283", "wait-for-without-dependent-startup", W,
      "dependent_startup_wait_for without dependent_startup=true",
      options=("dependent_startup_wait_for", "dependent_startup"))
def wait_for_without_switch(ctx: Context, report: Report) -> None:
    """As in the `supervisord-dependent-startup` plugin, `dependent_startup_wait_for` only
    applies to a program with `dependent_startup=true`; without it the program starts at once
    and the waits are ignored.

    Failing:

        [program:web]
        command = /usr/bin/web
        dependent_startup_wait_for = db:running

    Passing:

        [program:web]
        command = /usr/bin/web
        autostart = false
        dependent_startup = true
        dependent_startup_wait_for = db:running
    """
    seen: set[str] = set()
    for proc in ctx.processes():
        if proc.program in seen or proc.dependent_startup or not proc.dependent_startup_wait_for:
            continue
        seen.add(proc.program)
        report(proc.span_of("dependent_startup_wait_for"),
               f"[{proc.kind}:{proc.program}] dependent_startup_wait_for is ignored without "
               "dependent_startup=true")
