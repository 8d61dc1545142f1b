"""`/metrics`: every metric of runtime/metricdefs.py in the Prometheus text format 0.0.4.

A scrape must cost the supervisor less than one `getAllProcessInfo`. Most series exist for
every process whatever its state, so their text, labels included, is laid out once into a
`%`-template per set of processes (`Layout`, rebuilt when processes come or go), and a scrape
only collects the numbers and fills them in with one `%` operation. The few series that come
and go with the state (start time, uptime, the state label) are formatted per scrape. Series
come in the order of `getAllProcessInfo` (group, then name).
"""

from __future__ import annotations

import time
import weakref
from typing import TYPE_CHECKING

from supervisor_tools.runtime import metricdefs as md
from supervisor_tools.runtime.metrics import ProcessCounters, Registry, escape
from supervisor_tools.runtime.rpc.faults import SUPERVISOR_VERSION
from supervisor_tools.runtime.states import State

if TYPE_CHECKING:
    from supervisor_tools.runtime.process import Process
    from supervisor_tools.runtime.supervisor import Supervisor

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# node_exporter's collector counts a process as up in these states.
UP_STATES = frozenset({State.STARTING, State.RUNNING, State.STOPPING})
_UP = {state: int(state in UP_STATES) for state in State}
_RUNNING = {state: int(state is State.RUNNING) for state in State}
_NAME = {state: state.name for state in State}  # an enum's .name is a slow property
_INFO_LABELS = f'version="{escape(SUPERVISOR_VERSION)}"'


class Layout:
    """The processes of one generation of the registry and the fixed part of their text."""

    def __init__(self, sup: Supervisor) -> None:
        self.procs: list[Process] = []
        self.counters: list[ProcessCounters] = []
        # (counters, stream) for each stream that has its own log, in order
        self.streams: list[tuple[ProcessCounters, str]] = []
        self.bytes: list[tuple[ProcessCounters, str]] = []  # (counters, its attribute)
        self.rotations: list[tuple[ProcessCounters, str]] = []
        for gname in sorted(sup.groups):
            procs = sup.groups[gname].processes
            for pname in sorted(procs):
                proc = procs[pname]
                counters = proc.counters
                if counters is None:  # a process the supervisor did not wire (built by hand)
                    counters = proc.counters = sup.metrics.counters(gname, pname)
                self.procs.append(proc)
                self.counters.append(counters)
                for stream in ("stdout",) if proc.config.redirect_stderr else \
                        ("stdout", "stderr"):
                    self.streams.append((counters, stream))
                    self.bytes.append((counters, f"{stream}_bytes"))
                    self.rotations.append((counters, f"{stream}_rotations"))
        labels = [_literal(c.labels) for c in self.counters]
        lines: list[str] = []
        for metric in (md.NODE_UP, md.NODE_STATE, md.NODE_EXIT_STATUS):
            lines.append(_literal(metric.head()))
            lines += [f"{metric.name}{{{lb}}} %d" for lb in labels]
        self.node = "\n".join(lines)
        lines = []
        for metric in (md.RESTARTS, md.SPAWN_ERRORS, md.FATAL, md.BACKOFFS):
            lines.append(_literal(metric.head()))
            lines += [f"{metric.name}{{{lb}}} %d" for lb in labels]
        name = md.START_DURATION.name
        lines.append(_literal(md.START_DURATION.head()))
        for lb in labels:
            lines += [f"{name}_sum{{{lb}}} %r", f"{name}_count{{{lb}}} %d"]
        for metric in (md.LOG_BYTES, md.LOG_ROTATIONS):
            lines.append(_literal(metric.head()))
            lines += [f'{metric.name}{{{_literal(c.labels)},stream="{s}"}} %d'
                      for c, s in self.streams]
        self.runtime = "\n".join(lines)


def _literal(text: str) -> str:
    """`text` as a part of a %-template."""
    return text.replace("%", "%%")


_LAYOUTS: weakref.WeakKeyDictionary[Registry, tuple[int, Layout]] = \
    weakref.WeakKeyDictionary()


def layout(sup: Supervisor) -> Layout:
    cached = _LAYOUTS.get(sup.metrics)
    if cached is None or cached[0] != sup.metrics.generation:
        cached = (sup.metrics.generation, Layout(sup))
        _LAYOUTS[sup.metrics] = cached
    return cached[1]


def render(sup: Supervisor) -> bytes:
    lay = layout(sup)
    records = [p.record for p in lay.procs]
    counters = lay.counters
    wall = time.time()
    offset = wall - time.monotonic()
    now = int(wall)

    node = lay.node % (*[_UP[r.state] for r in records], *[r.state for r in records],
                       *[r.exitstatus or 0 for r in records])
    out = [node, md.NODE_START_TIME.head()]
    out += [f"node_supervisord_start_time_seconds{{{c.labels}}} "
            f"{int(r.laststart + offset) if r.laststart else 0}"
            for c, r in zip(counters, records, strict=True) if r.state in UP_STATES]
    out.append(md.PROCESS_INFO.head())
    out += [f'supervisor_process_info{{{c.labels},state="{_NAME[r.state]}",'
            f'exit_status="{r.exitstatus or 0}"}} {_RUNNING[r.state]}'
            for c, r in zip(counters, records, strict=True)]
    out.append(md.PROCESS_UPTIME.head())
    out += [f"supervisor_process_uptime{{{c.labels}}} "
            f"{now - (int(r.laststart + offset) if r.laststart else 0)}"
            for c, r in zip(counters, records, strict=True) if r.state is State.RUNNING]
    out += [md.SUPERVISORD_UP.head(), "supervisord_up 1",
            md.INFO.head(), f"supervisord_info{{{_INFO_LABELS}}} 1"]
    durations: list[float | int] = []
    for c in counters:
        durations += (c.start_sum, c.start_count)
    out.append(lay.runtime % (
        *[c.restarts for c in counters], *[c.spawn_errors for c in counters],
        *[c.fatal for c in counters], *[c.backoffs for c in counters], *durations,
        *[getattr(c, a) for c, a in lay.bytes], *[getattr(c, a) for c, a in lay.rotations]))
    out.append("")
    return "\n".join(out).encode("utf-8")
