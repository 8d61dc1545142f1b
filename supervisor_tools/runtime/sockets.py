"""The control socket's listeners: a unix socket created with its final mode, and TCP.

The unix socket is bound under a umask that leaves it no permissions at all, then given its
owner and then its mode, so at no moment can anyone but root connect through a wider mode than
`chmod=` asks for (supervisord and earlier svtool bound first and chmod-ed after, leaving the
socket open to everyone in between under a permissive umask). Only a stale socket is ever
removed from the socket's path: a regular file, directory or link there is someone's data.
"""

from __future__ import annotations

import contextlib
import os
import socket
import stat
from typing import Any

from supervisor_tools.errors import SvtoolError
from supervisor_tools.model.model import UnixHttpServerConfig
from supervisor_tools.options import users


def _clear_stale(path: str) -> None:
    """Remove a socket nobody listens on at `path`; refuse anything else found there."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise SvtoolError(f"cannot use {path} for the control socket: {exc.strerror}") from exc
    if not stat.S_ISSOCK(st.st_mode):
        kind = ("a directory" if stat.S_ISDIR(st.st_mode) else
                "a symbolic link" if stat.S_ISLNK(st.st_mode) else "a file that is not a socket")
        raise SvtoolError(f"{path} is {kind}; refusing to replace it with the control socket "
                          f"(remove it or choose another [unix_http_server] file=)")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
    except OSError:
        os.unlink(path)  # a stale socket from a run that did not clean up
    else:
        raise SvtoolError(f"another program is already listening on {path}; shut it down first")
    finally:
        probe.close()


def _ids(chown: str) -> tuple[int, int]:
    user, _, group = chown.partition(":")
    # [unix_http_server] chown= was checked when the config was read, as supervisord does
    uid = users.passwd(user).pw_uid
    gid = users.group(group).gr_gid if group else -1
    return uid, gid


def open_unix(cfg: UnixHttpServerConfig) -> socket.socket:
    path = cfg.file
    _clear_stale(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # The supervisor is single-threaded, so the process-wide umask is ours for these lines.
    old = os.umask(0o777)
    try:
        sock.bind(path)
    except OSError:
        sock.close()
        raise
    finally:
        os.umask(old)
    try:
        if cfg.chown:
            uid, gid = _ids(cfg.chown)
            os.chown(path, uid, gid)
        os.chmod(path, cfg.chmod)
        sock.listen(1024)
    except BaseException:
        sock.close()
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    sock.setblocking(False)
    return sock


def open_inet(cfg: Any) -> socket.socket:
    host = "" if cfg.host in ("", "*") else cfg.host
    try:
        infos = socket.getaddrinfo(host or None, cfg.port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise SvtoolError(f"cannot resolve {cfg.host}: {exc}") from exc
    family, _, _, _, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as exc:
        sock.close()
        raise SvtoolError(f"cannot listen on {cfg.host}:{cfg.port}: {exc.strerror}") from exc
    sock.listen(1024)
    sock.setblocking(False)
    return sock
