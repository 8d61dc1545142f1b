"""Which `Host:` headers a password-less TCP listener answers (no DNS rebinding).

A web page on another site can make a browser send requests to 127.0.0.1:9001, and a DNS name
that first resolves to the attacker and then to 127.0.0.1 makes those requests same-origin.
Both carry the attacker's name in `Host:`, so without a password the server answers only
requests that name this machine. A password (the browser cannot supply it) or a unix socket
(a browser cannot reach one) makes the check unnecessary.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable


def host_name(header: str) -> str:
    """The name part of a Host header, lower-cased, without port or IPv6 brackets."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else ""
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def is_ip(name: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def host_allowed(header: str, configured: Iterable[str]) -> bool:
    """True when `header` names this machine: an IP address, localhost, `*.localhost`, the
    host name, or a host a listener is configured with."""
    name = host_name(header)
    if not name:
        return False
    if is_ip(name) or name == "localhost" or name.endswith(".localhost"):
        return True
    known = {socket.gethostname().lower()}
    known.update(host.lower() for host in configured)
    return name in known
