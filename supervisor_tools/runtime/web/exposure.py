"""Refuse to serve the control API on a network address without a password.

supervisord happily listens on `*:9001` with no credentials, which hands every process on the
machine to anyone who can reach the port. `svtool run` only does that when told to.
"""

from __future__ import annotations

import socket

from supervisor_tools.errors import SvtoolError
from supervisor_tools.model.model import InetHttpServerConfig, Model

FLAG = "--allow-insecure-http"


def is_loopback(host: str) -> bool:
    """True when `host` can only be reached from this machine.

    An empty host or `*` means every interface. A name counts as loopback only when everything
    it resolves to is; a name that does not resolve is left to the bind to report.
    """
    import ipaddress  # only an [inet_http_server] gets here

    host = host.strip()
    if host in ("", "*"):
        return False
    if host.lower() == "localhost":
        return True
    literal = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return ipaddress.ip_address(literal).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return True
    addrs = {info[4][0] for info in infos}
    return all(ipaddress.ip_address(str(a).split("%", 1)[0]).is_loopback for a in addrs)


def exposed_servers(model: Model) -> list[InetHttpServerConfig]:
    """The [inet_http_server] sections reachable from the network without a password."""
    return [s for s in model.servers if isinstance(s, InetHttpServerConfig)
            and not (s.username and s.password) and not is_loopback(s.host)]


def exposure_error(cfg: InetHttpServerConfig) -> SvtoolError:
    where = f"{cfg.host}:{cfg.port}" if cfg.host else f"*:{cfg.port}"
    span = cfg.spans.get("port", cfg.source)
    return SvtoolError(
        f"[{cfg.section}] would listen on {where}, a non-loopback address, without "
        f"username and password: anyone who can reach it could control every process. Set "
        f"username= and password=, bind to 127.0.0.1, or pass {FLAG} to allow it anyway",
        span)


def check_exposure(model: Model, allow: bool) -> None:
    """Raise SvtoolError for the first unprotected network listener unless `allow`."""
    if allow:
        return
    for cfg in exposed_servers(model):
        raise exposure_error(cfg)
