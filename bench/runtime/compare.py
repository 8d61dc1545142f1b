"""Print the issue's goal table from two runtime-bench result files (supervisord, svtool).

usage: compare.py SUPERVISORD.json SVTOOL.json
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Callable
from typing import Any

Result = dict[str, Any]


def _median(values: list[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return round(statistics.median(vals), 3) if vals else None


def _startup(d: Result, key: str, startsecs: int = 0, mode: str = "poll") -> float | None:
    return _median([r.get(key) for r in d.get("startup", [])
                    if r.get("startsecs") == startsecs and r.get("mode") == mode])


def _first(d: Result, key: str) -> Any:
    for r in d.get("startup", []):
        if key in r:
            return r[key]
    return None


def _log(d: Result, key: Callable[[Result], float | None], tag: str | None = None) -> Any:
    rows = [r for r in d.get("log", []) if tag is None or r.get("tag") == tag]
    return _median([key(r) for r in rows])


ROWS: list[tuple[str, str, Callable[[Result], Any]]] = [
    ("500 programs, launch -> all RUNNING (startsecs=0, poll)", "<= 0.5 s",
     lambda d: _startup(d, "t_all_running")),
    ("500 programs, launch -> all RUNNING (startsecs=0, log stamps)", "<= 0.5 s",
     lambda d: _startup(d, "log_launch_to_all_running", mode="passive")),
    ("500 programs, launch -> all exec'd (passive)", "",
     lambda d: _startup(d, "t_all_exec", mode="passive")),
    ("kill -9 -> replacement exec'd, median ms (passive)", "<= 10 ms",
     lambda d: (d.get("restart") or {}).get("passive_kill_to_exec_ms", {}).get("median")),
    ("getAllProcessInfo with 500 processes, median ms", "<= 40 ms",
     lambda d: (_first(d, "getAllProcessInfo_ms") or {}).get("median")),
    ("log capture MB/s (median over variants)", ">= 500 MB/s",
     lambda d: _log(d, lambda r: r.get("MB_per_s"))),
    ("lines split at rotation boundaries (total)", "0",
     lambda d: sum(r["integrity"]["split_boundaries"] for r in d.get("log", []))),
    ("missing lines (total)", "0",
     lambda d: sum(r["integrity"]["missing_lines"] for r in d.get("log", []))),
    ("shutdown of 500 children, s", "<= 0.5 s",
     lambda d: _startup(d, "shutdown_s")),
    ("RSS with 500 children, MB", "<= 33 MB",
     lambda d: round(_first(d, "rss_kb") / 1024, 1) if _first(d, "rss_kb") else None),
    ("wake-ups per second when idle", "0",
     lambda d: _first(d, "idle_wakeups_per_s")),
]


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        base = json.load(f)
    with open(argv[2]) as f:
        ours = json.load(f)
    print(f"| measure | {base.get('label')} | {ours.get('label')} | goal |")
    print("|---|---|---|---|")
    for name, goal, get in ROWS:
        print(f"| {name} | {get(base)} | {get(ours)} | {goal} |")
    # The goals were measured on a faster machine; the ratio to supervisord in the same
    # run is the part of a goal that does not depend on the machine.
    theirs_rpc = (_first(base, "getAllProcessInfo_ms") or {}).get("median")
    ours_rpc = (_first(ours, "getAllProcessInfo_ms") or {}).get("median")
    if theirs_rpc and ours_rpc:
        print(f"\ngetAllProcessInfo: {ours.get('label')} / {base.get('label')} = "
              f"{ours_rpc / theirs_rpc:.2f} (the goal, 40 ms against 169 ms: "
              f"{40 / 169:.2f}); supervisord takes {theirs_rpc / 169:.1f}x the issue's 169 ms "
              f"here")
    started = _startup(ours, "log_launch_to_started", mode="passive")
    if started is not None:
        print(f"{ours.get('label')}: launch -> 'supervisord started' (interpreter, imports, "
              f"config) {started} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
