"""The unix control socket: never reachable through a mode wider than chmod=, and only a
stale socket is ever removed from its path."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path
from typing import Any

import pytest

from supervisor_tools.errors import Span, SvtoolError
from supervisor_tools.model.model import UnixHttpServerConfig
from supervisor_tools.runtime.sockets import open_unix

SPAN = Span.point("t.conf")


def cfg(path: Path, **kw: Any) -> UnixHttpServerConfig:
    return UnixHttpServerConfig(section="unix_http_server", source=SPAN, file=str(path), **kw)


@pytest.mark.parametrize("chmod", [0o700, 0o770, 0o777, 0o600])
def test_the_socket_never_has_a_wider_mode_than_chmod(tmp_path: Path, chmod: int,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Under umask 000, record the mode at the instant bind() creates the path, and at every
    step after it, until the listener is returned."""
    path = tmp_path / "s.sock"
    seen: list[int] = []
    real_bind, real_chown, real_chmod = socket.socket.bind, os.chown, os.chmod

    def look() -> None:
        seen.append(stat.S_IMODE(os.lstat(path).st_mode))

    def bind(self: socket.socket, addr: Any) -> None:
        real_bind(self, addr)
        look()

    def change_owner(p: Any, uid: int, gid: int) -> None:
        real_chown(p, uid, gid)
        look()

    def change_mode(p: Any, mode: int) -> None:
        real_chmod(p, mode)
        look()

    monkeypatch.setattr(socket.socket, "bind", bind)
    monkeypatch.setattr(os, "chown", change_owner)
    monkeypatch.setattr(os, "chmod", change_mode)
    old = os.umask(0)
    try:
        sock = open_unix(cfg(path, chmod=chmod, chown=f"{os.getuid()}:{os.getgid()}"))
    finally:
        os.umask(old)
    try:
        assert len(seen) == 3 and seen[-1] == chmod
        assert all(mode & ~chmod == 0 for mode in seen), [oct(m) for m in seen]
        assert os.umask(old) == old  # the process umask is back
    finally:
        sock.close()


@pytest.mark.parametrize("kind", ["file", "directory", "symlink"])
def test_a_non_socket_at_the_path_is_kept(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "s.sock"
    if kind == "file":
        path.write_text("precious\n")
    elif kind == "directory":
        path.mkdir()
    else:
        path.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(SvtoolError) as info:
        open_unix(cfg(path))
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    assert os.path.lexists(path)
    if kind == "file":
        assert path.read_text() == "precious\n"


def test_a_stale_socket_is_replaced_and_a_live_one_is_not(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(path))
    stale.close()  # the path stays, nobody listens
    live = open_unix(cfg(path))
    try:
        with pytest.raises(SvtoolError, match="already listening"):
            open_unix(cfg(path))
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(str(path))
    finally:
        live.close()
