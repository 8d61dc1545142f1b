"""sd_notify messages reach a socket the test listens on, as systemd's would."""

from __future__ import annotations

import socket
from pathlib import Path

from supervisor_tools.runtime.notify import Notifier


def _listen(path: str) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(5)
    return sock


def test_ready_stopping_reloading_are_delivered(tmp_path: Path) -> None:
    path = str(tmp_path / "notify.sock")
    with _listen(path) as sock:
        notifier = Notifier({"NOTIFY_SOCKET": path})
        assert notifier.enabled
        assert notifier.ready("2 processes running")
        assert sock.recv(4096) == b"READY=1\nSTATUS=2 processes running"
        assert notifier.reloading()
        assert sock.recv(4096) == b"RELOADING=1"
        assert notifier.stopping()
        assert sock.recv(4096) == b"STOPPING=1"


def test_abstract_namespace_socket() -> None:
    name = f"svtool-test-{id(object())}"
    with _listen("\0" + name) as sock:
        assert Notifier({"NOTIFY_SOCKET": "@" + name}).ready()
        assert sock.recv(4096) == b"READY=1"


def test_without_systemd_nothing_is_sent() -> None:
    notifier = Notifier({})
    assert not notifier.enabled
    assert notifier.ready() is False


def test_vanished_socket_is_not_an_error(tmp_path: Path) -> None:
    assert Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone.sock")}).stopping() is False
