"""`/metrics`: every metric of runtime/metricdefs.py in the Prometheus text format 0.0.4.

A scrape reads the processes' records and counters and formats them; it builds no dict per
process and no intermediate structure, so it costs the supervisor less than one
`getAllProcessInfo`. Series come in the order of `getAllProcessInfo` (group, then name).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from supervisor_tools.runtime import metricdefs as md
from supervisor_tools.runtime.metrics import ProcessCounters, escape
from supervisor_tools.runtime.rpc.faults import SUPERVISOR_VERSION
from supervisor_tools.runtime.states import Record, State

if TYPE_CHECKING:
    from supervisor_tools.runtime.supervisor import Supervisor

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# node_exporter's collector counts a process as up in these states.
UP_STATES = frozenset({State.STARTING, State.RUNNING, State.STOPPING})

Row = tuple[ProcessCounters, Record, tuple[str, ...]]


def _rows(sup: Supervisor) -> list[Row]:
    rows: list[Row] = []
    for gname in sorted(sup.groups):
        procs = sup.groups[gname].processes
        for pname in sorted(procs):
            proc = procs[pname]
            counters = proc.counters
            if counters is None:  # a process the supervisor did not wire (built by hand)
                counters = proc.counters = sup.metrics.counters(gname, pname)
            streams = ("stdout",) if proc.config.redirect_stderr else ("stdout", "stderr")
            rows.append((counters, proc.record, streams))
    return rows


def _number(value: float) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def render(sup: Supervisor) -> bytes:
    rows = _rows(sup)
    wall = time.time()
    offset = wall - time.monotonic()
    now = int(wall)
    out: list[str] = []
    add = out.append
    extend = out.extend

    def starts(r: Record) -> int:
        return int(r.laststart + offset) if r.laststart else 0

    add(md.NODE_UP.head())
    extend([f"node_supervisord_up{{{c.labels}}} {1 if r.state in UP_STATES else 0}"
            for c, r, _ in rows])
    add(md.NODE_STATE.head())
    extend([f"node_supervisord_state{{{c.labels}}} {int(r.state)}" for c, r, _ in rows])
    add(md.NODE_EXIT_STATUS.head())
    extend([f"node_supervisord_exit_status{{{c.labels}}} {r.exitstatus or 0}"
            for c, r, _ in rows])
    add(md.NODE_START_TIME.head())
    extend([f"node_supervisord_start_time_seconds{{{c.labels}}} {starts(r)}"
            for c, r, _ in rows if r.state in UP_STATES])

    add(md.PROCESS_INFO.head())
    extend([f'supervisor_process_info{{{c.labels},state="{r.state.name}",'
            f'exit_status="{r.exitstatus or 0}"}} {1 if r.state is State.RUNNING else 0}'
            for c, r, _ in rows])
    add(md.PROCESS_UPTIME.head())
    extend([f"supervisor_process_uptime{{{c.labels}}} {now - starts(r)}"
            for c, r, _ in rows if r.state is State.RUNNING])
    add(md.SUPERVISORD_UP.head())
    add("supervisord_up 1")

    add(md.INFO.head())
    add(f'supervisord_info{{version="{escape(SUPERVISOR_VERSION)}"}} 1')
    for metric, attr in ((md.RESTARTS, "restarts"), (md.SPAWN_ERRORS, "spawn_errors"),
                         (md.FATAL, "fatal"), (md.BACKOFFS, "backoffs")):
        add(metric.head())
        name = metric.name
        extend([f"{name}{{{c.labels}}} {getattr(c, attr)}" for c, _, _ in rows])
    add(md.START_DURATION.head())
    name = md.START_DURATION.name
    for c, _, _ in rows:
        add(f"{name}_sum{{{c.labels}}} {_number(c.start_sum)}")
        add(f"{name}_count{{{c.labels}}} {c.start_count}")
    add(md.LOG_BYTES.head())
    extend([f"supervisor_process_log_bytes_total{{{c.stream_labels[s]}}} {c.log_bytes[s]}"
            for c, _, streams in rows for s in streams])
    add(md.LOG_ROTATIONS.head())
    extend([f"supervisor_process_log_rotations_total{{{c.stream_labels[s]}}} "
            f"{c.log_rotations[s]}" for c, _, streams in rows for s in streams])
    add("")
    return "\n".join(out).encode("utf-8")
