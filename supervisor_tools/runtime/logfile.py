"""A log file: append-only, rotated with line awareness, never raising on write.

Rotation differs from supervisord on purpose. A file is rotated where a line ends: when a write
crosses `maxbytes`, the file ends at the last newline that fits or, when the line under way
ends later in that same write, at that newline (passing `maxbytes` by less than that write).
Output that brings no newline by the bound (a progress bar redrawn with `\\r`, binary data) is
split at the bound instead: after `maxbytes` bytes of output (fewer by up to 3 rather than cut
a UTF-8 character) the file ends with `SPLIT_MARK`, and the next file continues the output.
So no file outgrows its bound by more than one write or the mark, and the backups and the
current file, oldest first and each without a trailing mark, concatenate to exactly the
output. Targets that cannot seek (/dev/stdout, a FIFO) are written without rotation.

Writing never raises: a full disk or a failing rename is reported once through the file's
`report` callback, output that cannot be written meanwhile is dropped (and counted), and the
first write that succeeds again says how much was lost. Logging never blocks control.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import time
from collections.abc import Callable

# Ends a file that was split in the middle of a line. It does not end with a newline, so it
# cannot be mistaken for the end of a file rotated where a line ended.
SPLIT_MARK = b"\n[svtool: continued in the next file]"
# A rotation that failed (a rename refused) is tried again after this many seconds; meanwhile
# the file grows past its bound rather than losing output.
ROTATE_RETRY_SECONDS = 10.0
# AUTO logs are created as supervisord's mkstemp() creates them: readable by the owner only.
PRIVATE_MODE = 0o600
PUBLIC_MODE = 0o644

Follower = Callable[[bytes], None]
# (level, message) for trouble with a log: "error" when writing starts failing, "warn" when
# it works again.
Report = Callable[[str, str], None]


def say_on_stderr(level: str, message: str) -> None:
    """The last resort for trouble with the main log itself (stderr may be gone too)."""
    with contextlib.suppress(OSError, ValueError):
        os.write(sys.stderr.fileno(), f"svtool: {message}\n".encode("utf-8", "replace"))


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


class LogFile:
    """An append-only log file that rotates at line boundaries once it reaches `maxbytes`.

    `maxbytes <= 0` never rotates. `backups == 0` truncates instead of keeping a copy.
    With `lazy`, the file is only created by the first write or by `ensure()`: creating a file
    costs milliseconds on some filesystems, and most programs of a big config are quiet.
    A `private` file (an AUTO log) is created readable by its owner only and never through a
    symlink. `label` names the log in the messages given to `report`.
    """

    def __init__(self, path: str, maxbytes: int = 0, backups: int = 0,
                 lazy: bool = False, private: bool = False, report: Report | None = None,
                 label: str = "log") -> None:
        self.path = path
        self.maxbytes = maxbytes
        self.backups = backups
        self.private = private
        self.report: Report = report or say_on_stderr
        self.label = label
        self.fd = -1
        self.size = 0
        self.rotatable = False
        # True when the last byte written was a newline (or nothing was written yet)
        self.at_line_start = True
        self.followers: list[Follower] = []
        # While writes fail: why, since when, and how many bytes of output were dropped.
        self.trouble: str | None = None
        self.trouble_since = 0.0
        self.lost = 0
        self.cut_line = False  # a failed write left the file in the middle of a line
        # While a failed rotation waits to be retried: why, and until when (monotonic).
        self.rotate_trouble: str | None = None
        self.rotate_after = 0.0
        self._written = 0  # bytes of the write under way that reached the file
        # Told of each rotation that succeeded (the metrics count them).
        self.on_rotate: Callable[[], None] | None = None
        if not lazy:
            self.open()

    def ensure(self) -> None:
        if self.fd < 0:
            self.open()

    def open(self) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC
        if self.private:
            flags |= os.O_NOFOLLOW
        try:
            fd = os.open(self.path, flags, PRIVATE_MODE if self.private else PUBLIC_MODE)
        except OSError as exc:
            if exc.errno not in (errno.ESPIPE, errno.EINVAL):
                raise
            fd = os.open(self.path, os.O_WRONLY | os.O_CLOEXEC)
        try:
            st = os.fstat(fd)
        except OSError:
            os.close(fd)
            raise
        if self.private and stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) & 0o077:
            # A file that was already there, wider: narrow it rather than publish the output.
            with contextlib.suppress(OSError):
                os.fchmod(fd, PRIVATE_MODE)
        self.fd = fd
        self.rotatable = stat.S_ISREG(st.st_mode) and self.maxbytes > 0
        self.size = st.st_size if stat.S_ISREG(st.st_mode) else 0
        self.at_line_start = True

    def close(self) -> None:
        if self.fd >= 0:
            fd, self.fd = self.fd, -1
            with contextlib.suppress(OSError):  # a late write error: nothing left to do
                os.close(fd)

    def reopen(self) -> None:
        if self.fd >= 0:
            self.close()
            try:
                self.open()
            except OSError as exc:
                self.fail(exc)  # the next write tries again

    def write(self, data: bytes) -> None:
        """Append `data`, rotating as needed. Never raises: trouble goes to `report`."""
        if not data:
            return
        if self.followers:
            for follow in list(self.followers):
                follow(data)
        self._written = 0
        try:
            if self.fd < 0:
                self.open()
            if self.cut_line:
                self._write(b"\n", counted=False)  # end the line a failure cut short
                self.cut_line = False
            if self.rotatable and (not self.rotate_after
                                   or time.monotonic() >= self.rotate_after):
                self._write_rotating(data)
            else:
                self._write(data)
        except OSError as exc:
            self.fail(exc, len(data) - self._written)
            return
        if self.trouble is not None:
            self._recovered()

    def _write_rotating(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            base = len(data) - len(view)
            room = self.maxbytes - self.size
            if len(view) < room:
                self._write(view)
                return
            mark = False
            # The last newline that keeps the file within maxbytes ends this file.
            cut = data.rfind(b"\n", base, base + max(room, 0))
            if cut >= 0:
                n = cut + 1 - base
            elif self.at_line_start and self.size > 0:
                n = 0  # a line too long for the room left starts a fresh file
            else:
                # The line under way may end in this file if its newline is in this write;
                # output that brings no newline is split at the bound.
                cut = data.find(b"\n", base) if room > 0 else -1
                if cut >= 0:
                    n = cut + 1 - base
                else:
                    n = self._split_point(view, room)
                    mark = True
            if n:
                self._write(view[:n])
                view = view[n:]
            if not self.rotate(mark):
                self._write(view)  # rotation is failing: grow rather than lose output
                return

    def _split_point(self, view: memoryview, room: int) -> int:
        """How much of `view` still fits before the bound (the split mark goes after it)."""
        n = min(max(room, 0), len(view))
        # Stop before a UTF-8 character that would be cut in two (unless the file would stay
        # empty: a bound smaller than one character still has to move on).
        for j in range(n - 1, max(n - 4, -1), -1):
            lead = view[j]
            if lead & 0xC0 != 0x80:
                length = 1 if lead < 0xC0 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
                if j + length > n and (j > 0 or self.size > 0):
                    return j
                break
        return n

    def _write(self, data: bytes | memoryview, counted: bool = True) -> None:
        total = len(data)
        written = 0
        try:
            while written < total:
                try:
                    written += os.write(self.fd, data[written:])
                except InterruptedError:
                    continue
        finally:
            if written:
                self.size += written
                self.at_line_start = data[written - 1:written] == b"\n"
                if counted:
                    self._written += written

    def rotate(self, mark: bool = False) -> bool:
        """Start a new file; with `mark`, end the old one with SPLIT_MARK.

        Returns False when the backups cannot be shifted: the current file stays open and the
        rotation is tried again after ROTATE_RETRY_SECONDS.
        """
        try:
            if self.backups > 0:
                for i in range(self.backups - 1, 0, -1):
                    src = f"{self.path}.{i}"
                    if os.path.exists(src):
                        os.replace(src, f"{self.path}.{i + 1}")
                if os.path.exists(self.path):
                    os.replace(self.path, f"{self.path}.1")
            else:
                with contextlib.suppress(FileNotFoundError):  # opening creates it again
                    os.truncate(self.path, 0)
                mark = False  # nothing is kept, so nothing to mark
        except OSError as exc:
            self.rotate_after = time.monotonic() + ROTATE_RETRY_SECONDS
            if self.rotate_trouble is None:
                self.rotate_trouble = _reason(exc)
                self.report("error", f"cannot rotate {self.label} {self.path}: "
                                     f"{self.rotate_trouble}; it grows past its maxbytes "
                                     f"until it can")
            return False
        try:
            if mark:
                # The descriptor still reaches the renamed file, now the newest backup.
                self._write(SPLIT_MARK, counted=False)
        finally:
            self.close()
            self.open()
        self.rotate_after = 0.0
        if self.rotate_trouble is not None:
            self.rotate_trouble = None
            self.report("warn", f"{self.label} {self.path} rotates again")
        if self.on_rotate is not None:
            self.on_rotate()
        return True

    def fail(self, exc: OSError, lost: int = 0) -> None:
        """Note that writing failed (said once per episode) and `lost` bytes were dropped."""
        self.lost += lost
        self.cut_line = self.cut_line or not self.at_line_start
        self.close()  # the next write opens the file again
        if self.trouble is None:
            self.trouble = _reason(exc)
            self.trouble_since = time.time()
            self.report("error", f"cannot write {self.label} {self.path}: {self.trouble}; "
                                 f"its output is dropped until it can be written again")

    def _recovered(self) -> None:
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.trouble_since))
        self.report("warn", f"{self.label} {self.path} is written again; {self.lost} bytes "
                            f"were lost since {since} ({self.trouble})")
        self.trouble = None
        self.lost = 0

    def clear(self) -> None:
        """Delete the file and its backups and start an empty one (`clearProcessLogs`)."""
        self.close()
        for path in [self.path] + [f"{self.path}.{i}" for i in range(1, self.backups + 1)]:
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
        self.open()
