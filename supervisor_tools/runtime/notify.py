"""Tell systemd about the supervisor's state (sd_notify), without libsystemd.

When systemd starts a `Type=notify` service it passes the path of a datagram socket in
NOTIFY_SOCKET; the service sends newline-separated `KEY=value` assignments to it. A path
starting with "@" names a socket in the abstract namespace.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping


class Notifier:
    """Sends state changes to systemd; does nothing when not started by systemd."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET", "")
        self.address: str | None = None
        if address.startswith("/"):
            self.address = address
        elif address.startswith("@") and len(address) > 1:
            self.address = "\0" + address[1:]

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, **fields: str | int) -> bool:
        """Send one message, e.g. send(READY=1, STATUS="3 processes running").

        Returns whether it was delivered; a missing or broken socket is not an error for the
        supervisor (systemd may simply not be listening any more).
        """
        if self.address is None:
            return False
        message = "\n".join(f"{key}={value}" for key, value in fields.items()).encode()
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto(message, self.address)
        except OSError:
            return False
        return True

    def ready(self, status: str = "") -> bool:
        return self.send(READY=1, STATUS=status) if status else self.send(READY=1)

    def reloading(self) -> bool:
        return self.send(RELOADING=1)

    def stopping(self) -> bool:
        return self.send(STOPPING=1)
