"""Capture mode: output between <!--XSUPERVISOR:BEGIN--> and <!--XSUPERVISOR:END--> tokens.

A program with `stdout_capture_maxbytes` (or stderr's) > 0 may embed a message in its output;
the message becomes a PROCESS_COMMUNICATION event instead of a log line. The capture buffer
keeps at most maxbytes the way supervisord's bounded buffer does (a write that would overflow
first drops as many bytes from the front as it adds).
"""

from __future__ import annotations

from typing import Literal

from supervisor_tools.runtime.events import BEGIN_TOKEN, END_TOKEN

Piece = tuple[Literal["log", "captured", "message"], bytes]


def prefix_at_end(data: bytes, token: bytes) -> int:
    """Length of the longest proper prefix of `token` that `data` ends with."""
    for n in range(min(len(token) - 1, len(data)), 0, -1):
        if data.endswith(token[:n]):
            return n
    return 0


class Capture:
    def __init__(self, maxbytes: int) -> None:
        self.maxbytes = maxbytes
        self.capturing = False
        self.pending = b""  # a possible token start, held until the next read decides it
        self.buffer = b""

    def feed(self, data: bytes) -> list[Piece]:
        """Split a chunk of output into plain log data, captured data and finished messages.

        Captured data is reported too: supervisord logs it through the capture log, which
        still emits PROCESS_LOG events and main-log debug lines for it.
        """
        buf = self.pending + data
        self.pending = b""
        pieces: list[Piece] = []
        while buf:
            token = END_TOKEN if self.capturing else BEGIN_TOKEN
            if len(buf) <= len(token):
                # As supervisord does: too short to decide, so wait for more output.
                self.pending = buf
                break
            before, sep, after = buf.partition(token)
            if not sep:
                keep = prefix_at_end(buf, token)
                if keep:
                    self.pending = buf[-keep:]
                    buf = buf[:-keep]
                self._emit(buf, pieces)
                break
            self._emit(before, pieces)
            if self.capturing:
                pieces.append(("message", self.buffer))
                self.buffer = b""
            self.capturing = not self.capturing
            buf = after
        return pieces

    def _emit(self, data: bytes, pieces: list[Piece]) -> None:
        if not data:
            return
        if self.capturing:
            if len(self.buffer) + len(data) > self.maxbytes:
                self.buffer = self.buffer[len(data):]
            self.buffer += data
            pieces.append(("captured", data))
        else:
            pieces.append(("log", data))

    def flush(self) -> bytes:
        """End of output: the plain output still held back; capture state starts afresh."""
        data = b"" if self.capturing else self.pending
        self.capturing = False
        self.pending = self.buffer = b""
        return data
