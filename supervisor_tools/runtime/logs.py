"""supervisord's main log, and reading logs back for readLog, tail and /logtail.

Log files themselves (rotation, write failures) are `logfile.LogFile`.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from typing import TYPE_CHECKING

from supervisor_tools.runtime.logfile import SPLIT_MARK, Follower, LogFile, say_on_stderr

if TYPE_CHECKING:
    from supervisor_tools.runtime.syslog import SyslogConnection

__all__ = ["SPLIT_MARK", "Follower", "LogFile", "MainLog", "cleanup_auto_logs", "read_slice",
           "strip_ansi", "tail_slice"]

LEVELS = {"critical": 50, "error": 40, "warn": 30, "info": 20, "debug": 10, "trace": 5,
          "blather": 3}
LEVEL_NAMES = {50: "CRIT", 40: "ERRO", 30: "WARN", 20: "INFO", 10: "DEBG", 5: "TRAC", 3: "BLAT"}

_ANSI = re.compile(rb"\x1b\[[\d;]*[HfABCDRsuJKhlpm]")


def _syslog_connection() -> SyslogConnection:
    from supervisor_tools.runtime.syslog import connection

    return connection()


def strip_ansi(data: bytes) -> bytes:
    return _ANSI.sub(b"", data)


def is_file_target(value: str | None) -> bool:
    return bool(value) and value not in ("NONE", "OFF", "AUTO", "syslog")


class MainLog:
    """supervisord's own log: `2026-11-21 10:00:00,123 INFO message`, filtered by level.

    Lines are collected and written once per loop batch (and before every HTTP reply), so
    starting 500 programs costs a handful of writes instead of a thousand.

    With `syslog` (`logfile=syslog`) the lines go to the local syslog instead of a file, as
    supervisord sends them: each line of a message is one syslog message carrying the same
    timestamp and level prefix as the file would.

    Flushing never raises: when the file cannot be written (a full disk), stderr is told once,
    the lines are dropped, and the log itself says what was lost once it works again.
    """

    def __init__(self, path: str | None, level: str = "info", maxbytes: int = 0,
                 backups: int = 0, echo: bool = False, syslog: bool = False) -> None:
        self.level = LEVELS.get(level, 20)
        self.path = path
        self.file = self._open(path, maxbytes, backups, lazy=False)
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
        self.file = self._open(path, maxbytes, backups, lazy=True)
        if self.file is not None:
            try:
                self.file.ensure()
            except OSError as exc:
                self.file.fail(exc)  # said once; each flush tries the file again

    def _open(self, path: str | None, maxbytes: int, backups: int,
              lazy: bool) -> LogFile | None:
        # A start-up with an unusable main log fails (as supervisord's does); a reload or a
        # full disk later only loses lines.
        if not path:
            return None
        return LogFile(path, maxbytes, backups, lazy=lazy, report=self._trouble,
                       label="the main log")

    def _trouble(self, level: str, message: str) -> None:
        if level == "error":
            say_on_stderr(level, message)  # the log cannot say it
        else:
            self.log(level, message)

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
        self._flush()
        if self.pending:
            self._flush()  # the note that the file works again, written after the batch

    def _flush(self) -> None:
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
