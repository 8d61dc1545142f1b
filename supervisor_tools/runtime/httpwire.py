"""HTTP/1.x request heads as the control socket reads them: strict, bounded, never guessing.

Whatever a client sends, `parse_head` either returns a `Request` whose body length is a plain
non-negative number, or raises `HttpError` with the status to answer. Ambiguous framing (a
signed or repeated-and-different Content-Length, a Transfer-Encoding) is refused rather than
interpreted, because two readings of one byte stream are how a request runs into the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The method is an RFC 9110 token; the target has no spaces or controls; 1.0 and 1.1 only.
_REQUEST_LINE = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([\x21-\x7e\x80-\xff]+) "
                           rb"HTTP/(1\.[01])")
_FIELD_NAME = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_DIGITS = re.compile(rb"[0-9]{1,18}")
_BAD_VALUE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


class HttpError(Exception):
    """A request the server answers with `status` (and then closes the connection)."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one connection may make the server hold, and for how long."""

    head: int = 32 * 1024               # request line and headers (431 beyond)
    rpc_body: int = 8 * 1024 * 1024     # an XML-RPC call (413 beyond); sendProcessStdin data
    other_body: int = 64 * 1024         # any other route (the console's actions are tiny)
    stream_backlog: int = 1024 * 1024   # unsent log-stream output before the reader is dropped
    stream_sndbuf: int = 256 * 1024     # kernel send buffer of a log stream
    request_timeout: float = 30.0       # to finish a request once begun (or after connecting)
    idle_timeout: float = 30 * 60.0     # a kept-alive connection between requests (supervisord's)
    write_timeout: float = 60.0         # unsent output with no progress
    linger_timeout: float = 2.0         # reading and discarding after a final error reply
    linger_bytes: int = 256 * 1024


class Request:
    __slots__ = ("method", "path", "version", "headers", "length", "body")

    def __init__(self, method: str, path: str, version: str, headers: dict[str, str],
                 length: int = 0, body: bytes = b"") -> None:
        self.method = method
        self.path = path
        self.version = version
        self.headers = headers
        self.length = length
        self.body = body

    @property
    def keep_alive(self) -> bool:
        conn = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return conn == "keep-alive"
        return conn != "close"

    @property
    def media_type(self) -> str:
        """The Content-Type without parameters, lower-cased (`text/xml; charset=x` -> text/xml)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def parse_head(head: bytes) -> Request:
    """The request line and headers before the blank line (without it)."""
    lines = head.split(b"\r\n")
    match = _REQUEST_LINE.fullmatch(lines[0])
    if match is None:
        raise HttpError("400 Bad Request", "malformed request line")
    headers: dict[str, str] = {}
    lengths: set[bytes] = set()
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or _FIELD_NAME.fullmatch(name) is None:
            # Also refuses obsolete line folding and a space before the colon.
            raise HttpError("400 Bad Request", "malformed header line")
        value = value.strip(b" \t")
        if _BAD_VALUE.search(value):
            raise HttpError("400 Bad Request", "control character in a header")
        key = name.decode("ascii").lower()
        if key == "content-length":
            lengths.update(v.strip(b" \t") for v in value.split(b","))
        elif key == "transfer-encoding":
            raise HttpError("400 Bad Request", "Transfer-Encoding is not supported")
        text = value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    length = 0
    if lengths:
        if len(lengths) != 1:
            raise HttpError("400 Bad Request", "conflicting Content-Length headers")
        (value,) = lengths
        if _DIGITS.fullmatch(value) is None:
            raise HttpError("400 Bad Request", "Content-Length is not a number")
        length = int(value)
    method, target, version = (g.decode("latin-1") for g in match.groups())
    return Request(method, target, f"HTTP/{version}", headers, length)


def response_head(status: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"HTTP/1.1 {status}", "Server: svtool"] + [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
