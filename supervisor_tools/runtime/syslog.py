"""`stdout_syslog` / `stderr_syslog`: child output sent to the local syslog, one line per message.

Each line goes out as `<name> <line>`, with supervisord's ident so existing syslog filters keep
matching. Unlike supervisord, which sends whatever one pipe read returned, a line split across
two reads is sent once, whole. Messages use the local syslog socket (RFC 3164 framing, as
libc's syslog() writes it); the socket path can be replaced with SVTOOL_SYSLOG_SOCKET.
A syslog that is missing or full loses the message: the supervisor never blocks on it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time

DEFAULT_SOCKET = "/dev/log"
IDENT = "supervisord"  # the program name supervisord's messages carry
LOG_USER = 1
LOG_INFO = 6
# A line longer than this is sent in pieces rather than held back.
MAX_LINE = 8192


def socket_path() -> str:
    return os.environ.get("SVTOOL_SYSLOG_SOCKET") or DEFAULT_SOCKET


class SyslogConnection:
    """A datagram connection to the syslog socket, made on first use and again after errors."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.sock: socket.socket | None = None

    def _connect(self) -> socket.socket | None:
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            sock = socket.socket(socket.AF_UNIX, kind | socket.SOCK_CLOEXEC)
            try:
                sock.connect(self.path)
            except OSError:
                sock.close()
                continue
            sock.setblocking(False)
            return sock
        return None

    def send(self, messages: list[bytes]) -> None:
        if self.sock is None:
            self.sock = self._connect()
            if self.sock is None:
                return
        stream = self.sock.type == socket.SOCK_STREAM
        for msg in messages:
            try:
                self.sock.send(msg + b"\0" if stream else msg)
            except BlockingIOError:
                return  # syslog is behind: drop rather than stall every process
            except OSError:
                self.close()  # syslog restarted: reconnect on the next message
                return

    def close(self) -> None:
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
            self.sock = None


_connections: dict[str, SyslogConnection] = {}


def connection(path: str | None = None) -> SyslogConnection:
    path = path or socket_path()
    conn = _connections.get(path)
    if conn is None:
        conn = _connections[path] = SyslogConnection(path)
    return conn


def frame(text: bytes, now: float | None = None) -> bytes:
    stamp = time.strftime("%b %d %H:%M:%S", time.localtime(now))
    # RFC 3164 pads the day with a space, not a zero.
    if stamp[4] == "0":
        stamp = stamp[:4] + " " + stamp[5:]
    pri = LOG_USER * 8 + LOG_INFO
    return b"<%d>%s %s: %s" % (pri, stamp.encode(), IDENT.encode(), text)


class SyslogSink:
    """One channel of one process: complete lines, prefixed with the process name."""

    def __init__(self, name: str, conn: SyslogConnection | None = None) -> None:
        self.prefix = name.encode("utf-8", "replace") + b" "
        self.conn = conn or connection()
        self.partial = b""

    def write(self, data: bytes) -> None:
        data = self.partial + data
        end = data.rfind(b"\n")
        if end < 0:
            self.partial = data
            if len(data) > MAX_LINE:
                self.flush()
            return
        self.partial = data[end + 1:]
        now = time.time()
        self.conn.send([frame(self.prefix + line, now)
                        for line in data[:end].split(b"\n")])

    def flush(self) -> None:
        """Send a last line that had no newline (the process exited or the log closes)."""
        if self.partial:
            line, self.partial = self.partial, b""
            self.conn.send([frame(self.prefix + line)])


def sinks_for(name: str, stdout: bool, stderr: bool, redirect_stderr: bool
              ) -> dict[str, SyslogSink]:
    """The syslog sinks of a process's channels (stderr is stdout's when redirected)."""
    sinks: dict[str, SyslogSink] = {}
    if stdout:
        sinks["stdout"] = SyslogSink(name)
    if stderr and not redirect_stderr:
        sinks["stderr"] = SyslogSink(name)
    return sinks
