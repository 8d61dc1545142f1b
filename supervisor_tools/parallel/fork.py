"""Use a second core for part of a job: run one half in a forked child, the other here.

A forked child sees this process's objects as they were at the fork, for free, but can hand back
only bytes; callers send something compact (encoded syntax trees, pickled findings) and fall
back to doing the child's half themselves when it could not (no fork, one core, or the child
failed). Like errors.py, a leaf: it imports nothing of svtool.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_OK, _FAILED = b"\x01", b"\x00"


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Child:
    """A forked child computing bytes; collect() waits for them."""

    def __init__(self, pid: int, read_end: int) -> None:
        self.pid = pid
        self._read_end = read_end
        self._done = False

    def collect(self) -> bytes | None:
        """The child's bytes, or None when it failed. Call once."""
        assert not self._done
        self._done = True
        try:
            # read before reaping: the child blocks on a full pipe until someone reads
            with os.fdopen(self._read_end, "rb") as src:
                data = src.read()
        finally:
            os.waitpid(self.pid, 0)
        return data[1:] if data[:1] == _OK else None


class Forks:
    """Leave to fork helpers, held by the command that was given it.

    Only a short-lived command's entry (boundary.run) hands out one that allows forking: a
    long-lived process (the runtime reaps every child with waitpid(-1) and may run threads) must
    not have children it does not know about. Everything else gets NO_FORKS.
    """

    def __init__(self, allowed: bool) -> None:
        self.allowed = allowed

    def available(self) -> bool:
        return self.allowed and hasattr(os, "fork") and cores() >= 2

    def start(self, there: Callable[[], bytes]) -> Child:
        """Run `there` in a forked child; the caller goes on and collects the bytes later."""
        assert self.allowed, "forking was not allowed to this command"
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: no cleanup, no atexit, no flushing of the parent's buffers
            status, payload = _FAILED, b""
            try:
                os.close(read_end)
                status, payload = _OK, there()
            except BaseException:  # noqa: BLE001 - reported by the parent's own rerun
                pass
            finally:
                try:
                    with os.fdopen(write_end, "wb") as out:
                        out.write(status + payload)
                finally:
                    os._exit(0)  # never return into the parent's code, even if nobody reads
        os.close(write_end)
        return Child(pid, read_end)

    def split(self, here: Callable[[], T], there: Callable[[], bytes]) -> tuple[T, bytes | None]:
        """Run `there` in a forked child while `here` runs in this process.

        Returns `here`'s result and the child's bytes, or None when the child failed (the
        caller then runs that part itself, so an error surfaces where it can be reported). An
        exception in `here` propagates after the child is reaped.
        """
        child = self.start(there)
        try:
            result = here()
        finally:
            data = child.collect()
        return result, data


# The leave of every process svtool does not own and of every long-lived command.
NO_FORKS = Forks(False)
