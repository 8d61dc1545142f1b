"""Dependencies as Compose `depends_on` (long form), after every service is known.

`started` and depends_on's order (`required: false`) become `service_started`,
`running`/`ready` become `service_healthy` when every service of the target has a healthcheck
(a readiness probe that became one; otherwise `service_started`, reported), `exited` becomes
`service_completed_successfully`. A group stands for each of its programs. Compose has no wait
for back-off, stopping or a fatal state, one condition per service, and refuses cycles: those
are reported.
"""

from __future__ import annotations

from typing import Any

from supervisor_tools.convert.kubernetes_programs import Report
from supervisor_tools.model.depgraph import Wait, build_graph, describe_cycle
from supervisor_tools.model.model import Model

STARTED = "service_started"
HEALTHY = "service_healthy"
COMPLETED = "service_completed_successfully"
CONDITION = {"after": STARTED, "started": STARTED, "running": HEALTHY, "ready": HEALTHY,
             "exited": COMPLETED}
LOST = {"backoff": "Compose cannot start a service when another enters back-off",
        "stopping": "Compose cannot start a service when another is stopping",
        "fatal": "Compose cannot start a service when another has failed for good"}
# when two waits name the same service, the one that waits longer wins
STRENGTH = {STARTED: 0, HEALTHY: 1, COMPLETED: 2}


def write_depends_on(model: Model, services_of: dict[str, list[str]],
                     services: dict[str, dict[str, Any]], report: Report) -> None:
    """Set `depends_on` on the services of every program that waits; `services_of` maps each
    program to its services."""
    graph = build_graph(model)
    cycles = graph.cycles()
    for program, waits in graph.waits.items():
        names = services_of.get(program, [])
        if not waits or not names:
            continue
        section = f"[{graph.programs[program][0].kind}:{program}]"

        def lose(w: Wait, why: str, section: str = section) -> None:
            report.lose(w.span, f"{section} {w.option}: {w.word}: {why}", key=f"{w.word} {why}")

        if program in cycles:
            for w in waits:
                lose(w, f"dependency cycle {describe_cycle(cycles[program])}: Compose "
                        "refuses a cycle of depends_on")
            continue
        deps: dict[str, str] = {}
        required: set[str] = set()  # services some wait needs, not only orders after
        for w in waits:
            targets = graph.targets(w.target)
            if targets is None:
                lose(w, f"{w.target!r} names no program or group; left out")
                continue
            for c in w.conditions:
                if c in LOST:
                    lose(w, LOST[c])
            kept = {CONDITION[c] for c in w.conditions if c in CONDITION}
            if not kept:
                continue
            wanted = [n for t in targets for n in services_of.get(t, [])]
            if len(kept) > 1:
                lose(w, "Compose has one condition per service: it waits for the start "
                        "(service_started)")
                condition = STARTED
            else:
                condition = kept.pop()
            if condition == HEALTHY and not all("healthcheck" in services[n] for n in wanted):
                lose(w, "the target has no healthcheck (no exec readiness probe): Compose waits "
                        "for its start (service_started), not for RUNNING")
                condition = STARTED
            if w.conditions != ("after",) and any(_scaled_to_zero(services[n]) for n in wanted):
                lose(w, "the target does not start with the supervisor (autostart=false: "
                        "replicas 0); svtool waits until it is started by hand, Compose cannot "
                        "wait for a service scaled to 0")
            for n in wanted:
                if n not in deps or STRENGTH[condition] > STRENGTH[deps[n]]:
                    deps[n] = condition
                if w.conditions != ("after",):
                    required.add(n)
        if deps:
            for name in names:
                services[name]["depends_on"] = {n: depends(c, n in required)
                                                for n, c in deps.items()}


def depends(condition: str, required: bool) -> dict[str, Any]:
    """One depends_on entry. depends_on (the key) orders only: svtool never waits for a
    program that is not going to start, which Compose says with `required: false`."""
    return {"condition": condition} if required else {"condition": condition, "required": False}


def _scaled_to_zero(service: dict[str, Any]) -> bool:
    return bool(service.get("deploy", {}).get("replicas", 1) == 0)
