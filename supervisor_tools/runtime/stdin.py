"""What `sendProcessStdin` sends a child: written as its stdin pipe drains, up to a bound.

A pipe holds 64 KiB; a child that reads slowly leaves the rest waiting here, and the loop
writes more each time the pipe has room. The buffer is bounded so that a client cannot make
the supervisor hold an unbounded amount for a child that never reads: data that would pass the
bound is refused whole (nothing of it is queued), and the caller faults.
"""

from __future__ import annotations

import errno
import os
import selectors

from supervisor_tools.runtime.loop import Loop

# The most unread stdin data the supervisor holds for one process, on top of the pipe itself.
STDIN_BUFFER_MAX = 8 << 20


class StdinFull(Exception):
    """Accepting the data would make the process's stdin buffer exceed STDIN_BUFFER_MAX."""


class StdinWriter:
    """The supervisor's end of one child's stdin pipe (non-blocking), and what waits for it."""

    def __init__(self, loop: Loop, fd: int, limit: int = STDIN_BUFFER_MAX) -> None:
        self.loop = loop
        self.fd = fd
        self.limit = limit
        self.pending = bytearray()
        self.sent = 0  # how much of `pending` the pipe has taken (dropped in large steps)
        self.broken = False  # the child closed its end (EPIPE): nothing more can be sent

    def write(self, data: bytes) -> None:
        """Queue `data` and send what the pipe takes now.

        Raises BrokenPipeError when the child no longer reads its stdin, StdinFull when the
        data does not fit in the buffer (then nothing of it is queued).
        """
        if self.broken:
            raise BrokenPipeError(errno.EPIPE, "the process's stdin is closed")
        if self.unsent + len(data) > self.limit:
            raise StdinFull(f"{self.unsent} bytes wait to be read, the limit is {self.limit}")
        was_idle = not self.unsent
        self.pending += data
        if was_idle:
            self._flush()
            if self.broken:
                raise BrokenPipeError(errno.EPIPE, "the process's stdin is closed")
            if self.unsent:
                self.loop.set_events(self.fd, selectors.EVENT_WRITE, self._on_writable)

    @property
    def unsent(self) -> int:
        return len(self.pending) - self.sent

    def _flush(self) -> None:
        while self.unsent:
            try:
                with memoryview(self.pending) as view:
                    n = os.write(self.fd, view[self.sent:])
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                # EPIPE, or the descriptor is unusable: drop what waits, as supervisord does.
                self.broken = True
                self._drop()
                return
            self.sent += n
        if not self.unsent:
            self._drop()
        elif self.sent > len(self.pending) // 2:
            # Dropping the sent part now and then, not after every write, keeps a large
            # buffer from being moved once per pipe-full.
            del self.pending[:self.sent]
            self.sent = 0

    def _drop(self) -> None:
        self.pending = bytearray()
        self.sent = 0

    def _on_writable(self) -> None:
        self._flush()
        if not self.unsent:
            self.loop.remove(self.fd)

    def close(self) -> None:
        """Stop writing (the child exited); the caller closes the descriptor."""
        if self.unsent:
            self.loop.remove(self.fd)
        self._drop()
        self.broken = True
