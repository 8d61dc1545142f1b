"""HTTPS probes against a real TLS server with a self-signed certificate made by openssl."""

from __future__ import annotations

import http.server
import os
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from supervisor_tools.runtime.prober import Prober
from supervisor_tools.runtime.probes import Tally, Verdict
from tests.runtime.test_prober import Host, spec, verdict_of


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    # made out to a name the probe never uses: an HTTPS probe checks no certificate
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                    "-subj", "/CN=not-the-probed-name.example", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    return cert, key


class TlsServer:
    def __init__(self, certificate: tuple[Path, Path]) -> None:
        self.requests: list[tuple[str, str | None]] = []  # (path, Host header)
        self.server_names: list[str | None] = []
        requests = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                requests.append((self.path, self.headers.get("Host")))
                self.send_response(500 if self.path.startswith("/bad") else 204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*certificate)
        context.sni_callback = lambda sock, name, ctx: self.server_names.append(name)
        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[TlsServer]:
    server = TlsServer(certificate)
    yield server
    server.close()


def test_https_probe_passes_on_a_self_signed_server(tls_server: TlsServer) -> None:
    verdict, _, _ = verdict_of(spec("http_get", f"https://localhost:{tls_server.port}/ok?x=1"))
    assert verdict == "passed"
    assert tls_server.requests == [("/ok?x=1", f"localhost:{tls_server.port}")]
    assert tls_server.server_names == ["localhost"]  # SNI names the URL's host


def test_https_probe_fails_on_a_server_error(tls_server: TlsServer) -> None:
    verdict, tally, _ = verdict_of(spec("http_get", f"https://127.0.0.1:{tls_server.port}/bad"))
    assert verdict == "failed" and tally.last_error == "HTTP 500"
    assert tls_server.server_names == [None]  # an address is never sent as SNI


def test_https_probe_of_a_plain_http_server_fails() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def answer() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(4096)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        verdict, tally, _ = verdict_of(spec("http_get", f"https://127.0.0.1:{port}/"))
        thread.join(10)
    assert verdict == "failed" and tally.last_error.startswith("TLS handshake: ")


def test_a_handshake_that_never_completes_times_out_without_stalling_the_loop() -> None:
    # The kernel accepts the connection into the backlog; nobody ever answers the ClientHello.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        host = Host()
        got: list[tuple[Verdict, Tally, float]] = []
        ticks: list[float] = []
        prober = Prober(host, spec("http_get", f"https://127.0.0.1:{port}/", timeout=1),
                        dict(os.environ), None,
                        lambda v, t: got.append((v, t, time.monotonic())) if v else None)
        began = time.monotonic()
        prober.start(began)

        def tick() -> None:
            ticks.append(time.monotonic() - began)
            if len(ticks) < 5:
                host.loop.call_later(0.1, tick)

        host.loop.call_later(0.1, tick)
        # were the handshake to block the loop, this ends it (closing resets the connection)
        guard = threading.Timer(15, lambda: listener.shutdown(socket.SHUT_RDWR))
        guard.start()
        try:
            while not got and time.monotonic() - began < 30:
                host.loop.run_once()
            # what the probe sent is still queued on the connection it made
            listener.settimeout(5)
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(5)
                sent = conn.recv(1)
        finally:
            guard.cancel()
            prober.stop()
            host.loop.close()
    assert sent == b"\x16"  # a TLS handshake record: the probe spoke TLS, not plain HTTP
    assert got, "no verdict"
    verdict, tally, when = got[0]
    assert verdict == "failed" and "no answer within 1 s" in tally.last_error
    assert 0.9 <= when - began < 10
    # the loop kept serving timers while the handshake waited
    assert len(ticks) == 5 and began + ticks[-1] < when
