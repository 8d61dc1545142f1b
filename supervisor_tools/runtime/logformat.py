"""Child log formats (`childlog_format`): child output written line by line, each line marked.

`raw` writes the output as it comes (supervisord's only way). `prefix` writes each line after a
timestamp and the process name and stream: `2026-12-03 23:20:01,123 web stdout | message`.
`json` writes one JSON object per line: `{"timestamp": "2026-12-03T23:20:01.123Z", "process":
"web", "group": "web", "stream": "stdout", "message": "..."}`, the form log shippers read.

Output comes in chunks that need not end at a line's end: the part of a line not yet ended is
held until its newline comes, at most LINE_LIMIT bytes of it; a longer line, or what is left when
the output ends, is written as it stands and marked `"partial": true` (in prefix form it simply
ends there). So the messages, each followed by a newline unless partial, are the output exactly.
Bytes that are not UTF-8 stay as `\\udcXX` escapes in JSON (Python's surrogateescape reads them
back); the rest of the text stays readable UTF-8.
"""

from __future__ import annotations

import time
from collections.abc import Callable

LINE_LIMIT = 64 * 1024

Clock = Callable[[], float]


def _local(now: float) -> str:
    # the main log's timestamp: local time, milliseconds after a comma
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now)) + f",{int(now % 1 * 1000):03d}"


def _utc(now: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"


class LineFormatter:
    """One channel of one process: bytes in, formatted lines out."""

    def __init__(self, style: str, process: str, group: str, stream: str,
                 clock: Clock = time.time, limit: int = LINE_LIMIT) -> None:
        if style not in ("prefix", "json"):
            raise ValueError(f"no line format {style!r}")
        self.style = style
        self.process = process
        self.group = group
        self.stream = stream
        self.clock = clock
        self.limit = limit
        self.held = bytearray()
        label = process if group == process else f"{group}:{process}"
        self._prefix = f" {label} {stream} | ".encode()
        self._stamp_at = -1.0
        self._head = b""
        if style == "json":
            # loaded only when used: a supervisor without JSON logs keeps its memory
            import json
            from json.encoder import encode_basestring

            self._quote = encode_basestring  # a str as a JSON string, non-ASCII kept
            self._fields = (f'", "process": {json.dumps(process)}, "group": {json.dumps(group)}, '
                            f'"stream": {json.dumps(stream)}, "message": ').encode()

    def feed(self, data: bytes) -> bytes:
        """The records that `data` completes (b"" while a line is still under way)."""
        out: list[bytes] = []
        now = self.clock()
        held = self.held
        held += data
        start = 0
        while True:
            # a newline within the bound ends a line; past the bound, the bound ends a piece
            end = held.find(b"\n", start, start + self.limit + 1)
            if end >= 0:
                out.append(self._record(bytes(held[start:end]), now, partial=False))
                start = end + 1
            elif len(held) - start > self.limit:
                out.append(self._record(bytes(held[start:start + self.limit]), now,
                                        partial=True))
                start += self.limit
            else:
                break
        del held[:start]
        return b"".join(out)

    def flush(self) -> bytes:
        """The end of the output: the line under way, as it stands."""
        if not self.held:
            return b""
        rest = bytes(self.held)
        self.held.clear()
        return self._record(rest, self.clock(), partial=True)

    def _record(self, line: bytes, now: float, partial: bool) -> bytes:
        if now != self._stamp_at:
            # one timestamp per read: the lines of one chunk came at the same moment
            self._stamp_at = now
            if self.style == "prefix":
                self._head = _local(now).encode() + self._prefix
            else:
                self._head = b'{"timestamp": "' + _utc(now).encode() + self._fields
        if self.style == "prefix":
            return self._head + line + b"\n"
        message = self._quote(line.decode("utf-8", "surrogateescape"))
        # a lone surrogate (a byte that was not UTF-8) becomes its JSON escape, \udcXX
        end = b', "partial": true}\n' if partial else b"}\n"
        return self._head + message.encode("utf-8", "backslashreplace") + end


def formatters(style: str, process: str, group: str) -> dict[str, LineFormatter]:
    """The formatters of a process's two channels; none for `raw`."""
    if style == "raw":
        return {}
    return {stream: LineFormatter(style, process, group, stream)
            for stream in ("stdout", "stderr")}
