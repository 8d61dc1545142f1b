"""docs/states.md from the transition tables: the process lifecycle, the listener protocol and
the dependency conditions.

Regenerate with `python -m supervisor_tools.runtime.statedoc docs/states.md`; a test fails when
the checked-in page differs from what this module generates.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from enum import IntEnum
from typing import Any

from supervisor_tools.runtime import depdoc, listenerstates, readystates, states

INTRO = """\
# Process and event-listener states

Generated from the transition tables in `supervisor_tools/runtime/states.py`,
`supervisor_tools/runtime/readystates.py` and `supervisor_tools/runtime/listenerstates.py`, and
from the dependency scheduler in `supervisor_tools/runtime/deps.py`, by
`python -m supervisor_tools.runtime.statedoc docs/states.md`; do not edit by hand.

Each row of a table is a (state, event) pair the state accepts, the function that handles it
and the states it may enter, passing through or ending in. A pair that is not listed is refused
(a bug in the caller). A handler may also leave the state as it is (a row that enters nothing
always does): the diagrams draw that only for such rows.
"""

PROCESS = """\
## Process lifecycle

One process of a `[program:x]`, `[fcgi-program:x]` or `[eventlistener:x]`, as supervisord
4.3.0 runs it. Every event carries the time; one deadline per process covers startsecs
(STARTING), the backoff delay (BACKOFF), stopwaitsecs (STOPPING) and the restart interval
(EXITED).
"""

READINESS = """\
## Readiness and liveness

The rows `supervisor_tools/runtime/readystates.py` adds to the process lifecycle, or puts in
place of a row above, for programs with `sd_notify`, `ready_log_line` or probes
([readiness](readiness.md)). A replaced row hands the event to the row above when the program
has no readiness check and the supervisor is not ending the process itself, so a program
without these options runs exactly as in the table above. In STARTING the one deadline is the
readiness timeout (`readytimeoutsecs`), in RUNNING the watchdog (`watchdogsecs`).
"""

LISTENER = """\
## Event-listener protocol

An `[eventlistener:x]` process's side of the protocol, next to its process state: it writes
`READY\\n`, is sent one event, answers `RESULT <len>\\n<data>`, and the pool's result handler
judges the answer. A listener that breaks the protocol is UNKNOWN until it is started again.
"""


def _event_doc(cls: type) -> str:
    doc = cls.__doc__ or ""
    if doc.startswith(cls.__name__ + "("):  # the signature dataclasses fill in
        return ""
    return " ".join(doc.split("\n\n")[0].split())


def _section(text: str, table: Mapping[tuple[Any, type], Any], initial: IntEnum) -> str:
    edges: dict[tuple[str, str], list[str]] = {}
    for (state, event), transition in table.items():
        for target in sorted(transition.enters) or [state]:
            edges.setdefault((state.name, target.name), []).append(event.__name__)
    lines = [text, "```mermaid", "stateDiagram-v2", f"    [*] --> {initial.name}"]
    lines += [f"    {src} --> {dst}: {', '.join(names)}" for (src, dst), names in edges.items()]
    lines += ["```", "", "| State | Event | Handler | May enter |", "|---|---|---|---|"]
    for (state, event), transition in table.items():
        enters = ", ".join(s.name for s in sorted(transition.enters)) or "(stays)"
        lines.append(f"| {state.name} | {event.__name__} | `{transition.handler.__name__}` "
                     f"| {enters} |")
    lines += ["", "Events:", ""]
    for event in dict.fromkeys(event for _, event in table):
        doc = _event_doc(event)
        lines.append(f"- `{event.__name__}`" + (f": {doc}" if doc else ""))
    return "\n".join(lines) + "\n"


def page() -> str:
    return "\n".join([INTRO, _section(PROCESS, states.TABLE, states.State.STOPPED),
                      _section(READINESS, readystates.ROWS, states.State.STARTING),
                      _section(LISTENER, listenerstates.TABLE,
                               listenerstates.ListenerState.ACKNOWLEDGED),
                      depdoc.section()])


def write(path: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(page())


if __name__ == "__main__":
    write(sys.argv[1] if len(sys.argv) > 1 else "docs/states.md")
