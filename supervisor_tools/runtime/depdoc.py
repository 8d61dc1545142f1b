"""The dependency scheduler's conditions as a table for docs/states.md, asked of the scheduler.

Each cell is what `deps.Scheduler` itself answers for a program that waits for one target in
one state with one condition, so the page cannot drift from the code: the test of the page
regenerates it.
"""

from __future__ import annotations

from supervisor_tools.errors import Span
from supervisor_tools.model.depgraph import DEPENDS_ON, WAIT_FOR, Graph, Wait
from supervisor_tools.runtime.deps import MET_IN, Scheduler, Snapshot
from supervisor_tools.runtime.states import State

INTRO = """\
## Dependency conditions

How the scheduler in `supervisor_tools/runtime/deps.py` judges one condition of a program
that was asked to start (autostart or a start request) and waits: `b:running` in
`dependent_startup_wait_for`, or `after` for a target named in `depends_on`
([dependencies](dependencies.md)). A row is the target's state when the program is queued
(or the target changes state while it waits); a cell is the scheduler's answer:

- **met**: the condition holds; once it has held while the program waits it stays met (it is
  latched), even if the target moves on before the program's other conditions hold;
- **pending**: the target may still get there by itself; the program stays STOPPED and its
  description says `waiting for b:running: b is STARTING`;
- **blocked**: it cannot get there without someone starting it; the description says
  `cannot start: ...` and a start request fails at once with that reason.

A target that is itself queued is pending while its own conditions may still hold and blocked
when they cannot; a dependency cycle or a target that does not exist blocks. The program
starts when every one of its conditions is met.
"""

# A target's states as the runtime reports them, with what the scheduler also looks at.
ROWS: tuple[tuple[str, Snapshot], ...] = (
    ("STOPPED", Snapshot(State.STOPPED)),
    ("STARTING, not forked yet", Snapshot(State.STARTING, 0)),
    ("STARTING", Snapshot(State.STARTING, 10)),
    ("RUNNING", Snapshot(State.RUNNING, 10)),
    ("BACKOFF", Snapshot(State.BACKOFF)),
    ("STOPPING", Snapshot(State.STOPPING, 10)),
    ("EXITED, expected exit code", Snapshot(State.EXITED)),
    ("EXITED, unexpected exit code", Snapshot(State.EXITED, expected=False)),
    ("EXITED, autorestart due", Snapshot(State.EXITED, restarting=True)),
    ("FATAL", Snapshot(State.FATAL)),
    ("UNKNOWN", Snapshot(State.UNKNOWN)),
)
CONDITIONS = (*MET_IN, "after")
_SPAN = Span.point("docs")


def verdict(condition: str, target: Snapshot) -> str:
    """The scheduler's answer for `a` waiting for `b` with `condition`, `b` being `target`."""
    option = DEPENDS_ON if condition == "after" else WAIT_FOR
    graph = Graph({"a": (), "b": ()}, {}, {}, {"a": (Wait("a", "b", (condition,), option,
                                                          _SPAN),)})
    sched = Scheduler(graph, {"a": ["a:a"], "b": ["b:b"]})
    sched.snap["b:b"] = target
    if sched.want("a:a"):
        return "met"
    return sched.verdict("a:a").status


def section() -> str:
    heads = [f"`b:{c}`" if c != "after" else "`depends_on=b` (after)" for c in CONDITIONS]
    lines = [INTRO, "| target `b` is | " + " | ".join(heads) + " |",
             "|---" * (len(CONDITIONS) + 1) + "|"]
    for label, snap in ROWS:
        lines.append(f"| {label} | "
                     + " | ".join(verdict(c, snap) for c in CONDITIONS) + " |")
    return "\n".join(lines) + "\n"
