"""Scrape `/metrics` of a running supervisor over its unix socket or TCP port, and parse it
with prometheus_client's own parser (what a Prometheus-compatible consumer would read)."""

from __future__ import annotations

import base64
import http.client
import socket
import xmlrpc.client
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from supervisor.xmlrpc import SupervisorTransport

from tests.e2e.conftest import Supervisor


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: Path, timeout: float = 30) -> None:
        super().__init__("localhost", timeout=timeout)
        self.path = str(path)

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.path)
        self.sock = sock


def get(where: Path | int, path: str = "/metrics", auth: tuple[str, str] | None = None,
        method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one request to a unix socket (a Path) or a loopback port."""
    conn: http.client.HTTPConnection
    if isinstance(where, Path):
        conn = UnixConnection(where)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", where, timeout=30)
    headers = {}
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    try:
        conn.request(method, path, headers=headers)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(body: bytes) -> tuple[dict[str, str], Samples]:
    """({family: type}, {(sample name, labels): value}); raises on anything malformed."""
    types: dict[str, str] = {}
    samples: Samples = {}
    for family in text_string_to_metric_families(body.decode("utf-8")):
        types[family.name] = family.type
        for s in family.samples:
            key = (s.name, frozenset(s.labels.items()))
            assert key not in samples, f"duplicate series {key}"
            samples[key] = s.value
    return types, samples


def scrape(where: Path | int, auth: tuple[str, str] | None = None) -> Samples:
    status, headers, body = get(where, auth=auth)
    assert status == 200, (status, body[:200])
    assert headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return parse(body)[1]


def value(samples: Samples, metric: str, /, **labels: str) -> float | None:
    return samples.get((metric, frozenset(labels.items())))


USER, PASSWORD = "scraper", "pa55"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Guarded(Supervisor):
    """svtool run with a password on both its unix socket and a loopback TCP port."""

    def __init__(self, tmp: Path) -> None:
        super().__init__("svtool", tmp)
        self.port = free_port()

    def header(self, extra: str = "") -> str:
        auth = f"username={USER}\npassword={PASSWORD}\n"
        head = super().header(extra).replace(f"file={self.sock}\n",
                                             f"file={self.sock}\n{auth}", 1)
        head = head.replace(f"serverurl=unix://{self.sock}\n",
                            f"serverurl=unix://{self.sock}\n{auth}", 1)
        return head + f"\n[inet_http_server]\nport=127.0.0.1:{self.port}\n{auth}"

    def rpc(self) -> Any:
        transport = SupervisorTransport(USER, PASSWORD, f"unix://{self.sock}")
        return xmlrpc.client.ServerProxy("http://127.0.0.1", transport)
