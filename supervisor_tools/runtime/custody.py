"""Children never outlive a killed supervisor, nor run twice: the guard and the record together.

The child guard (runtime/guard.py) stops the children as soon as the supervisor dies without
shutting down; the record next to the pidfile (runtime/leftovers.py) lets the next supervisor
stop whatever survived both, before it spawns anything.
"""

from __future__ import annotations

import os

from supervisor_tools.runtime.guard import Guard
from supervisor_tools.runtime.leftovers import ChildRecord, record_path, stop_leftovers
from supervisor_tools.runtime.logs import MainLog


class Custody:
    def __init__(self, log: MainLog, pidfile: str) -> None:
        self.log = log
        self.record = ChildRecord(record_path(pidfile))
        self.guard = Guard()

    def start(self) -> None:
        """Stop a previous life's leftovers, then start the guard (before any thread)."""
        for line in stop_leftovers(self.record.path):
            self.log.warn(line)
        if not os.path.isdir("/proc"):
            return  # the guard tells its children apart by /proc's start times
        try:
            pid = self.guard.start()
        except OSError as exc:
            self.log.warn(f"could not start the child guard ({exc}); children will outlive "
                          f"a supervisor that is killed")
            return
        self.log.info(f"child guard started with pid {pid}")

    def spawned(self, pid: int, name: str) -> None:
        self.guard.spawned(pid)
        self.record.spawned(pid, name)

    def reaped(self, pid: int, status: int) -> bool:
        """Note a reaped pid; True when it was the guard's."""
        if pid == self.guard.pid and self.guard.pid:
            self.guard.lost()
            self.guard.pid = 0
            self.log.warn(f"child guard (pid {pid}) exited (status {status}); children will "
                          f"outlive a supervisor that is killed")
            return True
        self.guard.reaped(pid)
        self.record.reaped(pid)
        return False

    def flush(self) -> None:
        """After each loop pass: tell the guard, rewrite the record if it changed."""
        self.guard.flush()
        error = self.record.flush()
        if error:
            self.log.warn(error)

    def moved(self, pidfile: str) -> None:
        self.record.move(record_path(pidfile))

    def close(self, children_alive: bool) -> None:
        """The supervisor ends in order. Children it leaves alive (it could not stop them)
        stay recorded for the next supervisor, as supervisord leaves them running."""
        self.guard.close()
        if not children_alive:
            self.record.children.clear()
            self.record.dirty = True
        self.record.flush()
