"""The supervisor's children, recorded next to its pidfile for the next supervisor to find.

When a supervisor dies without shutting down and its child guard (runtime/guard.py) died with
it, its children keep running. The next supervisor started with the same pidfile reads the
record before it spawns anything and stops every recorded child that still runs (the same pid
with the same kernel start time), saying so in the main log, so that a program never runs
twice. The record is rewritten, atomically, after any loop pass that spawned or reaped.
"""

from __future__ import annotations

import contextlib
import os

from supervisor_tools.runtime.guard import start_time, stop_children

SUFFIX = ".children"


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
    """Write `pid start-time name` lines atomically; no file when there are no children."""
    if not children:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        return
    text = "".join(f"{pid} {started} {name}\n" for pid, (started, name) in children.items())
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8", opener=_private) as f:
        f.write(text)
    os.replace(tmp, path)


def _private(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


def read_record(path: str) -> list[tuple[int, int, str]]:
    """(pid, start time, name) of each recorded child; [] when there is no usable record."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
            out.append((int(parts[0]), int(parts[1]), parts[2]))
    return out


def stop_leftovers(path: str) -> list[str]:
    """Stop the children a previous supervisor recorded at `path` and left running; a line
    for the main log about each one."""
    if not path:
        return []
    recorded = [(pid, started, name) for pid, started, name in read_record(path)
                if pid != os.getpid()]
    stopped = set(stop_children({pid: started for pid, started, _ in recorded}))
    with contextlib.suppress(OSError):
        os.unlink(path)
    return [f"stopped '{name}' (pid {pid}), left running by a previous supervisor that did "
            f"not shut down, so that it does not run twice"
            for pid, _started, name in recorded if pid in stopped]
