"""Process status structs as supervisord shapes them (getProcessInfo, getAllConfigInfo)."""

from __future__ import annotations

import datetime
import math
import time
from typing import Any

from supervisor_tools.runtime.process import Process
from supervisor_tools.runtime.readiness import with_note
from supervisor_tools.runtime.rpc.faults import XMLRPC_INT_MAX
from supervisor_tools.runtime.states import State


def clock_offset() -> float:
    return time.time() - time.monotonic()


def _epoch(mono: float, offset: float) -> int:
    return min(int(mono + offset), XMLRPC_INT_MAX) if mono else 0


def uptime(seconds: int) -> str:
    """`str(datetime.timedelta(seconds=...))` for whole seconds, without building one."""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours}:{minutes:02d}:{secs:02d}"
    if days:
        return f"{days} day{'' if days == 1 else 's'}, {clock}"
    return clock


def describe(state: State, info: dict[str, Any]) -> str:
    if state is State.RUNNING:
        up = max(0, info["now"] - info["start"])
        return f"pid {info['pid']}, uptime {uptime(up)}"
    if state in (State.FATAL, State.BACKOFF):
        return str(info["spawnerr"]) or f'unknown error (try "tail {info["name"]}")'
    if state in (State.STOPPED, State.EXITED):
        if info["start"]:
            return datetime.datetime.fromtimestamp(info["stop"]).strftime("%b %d %I:%M %p")
        return "Not started"
    return ""


def restarting_in(remaining: float) -> str:
    """The note of an EXITED process whose restart waits (a backoff or the restart interval):
    whole seconds, rounded up, so it never reads 0 s while the wait lasts."""
    return f"restarting in {max(1, math.ceil(remaining))} s"


def process_info(group: str, proc: Process, now: int, offset: float) -> dict[str, Any]:
    r = proc.record
    info: dict[str, Any] = {
        "name": proc.name, "group": group,
        "start": _epoch(r.laststart, offset), "stop": _epoch(r.laststop, offset), "now": now,
        "state": int(r.state), "statename": r.state.name, "spawnerr": r.spawnerr,
        "exitstatus": r.exitstatus or 0, "logfile": proc.stdout_logfile,
        "stdout_logfile": proc.stdout_logfile, "stderr_logfile": proc.stderr_logfile,
        "pid": r.pid,
    }
    info["description"] = with_note(describe(r.state, info), proc.note)
    if r.state is State.EXITED and r.deadline is not None:  # autorestart waits for its time
        info["description"] = with_note(info["description"],
                                        restarting_in(r.deadline - time.monotonic()))
    if r.state is State.STOPPED:
        waiting = proc.host.waiting(proc)  # queued behind its dependencies
        if waiting:
            info["description"] = waiting
    return info


def uid_of(user: str | None) -> int | None:
    if not user:
        return None
    from supervisor_tools.options import users

    try:
        return users.passwd(user).pw_uid
    except (KeyError, ValueError):
        return None
