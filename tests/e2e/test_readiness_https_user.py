"""HTTPS readiness probes and exec probes run as the program's user=, under svtool run."""

from __future__ import annotations

import os
import pwd
import subprocess
import time
from pathlib import Path

from .conftest import Supervisor, pyfile
from .test_readiness import free_port

HTTPS_CHILD = """\
import http.server, ssl, sys, time
port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
began = time.monotonic()

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if time.monotonic() - began > 1.5 else 503)
        self.end_headers()

    def log_message(self, *args):
        pass

server = http.server.HTTPServer(('127.0.0.1', port), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
"""


def test_https_readiness_probe_of_a_self_signed_server(svtool: Supervisor,
                                                       tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                    "-subj", "/CN=elsewhere.example", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    port = free_port()
    web = pyfile(tmp_path, "tls", HTTPS_CHILD)
    svtool.start(f"""
        [program:tls]
        command={web} {port} {cert} {key}
        readiness_probe_http_get=https://localhost:{port}/ready
        readiness_probe_period_seconds=1
        readiness_probe_failure_threshold=30
        """)
    began = time.monotonic()
    info = svtool.wait_state("tls", "STARTING", 20)
    svtool.wait(lambda: "HTTP 503" in svtool.info("tls")["description"], 30,
                "a probe answered 503 over TLS")
    svtool.wait_state("tls", "RUNNING", 30)
    assert time.monotonic() - began >= 1.4
    assert info["pid"] == svtool.info("tls")["pid"]
    assert f"readiness probe (HTTP GET https://localhost:{port}/ready)" in svtool.log()


def test_an_exec_probe_runs_as_the_programs_user(svtool: Supervisor, shared_dir: Path) -> None:
    # As root, svtool switches the program (and so its probes) to nobody; otherwise it can
    # switch to no one else, and the program runs as the user the supervisor is.
    user = pwd.getpwnam("nobody") if os.getuid() == 0 else pwd.getpwuid(os.getuid())
    seen = shared_dir / "probe-ids"
    svtool.start(f"""
        [program:app]
        command=/bin/sleep 1000
        user={user.pw_name}
        readiness_probe_exec=echo "$(id -u) $(id -g)" > {seen}; test "$(id -u)" = {user.pw_uid}
        readiness_probe_period_seconds=1
        readiness_probe_failure_threshold=5
        """)
    svtool.wait_state("app", "RUNNING", 30)
    assert seen.read_text().split() == [str(user.pw_uid), str(user.pw_gid)]
    pid = svtool.info("app")["pid"]
    assert os.stat(f"/proc/{pid}").st_uid == user.pw_uid  # the program's own user
