"""The TLS side of an HTTPS probe, one non-blocking step at a time.

As the kubelet's HTTPS probe, the probe checks no certificate: a probe asks whether the server
answers, not who it is, and servers probed on loopback mostly have certificates made out to
another name (or signed by nobody). The server name goes out as SNI (not for an address, which
TLS does not allow there), so a server with several certificates picks the right one.

Imported only when an https:// probe runs: `ssl` costs every start of the supervisor ~12 ms.
"""

from __future__ import annotations

import functools
import socket
import ssl

READ = 1  # selectors.EVENT_READ
WRITE = 2  # selectors.EVENT_WRITE


@functools.cache
def client_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def wrap(sock: socket.socket, server_name: str) -> ssl.SSLSocket:
    """A TLS client over the connected non-blocking `sock`, its handshake not yet begun
    (`sock` itself is given up: only the returned socket may be used or closed)."""
    return client_context().wrap_socket(sock, server_hostname=server_name,
                                        do_handshake_on_connect=False)


def handshake(sock: ssl.SSLSocket) -> int:
    """Take the handshake as far as it goes without waiting: 0 when it is done, else the event
    (READ or WRITE) to wait for before calling again. Raises OSError when it failed."""
    try:
        sock.do_handshake()
    except ssl.SSLWantReadError:
        return READ
    except ssl.SSLWantWriteError:
        return WRITE
    return 0


def waits_for(exc: OSError) -> int:
    """READ or WRITE when a send or receive that raised `exc` must wait for the socket;
    0 when it failed."""
    if isinstance(exc, ssl.SSLWantReadError):
        return READ
    if isinstance(exc, ssl.SSLWantWriteError):
        return WRITE
    return 0


def reason(exc: OSError) -> str:
    """A short reason: OpenSSL's own (`WRONG_VERSION_NUMBER`), else the system's."""
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return exc.reason
    return exc.strerror or str(exc) or type(exc).__name__
