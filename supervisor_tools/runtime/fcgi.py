"""`[fcgi-program:x]`: the listening socket a FastCGI group shares.

The socket is created and bound when the group is added and closed when the group goes away
(remove, reload, shutdown). Every process of the group gets it as its stdin (fd 0), where a
FastCGI application expects to accept connections; such processes have no stdin pipe.
"""

from __future__ import annotations

import contextlib
import os
import socket
from dataclasses import dataclass

from supervisor_tools.model.model import GroupConfig
from supervisor_tools.options import users

DEFAULT_MODE = 0o700


class FcgiError(Exception):
    """The socket of a FastCGI group cannot be created (the text is for the main log)."""


@dataclass(frozen=True, slots=True)
class Address:
    family: int
    unix_path: str = ""
    host: str = ""
    port: int = 0


def parse_url(url: str) -> Address:
    """`unix:///abs/path` or `tcp://host:port` (the loader has validated it already)."""
    if url.startswith("unix://"):
        return Address(socket.AF_UNIX, unix_path=url[len("unix://"):])
    if url.startswith("tcp://"):
        host, _, port = url[len("tcp://"):].rpartition(":")
        host = host.lower()
        # supervisord keeps "*" literally; binding it means every interface.
        return Address(socket.AF_INET, host="" if host == "*" else host, port=int(port))
    raise FcgiError(f"Bad socket format {url}")


def owner_ids(owner: str | None, program_user: str | None) -> tuple[int, int] | None:
    """(uid, gid) the socket file is given, or None to leave it as created."""
    spec = owner
    if not spec:
        if not program_user:
            return None
        spec = program_user
    name, _, group = spec.partition(":")
    try:
        pw = users.passwd(name)
    except (KeyError, ValueError) as exc:
        raise FcgiError(f"Invalid socket_owner value {spec}") from exc
    if not owner and pw.pw_uid == os.getuid():
        return None  # the program runs as the supervisor's own user: nothing to change
    if not group:
        return pw.pw_uid, pw.pw_gid
    try:
        gid = users.group(group).gr_gid
    except KeyError as exc:
        raise FcgiError(f"Invalid socket_owner value {spec}") from exc
    return pw.pw_uid, gid


class FcgiSocket:
    def __init__(self, config: GroupConfig) -> None:
        assert config.socket is not None
        self.url = config.socket
        self.address = parse_url(config.socket)
        users = {p.user for p in config.processes}
        program_user = users.pop() if len(users) == 1 else None
        self.sock = self._create(config, program_user)

    def _create(self, config: GroupConfig, program_user: str | None) -> socket.socket:
        a = self.address
        try:
            if a.family == socket.AF_UNIX:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(a.unix_path)
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    sock.bind(a.unix_path)
                    ids = owner_ids(config.socket_owner, program_user)
                    if ids is not None:
                        os.chown(a.unix_path, *ids)
                    mode = DEFAULT_MODE if config.socket_mode is None else config.socket_mode
                    os.chmod(a.unix_path, mode)
                except BaseException:
                    sock.close()
                    with contextlib.suppress(OSError):
                        os.unlink(a.unix_path)
                    raise
            else:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                try:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    sock.bind((a.host, a.port))
                except BaseException:
                    sock.close()
                    raise
            sock.listen(config.socket_backlog or socket.SOMAXCONN)
        except (OSError, FcgiError) as exc:
            raise FcgiError(f"Could not create FastCGI socket {self.url}: {exc}") from exc
        # The children inherit it as fd 0 by dup2, which clears close-on-exec on the copy only.
        return sock

    def fileno(self) -> int:
        return self.sock.fileno()

    def close(self) -> None:
        if self.sock.fileno() < 0:
            return
        self.sock.close()
        if self.address.family == socket.AF_UNIX:
            with contextlib.suppress(OSError):
                os.unlink(self.address.unix_path)


def socket_for(config: GroupConfig) -> FcgiSocket | None:
    """The socket of a FastCGI group, created now; None for other groups. Raises FcgiError."""
    if config.kind != "fcgi-program" or not config.socket:
        return None
    return FcgiSocket(config)
