"""The supervisor's children, recorded next to its pidfile for the next supervisor to find.

When a supervisor dies without shutting down and its child guard (runtime/guard.py) died with
it, its children keep running. The next supervisor started with the same pidfile reads the
record before it spawns anything and stops every recorded child that still runs (the same pid
with the same kernel start time), saying so in the main log, so that a program never runs
twice. The record is rewritten, atomically, after any loop pass that spawned or reaped. Its
first line names the supervisor that wrote it: while that one still runs (two supervisors
given one pidfile), its children are left alone.
"""

from __future__ import annotations

import contextlib
import os

from supervisor_tools.runtime.guard import alive, start_time, stop_children

SUFFIX = ".children"
_OWNER = "supervisor"


def record_path(pidfile: str) -> str:
    return pidfile + SUFFIX if pidfile else ""


class ChildRecord:
    """The record of one supervisor's live children at `path` ("" for none)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.children: dict[int, tuple[int, str]] = {}
        self.dirty = False
        self.failed = False

    def spawned(self, pid: int, name: str) -> None:
        started = start_time(pid)
        if started is not None:
            self.children[pid] = (started, name)
            self.dirty = True

    def reaped(self, pid: int) -> None:
        if self.children.pop(pid, None) is not None:
            self.dirty = True

    def flush(self) -> str | None:
        """Write the record when it changed; an error text the first time writing fails."""
        if not self.dirty or not self.path:
            return None
        self.dirty = False
        try:
            write_record(self.path, self.children)
        except OSError as exc:
            if not self.failed:
                self.failed = True
                return f"could not record the children in {self.path}: {exc}"
        return None

    def move(self, path: str) -> None:
        """The pidfile moved (a reload): so does the record."""
        if path != self.path:
            if self.path:
                with contextlib.suppress(OSError):
                    os.unlink(self.path)
            self.path = path
            self.dirty = True


def write_record(path: str, children: dict[int, tuple[int, str]]) -> None:
    """Write the owner line and `pid start-time name` lines atomically; no file when there are
    no children."""
    if not children:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        return
    me = os.getpid()
    text = f"{_OWNER} {me} {start_time(me)}\n" + "".join(
        f"{pid} {started} {name}\n" for pid, (started, name) in children.items())
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8", opener=_private) as f:
        f.write(text)
    os.replace(tmp, path)


def _private(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


def read_record(path: str) -> tuple[tuple[int, int] | None, list[tuple[int, int, str]]]:
    """The writer's (pid, start time), and (pid, start time, name) of each recorded child;
    (None, []) when there is no usable record."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return None, []
    owner = None
    out = []
    for line in text.splitlines():
        parts = line.split(" ", 2)
        if len(parts) != 3 or not parts[1].isdigit():
            continue
        if parts[0] == _OWNER and parts[2].isdigit():
            owner = (int(parts[1]), int(parts[2]))
        elif parts[0].isdigit():
            out.append((int(parts[0]), int(parts[1]), parts[2]))
    return owner, out


def stop_leftovers(path: str) -> list[str]:
    """Stop the children a previous supervisor recorded at `path` and left running; a line
    for the main log about each one."""
    if not path:
        return []
    owner, entries = read_record(path)
    if owner is not None and owner[0] != os.getpid() and alive(*owner):
        return [f"{path} records the children of a supervisor that still runs (pid "
                f"{owner[0]}, sharing this pidfile); they are left alone"]
    recorded = [(pid, started, name) for pid, started, name in entries if pid != os.getpid()]
    stopped = set(stop_children({pid: started for pid, started, _ in recorded}))
    with contextlib.suppress(OSError):
        os.unlink(path)
    return [f"stopped '{name}' (pid {pid}), left running by a previous supervisor that did "
            f"not shut down, so that it does not run twice"
            for pid, _started, name in recorded if pid in stopped]
