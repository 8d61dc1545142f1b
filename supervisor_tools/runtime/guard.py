"""The child guard: a small process that stops the children when the supervisor is killed.

A supervisor that dies without its orderly shutdown (SIGKILL, the OOM killer, a crash of the
interpreter) used to leave every child running, and the next supervisor started a second set
beside them. Linux's parent-death signal (prctl PR_SET_PDEATHSIG) cannot do this job here: it
must be set in the child between fork and exec, which the fast libc spawn path never runs code
in; it fires when the *thread* that spawned the child ends, and the fast path spawns on
short-lived threads; and exec of a set-user-ID program clears it.

So the supervisor forks this guard once at start-up. The guard holds the read end of a pipe
whose only write end is the supervisor's (close-on-exec, so no child inherits it) and hears
"+pid" for every spawn and "-pid" for every reap. End of file without a goodbye means the
supervisor is gone: the guard sends SIGTERM to each live child's process group, SIGKILL after
GRACE_SECONDS to what is left, and exits. Each child is recognised by its kernel start time as
well as its pid, so a pid reused in the meantime is never signalled.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time

# How long children get to exit on SIGTERM before the guard sends SIGKILL.
GRACE_SECONDS = 2.0
_QUIT = b"q\n"


def start_time(pid: int) -> int | None:
    """The kernel's start time of `pid` (clock ticks since boot); None when it is gone or
    only a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    fields = stat[stat.rfind(b")") + 2:].split()
    try:
        return None if fields[0] in (b"Z", b"X") else int(fields[19])
    except (IndexError, ValueError):
        return None


def alive(pid: int, started: int | None) -> bool:
    """Whether the process that had start time `started` still runs as `pid` (None: it had
    already gone when it was noted)."""
    return started is not None and start_time(pid) == started


def stop_children(children: dict[int, int | None], grace: float = GRACE_SECONDS) -> list[int]:
    """SIGTERM each child's process group, SIGKILL survivors after `grace`; the pids that
    were alive (and so were signalled)."""
    live = [pid for pid, started in children.items() if alive(pid, started)]
    for pid in live:
        _signal_group(pid, signal.SIGTERM)
    end = time.monotonic() + grace
    rest = live
    while rest and time.monotonic() < end:
        time.sleep(0.02)
        rest = [pid for pid in rest if alive(pid, children[pid])]
    for pid in rest:
        _signal_group(pid, signal.SIGKILL)
    return live


def _signal_group(pid: int, sig: int) -> None:
    # Children lead their own process group; the group also reaches what they started.
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(OSError):
            kill(pid, sig)


class Guard:
    """The supervisor's side: start the guard, tell it about children, say goodbye."""

    def __init__(self) -> None:
        self.pid = 0
        self.fd = -1
        self.pending = bytearray()

    def start(self) -> int:
        """Fork the guard; its pid. Call before any thread exists (fork copies only one)."""
        r, w = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(r)
            os.close(w)
            raise
        if pid == 0:  # pragma: no cover - the guard process; tested end to end
            try:
                os.close(w)
                _guard_main(r)
            finally:
                os._exit(0)
        os.close(r)
        self.pid, self.fd = pid, w
        os.set_blocking(w, False)
        return pid

    def spawned(self, pid: int) -> None:
        if self.fd >= 0:
            self.pending += b"+%d\n" % pid

    def reaped(self, pid: int) -> None:
        if self.fd >= 0:
            self.pending += b"-%d\n" % pid

    def flush(self) -> None:
        """Send what was noted; called after every batch of loop events."""
        if not self.pending or self.fd < 0:
            return
        try:
            n = os.write(self.fd, self.pending)
        except BlockingIOError:
            return  # the guard is behind; the next batch tries again
        except OSError:
            self.lost()
            return
        del self.pending[:n]

    def lost(self) -> None:
        """The guard exited: nothing more is sent to it."""
        if self.fd >= 0:
            os.close(self.fd)
        self.fd = -1
        self.pending.clear()

    def close(self) -> None:
        """The supervisor ends in order: the guard exits and leaves any child alone."""
        if self.fd < 0:
            return
        os.set_blocking(self.fd, True)
        with contextlib.suppress(OSError):
            os.write(self.fd, bytes(self.pending) + _QUIT)
        self.lost()


def _guard_main(fd: int) -> None:  # pragma: no cover - runs in the guard process
    # Only the pipe stays open: no listening socket, log file or child pipe lives on here.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
                signal.SIGUSR2):
        signal.signal(sig, signal.SIG_IGN)  # it ends when the supervisor does, not before
    for sig in (signal.SIGCHLD, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)
    with contextlib.suppress(ValueError, OSError):
        signal.set_wakeup_fd(-1)
    os.setsid()  # out of the supervisor's process group and terminal
    if fd != 3:
        os.dup2(fd, 3)
        fd = 3
    devnull = os.open(os.devnull, os.O_RDWR)
    for target in (0, 1, 2):
        os.dup2(devnull, target)
    os.closerange(4, max(4, os.sysconf("SC_OPEN_MAX")))
    with contextlib.suppress(OSError):
        os.chdir("/")
    children: dict[int, int | None] = {}
    rest = b""
    while True:
        try:
            data = os.read(fd, 65536)
        except InterruptedError:
            continue
        except OSError:
            data = b""
        if not data:
            break
        lines = (rest + data).split(b"\n")
        rest = lines.pop()
        for line in lines:
            if line == b"q":
                return
            if line[:1] == b"+":
                pid = int(line[1:])
                children[pid] = start_time(pid)
            elif line[:1] == b"-":
                children.pop(int(line[1:]), None)
    stop_children(children)
