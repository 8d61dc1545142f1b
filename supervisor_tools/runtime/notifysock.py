"""One process's NOTIFY_SOCKET: a datagram socket that hears sd_notify messages from it.

Each process that uses sd_notify gets a socket of its own in the abstract namespace (no file
to clean up, reachable whatever user the child runs as). Anyone on the machine may send to
it, so the kernel's record of the sender (SO_PASSCRED / SCM_CREDENTIALS) decides: a message
counts only when its sender is the process itself or one of its descendants.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
import struct
from collections.abc import Callable

_UCRED = struct.Struct("iII")  # struct ucred: pid, uid, gid
_MAX_MESSAGE = 4096
_BATCH = 64
_SEQ = itertools.count(1)


def parent_of(pid: int) -> int:
    """The parent pid of `pid` from /proc, 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return 0
    # the command name in parentheses may hold spaces and parentheses: split after the last ")"
    fields = stat[stat.rfind(b")") + 2:].split()
    return int(fields[1]) if len(fields) > 1 else 0


def descends_from(pid: int, ancestor: int, parent: Callable[[int], int] = parent_of) -> bool:
    """Whether `pid` is `ancestor` or a descendant of it."""
    if ancestor <= 0:
        return False
    for _ in range(256):  # a bound, in case /proc changes under us
        if pid == ancestor:
            return True
        if pid <= 1:
            return False
        pid = parent(pid)
    return False


def parse(message: bytes) -> dict[str, str]:
    """sd_notify's newline-separated KEY=value assignments (a later one wins)."""
    out: dict[str, str] = {}
    for line in message.decode("utf-8", "replace").split("\n"):
        key, sep, value = line.partition("=")
        if sep and key:
            out[key] = value
    return out


class NotifySocket:
    """The bound socket; `receive()` returns the messages a trusted sender sent since."""

    def __init__(self, label: str) -> None:
        name = f"svtool/{os.getpid()}/{next(_SEQ)}/{label}"[:100]
        self.sock = socket.socket(socket.AF_UNIX,
                                  socket.SOCK_DGRAM | socket.SOCK_CLOEXEC | socket.SOCK_NONBLOCK)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
            self.sock.bind("\0" + name)
        except OSError:
            self.sock.close()
            raise
        # what the child finds in NOTIFY_SOCKET ("@" is how sd_notify writes the abstract "\0")
        self.address = "@" + name
        self.ignored = 0

    def fileno(self) -> int:
        return self.sock.fileno()

    def receive(self, pid: int) -> list[dict[str, str]]:
        """Every waiting message from `pid` or its descendants; the others are dropped."""
        out: list[dict[str, str]] = []
        # a bounded batch: a process that floods its socket cannot hold up the loop (the rest
        # is read on the next pass, the socket being still readable)
        for _ in range(_BATCH):
            try:
                data, ancdata, _flags, _addr = self.sock.recvmsg(
                    _MAX_MESSAGE, socket.CMSG_SPACE(_UCRED.size))
            except (BlockingIOError, InterruptedError):
                return out
            except OSError:
                return out
            sender = 0
            for level, kind, payload in ancdata:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS \
                        and len(payload) >= _UCRED.size:
                    sender = _UCRED.unpack_from(payload)[0]
            if sender and descends_from(sender, pid):
                out.append(parse(data))
            else:
                self.ignored += 1
        return out

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()
