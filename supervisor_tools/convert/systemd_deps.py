"""Dependencies as systemd ordering: `After=` for every wait, `Requires=` for the waits that
need their target up (docs/dependencies.md, docs/systemd.md)."""

from __future__ import annotations

from collections.abc import Callable

from supervisor_tools.errors import Span
from supervisor_tools.model.depgraph import build_graph, describe_cycle
from supervisor_tools.model.model import Model, ProcessConfig

REQUIRES = ("started", "running", "exited")
LOST = {"backoff": "systemd cannot start a unit when another enters back-off",
        "stopping": "systemd cannot start a unit when another is stopping",
        "fatal": "systemd has OnFailure= on the failing unit instead of a wait on it"}


def dependency_lines(model: Model, unit_names: dict[str, list[str]],
                     lose: Callable[[Span, str], None]) -> dict[str, list[tuple[str, str]]]:
    """program -> the [Unit] (key, value) lines its waits become; `unit_names` maps each
    program to its units. What systemd cannot express goes to `lose`."""
    graph = build_graph(model)
    cycles = graph.cycles()
    out: dict[str, list[tuple[str, str]]] = {}
    for program, waits in graph.waits.items():
        after: list[str] = []
        requires: list[str] = []
        for w in waits:
            section = f"[{graph.programs[program][0].kind}:{program}]"
            if program in cycles:
                # systemd refuses an ordering cycle (systemd-analyze verify fails on it)
                lose(w.span, f"{section} {w.option}: dependency cycle "
                             f"{describe_cycle(cycles[program])}; left out")
                continue
            targets = graph.targets(w.target)
            if targets is None:
                lose(w.span, f"{section} {w.option}: {w.target!r} names no program or group; "
                             "left out")
                continue
            names = [n for t in targets for n in unit_names.get(t, [])]
            conds = [c for c in w.conditions if c not in LOST]
            for c in w.conditions:
                if c in LOST:
                    lose(w.span, f"{section} {w.option}: {w.target}:{c}: {LOST[c]}")
            if not conds:
                continue
            after.extend(n for n in names if n not in after)
            if "exited" in conds:
                lose(w.span, f"{section} {w.option}: {w.target}:exited: After= waits for the "
                             "exit only when that unit is Type=oneshot")
            if any(c in REQUIRES for c in conds):
                requires.extend(n for n in names if n not in requires)
        lines = [("After", " ".join(after))] if after else []
        if requires:
            lines.append(("Requires", " ".join(requires)))
        if lines:
            out[program] = lines
    return out


def starts(pc: ProcessConfig) -> bool:
    """Whether the program starts with the supervisor: autostart, or dependent_startup (the
    plugin's programs say autostart=false and are started once their waits hold)."""
    return pc.autostart or pc.dependent_startup
