"""The supervisor's read end of one captured child channel (stdout or stderr).

Reads go straight to the owning process's `output` (logs, events, syslog); a channel whose
writer keeps the pipe full gets a bigger pipe and bigger reads.
"""

from __future__ import annotations

import fcntl
import os
from typing import Protocol

from supervisor_tools.runtime.loop import Loop

F_SETPIPE_SZ = 1031
F_GETPIPE_SZ = 1032
SMALL_READ = 65536
BIG_PIPE = 1 << 20


class _Host(Protocol):
    loop: Loop


class Owner(Protocol):
    """The process a channel belongs to."""

    @property
    def host(self) -> _Host: ...

    def output(self, channel: str, data: bytes) -> None: ...


class Output:
    """One captured channel of a child: a pipe read end feeding a log file."""

    def __init__(self, proc: Owner, channel: str, fd: int) -> None:
        self.proc = proc
        self.channel = channel
        self.fd = fd
        self.bufsize = SMALL_READ
        self.pipe_size = 0
        os.set_blocking(self.fd, False)

    def on_readable(self) -> None:
        try:
            data = os.read(self.fd, self.bufsize)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.close()
            return
        if self.bufsize == SMALL_READ and len(data) >= self._capacity():
            self._grow()
        self.proc.output(self.channel, data)

    def _capacity(self) -> int:
        # Pipes start at 64 KiB, or at 8 KiB once a user holds many pipe pages (500 idle
        # siblings do); a read that empties a full pipe marks a busy writer.
        if self.pipe_size == 0:
            try:
                self.pipe_size = fcntl.fcntl(self.fd, F_GETPIPE_SZ)
            except OSError:
                self.pipe_size = SMALL_READ
        return self.pipe_size

    def _grow(self) -> None:
        """A bigger pipe means fewer, larger reads for a busy writer."""
        try:
            self.pipe_size = fcntl.fcntl(self.fd, F_SETPIPE_SZ, BIG_PIPE)
            self.bufsize = BIG_PIPE
        except OSError:
            self.bufsize = SMALL_READ * 4

    def drain(self) -> None:
        while self.fd >= 0:
            try:
                data = os.read(self.fd, self.bufsize)
            except OSError:
                break
            if not data:
                break
            self.proc.output(self.channel, data)
        self.close()

    def close(self) -> None:
        if self.fd >= 0:
            self.proc.host.loop.remove(self.fd)
            os.close(self.fd)
            self.fd = -1
