"""Log files: child output capture with line-boundary rotation, and supervisord's main log.

Rotation differs from supervisord on purpose: a file is only rotated where a line ends, so no
line is ever split across two files (a line longer than maxbytes makes its file longer instead).
Targets that cannot seek (/dev/stdout, a FIFO) are written without rotation instead of failing.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from supervisor_tools.runtime.syslog import SyslogConnection

LEVELS = {"critical": 50, "error": 40, "warn": 30, "info": 20, "debug": 10, "trace": 5,
          "blather": 3}
LEVEL_NAMES = {50: "CRIT", 40: "ERRO", 30: "WARN", 20: "INFO", 10: "DEBG", 5: "TRAC", 3: "BLAT"}

_ANSI = re.compile(rb"\x1b\[[\d;]*[HfABCDRsuJKhlpm]")

Follower = Callable[[bytes], None]


def _syslog_connection() -> SyslogConnection:
    from supervisor_tools.runtime.syslog import connection

    return connection()


def strip_ansi(data: bytes) -> bytes:
    return _ANSI.sub(b"", data)


def is_file_target(value: str | None) -> bool:
    return bool(value) and value not in ("NONE", "OFF", "AUTO", "syslog")


class LogFile:
    """An append-only log file that rotates at line boundaries once it reaches `maxbytes`.

    `maxbytes <= 0` never rotates. `backups == 0` truncates instead of keeping a copy.
    With `lazy`, the file is only created by the first write or by `ensure()`: creating a file
    costs milliseconds on some filesystems, and most programs of a big config are quiet.
    """

    def __init__(self, path: str, maxbytes: int = 0, backups: int = 0,
                 lazy: bool = False) -> None:
        self.path = path
        self.maxbytes = maxbytes
        self.backups = backups
        self.fd = -1
        self.size = 0
        self.rotatable = False
        # True when the last byte written was a newline (or nothing was written yet)
        self.at_line_start = True
        self.followers: list[Follower] = []
        if not lazy:
            self.open()

    def ensure(self) -> None:
        if self.fd < 0:
            self.open()

    def open(self) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC
        try:
            self.fd = os.open(self.path, flags, 0o644)
        except OSError as exc:
            if exc.errno not in (errno.ESPIPE, errno.EINVAL):
                raise
            self.fd = os.open(self.path, os.O_WRONLY | os.O_CLOEXEC)
        st = os.fstat(self.fd)
        self.rotatable = stat.S_ISREG(st.st_mode) and self.maxbytes > 0
        self.size = st.st_size if stat.S_ISREG(st.st_mode) else 0
        self.at_line_start = True

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def reopen(self) -> None:
        if self.fd >= 0:
            self.close()
            self.open()

    def write(self, data: bytes) -> None:
        if not data:
            return
        if self.fd < 0:
            self.open()
        if self.followers:
            for follow in list(self.followers):
                follow(data)
        if not self.rotatable:
            self._write(data)
            return
        view = memoryview(data)
        while view:
            base = len(data) - len(view)
            room = self.maxbytes - self.size
            if len(view) < room:
                self._write(view)
                return
            # The last newline that keeps the file within maxbytes ends this file.
            cut = data.rfind(b"\n", base, base + max(room, 0))
            if cut < 0:
                if self.at_line_start and self.size > 0:
                    self.rotate()  # a line too long for the room left starts a fresh file
                    continue
                # The line under way is finished in this file, even past maxbytes.
                cut = data.find(b"\n", base)
                if cut < 0:
                    self._write(view)
                    return
            n = cut + 1 - base
            self._write(view[:n])
            view = view[n:]
            self.rotate()

    def _write(self, data: bytes | memoryview) -> None:
        total = len(data)
        written = 0
        while written < total:
            try:
                written += os.write(self.fd, data[written:])
            except InterruptedError:
                continue
        self.size += total
        self.at_line_start = data[-1:] == b"\n"

    def rotate(self) -> None:
        self.close()
        if self.backups > 0:
            for i in range(self.backups - 1, 0, -1):
                src = f"{self.path}.{i}"
                if os.path.exists(src):
                    os.replace(src, f"{self.path}.{i + 1}")
            if os.path.exists(self.path):
                os.replace(self.path, f"{self.path}.1")
        else:
            with contextlib.suppress(OSError):
                os.truncate(self.path, 0)
        self.open()

    def clear(self) -> None:
        """Delete the file and its backups and start an empty one (`clearProcessLogs`)."""
        self.close()
        for path in [self.path] + [f"{self.path}.{i}" for i in range(1, self.backups + 1)]:
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
        self.open()


class MainLog:
    """supervisord's own log: `2026-11-21 10:00:00,123 INFO message`, filtered by level.

    Lines are collected and written once per loop batch (and before every HTTP reply), so
    starting 500 programs costs a handful of writes instead of a thousand.

    With `syslog` (`logfile=syslog`) the lines go to the local syslog instead of a file, as
    supervisord sends them: each line of a message is one syslog message carrying the same
    timestamp and level prefix as the file would.
    """

    def __init__(self, path: str | None, level: str = "info", maxbytes: int = 0,
                 backups: int = 0, echo: bool = False, syslog: bool = False) -> None:
        self.level = LEVELS.get(level, 20)
        self.path = path
        self.file = LogFile(path, maxbytes, backups) if path else None
        self.echo = echo
        self.pending: list[bytes] = []
        self.syslog: SyslogConnection | None = _syslog_connection() if syslog else None
        self.pending_syslog: list[bytes] = []

    def reconfigure(self, path: str | None, level: str, maxbytes: int, backups: int,
                    syslog: bool = False) -> None:
        """Apply settings a reload changed; the file is only reopened when it changed."""
        self.level = LEVELS.get(level, 20)
        if syslog != (self.syslog is not None):
            self.flush()
            self.syslog = _syslog_connection() if syslog else None
        old = (self.path, self.file.maxbytes, self.file.backups) if self.file else (None, 0, 0)
        if (path, maxbytes, backups) == old or (path is None and self.file is None):
            return
        self.flush()
        if self.file is not None:
            self.file.close()
        self.path = path
        self.file = LogFile(path, maxbytes, backups) if path else None

    def enabled(self, level: str) -> bool:
        return LEVELS.get(level, 20) >= self.level

    def log(self, level: str, message: str) -> None:
        lv = LEVELS.get(level, 20)
        if lv < self.level:
            return
        now = time.time()
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
        prefix = f"{stamp},{int(now % 1 * 1000):03d} {LEVEL_NAMES[lv]} "
        line = f"{prefix}{message}\n".encode("utf-8", "replace")
        self.pending.append(line)
        if self.syslog is not None:
            self.pending_syslog.extend(f"{prefix}{part}".encode("utf-8", "replace")
                                       for part in message.rstrip("\n").split("\n"))
        if len(self.pending) > 512:
            self.flush()

    def flush(self) -> None:
        if self.pending_syslog:
            from supervisor_tools.runtime.syslog import frame

            now = time.time()
            lines, self.pending_syslog = self.pending_syslog, []
            if self.syslog is not None:
                self.syslog.send([frame(line, now) for line in lines])
        if not self.pending:
            return
        data = b"".join(self.pending)
        self.pending.clear()
        if self.file is not None:
            self.file.write(data)
        if self.echo:
            try:
                os.write(sys.stdout.fileno(), data)
            except (OSError, ValueError):
                self.echo = False

    def info(self, message: str) -> None:
        self.log("info", message)

    def warn(self, message: str) -> None:
        self.log("warn", message)

    def error(self, message: str) -> None:
        self.log("error", message)

    def critical(self, message: str) -> None:
        self.log("critical", message)

    def debug(self, message: str) -> None:
        self.log("debug", message)

    def reopen(self) -> None:
        self.flush()
        if self.file is not None:
            self.file.reopen()

    def close(self) -> None:
        self.flush()
        if self.file is not None:
            self.file.close()


def read_slice(path: str, offset: int, length: int) -> bytes:
    """Bytes of a log for readLog/readProcessLog. Raises ValueError('BAD_ARGUMENTS'|'FAILED')."""
    try:
        with open(path, "rb") as f:
            if offset < 0:
                if length:
                    raise ValueError("BAD_ARGUMENTS")
                size = f.seek(0, 2)
                f.seek(max(0, size + offset))
                return f.read(-offset)
            if length < 0:
                raise ValueError("BAD_ARGUMENTS")
            f.seek(offset)
            return f.read(length) if length else f.read()
    except OSError as exc:
        raise ValueError("FAILED") from exc


def tail_slice(path: str, offset: int, length: int) -> tuple[bytes, int, bool]:
    """[data, next offset, overflow] as tailProcessStdoutLog answers."""
    try:
        with open(path, "rb") as f:
            size = f.seek(0, 2)
            overflow = False
            if size > offset + length:
                overflow = True
                offset = size - 1
            if offset + length > size:
                if offset > size - 1:
                    length = 0
                offset = size - length
            offset = max(offset, 0)
            length = max(length, 0)
            data = b""
            if length:
                f.seek(offset)
                data = f.read(length)
            return data, size, overflow
    except OSError:
        return b"", offset, False


def cleanup_auto_logs(childlogdir: str, identifier: str) -> None:
    """Delete AUTO child logs left by an earlier run with the same identifier."""
    pattern = re.compile(r".+?---" + re.escape(identifier) + r"-\S+\.log\.?\d{0,4}")
    try:
        names = os.listdir(childlogdir)
    except OSError:
        return
    for name in names:
        if pattern.match(name):
            with contextlib.suppress(OSError):
                os.remove(os.path.join(childlogdir, name))
