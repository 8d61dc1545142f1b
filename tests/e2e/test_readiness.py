"""Readiness and liveness with real processes under svtool run, seen by supervisorctl 4.3.0."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from .conftest import PY, Supervisor, pyfile
from .metrics_client import scrape, value

NOTIFY_CHILD = """\
import os, socket, sys, time
here = sys.argv[1]
addr = os.environ['NOTIFY_SOCKET']
open(os.path.join(here, 'address'), 'w').write(addr)
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
target = '\\0' + addr[1:] if addr.startswith('@') else addr
sock.sendto(b'STATUS=warming up', target)
start = time.monotonic()
while not os.path.exists(os.path.join(here, 'go')) or time.monotonic() - start < 2:
    time.sleep(0.05)
open(os.path.join(here, 'readied'), 'w').write(str(time.time()))
sock.sendto(b'READY=1\\nSTATUS=serving 3 clients', target)
time.sleep(1000)
"""


def send_to(address: str, message: bytes) -> None:
    target = "\0" + address[1:] if address.startswith("@") else address
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.sendto(message, target)


def console_status(sup: Supervisor) -> dict[str, Any]:
    """The web console's status document, fetched over the control socket."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(30)
        s.connect(str(sup.sock))
        s.sendall(b"GET /api/status HTTP/1.0\r\nHost: localhost\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.") and b" 200 " in head.split(b"\r\n")[0], head
    result: dict[str, Any] = json.loads(body)
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sd_notify_child_stays_starting_until_ready(svtool: Supervisor, tmp_path: Path) -> None:
    cmd = pyfile(tmp_path, "notify", NOTIFY_CHILD)
    svtool.start(f"""
        [program:db]
        command={cmd} {tmp_path}
        sd_notify=true
        startsecs=1
        """)
    began = time.monotonic()
    address = svtool.wait(lambda: (tmp_path / "address").exists()
                          and (tmp_path / "address").read_text(), 20, "the child's address")
    assert address.startswith("@svtool/")
    # READY=1 from a process that is not the child (nor its descendant) does not count
    send_to(address, b"READY=1\nSTATUS=forged")
    svtool.wait(lambda: "warming up" in svtool.ctl("status", "db").stdout, 20, "STATUS=")
    time.sleep(1.5)  # past startsecs: a startsecs program would be RUNNING by now
    out = svtool.ctl("status", "db").stdout
    assert "STARTING" in out and "warming up" in out and "forged" not in out, out
    (tmp_path / "go").write_text("")
    info = svtool.wait_state("db", "RUNNING", 20)
    assert time.monotonic() - began >= 2.0
    assert (tmp_path / "readied").exists()
    assert "serving 3 clients" in info["description"]
    assert info["description"].startswith(f"pid {info['pid']}, uptime ")
    out = svtool.ctl("status", "db").stdout
    assert "RUNNING" in out and "serving 3 clients" in out, out
    own = subprocess.run([PY, "-m", "supervisor_tools", "ctl", "-c", str(svtool.conf), "status"],
                         capture_output=True, text=True, timeout=60)
    assert "RUNNING" in own.stdout and "serving 3 clients" in own.stdout, own
    console = console_status(svtool)
    shown = [p for g in console["groups"] for p in g["processes"] if p["name"] == "db"]
    assert "serving 3 clients" in shown[0]["description"], shown
    assert "process is ready (READY=1 (sd_notify))" in svtool.log()


HTTP_CHILD = """\
import http.server, os, sys, time
port, here = int(sys.argv[1]), sys.argv[2]
started = time.monotonic()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == '/ready':
            code = 200 if time.monotonic() - started > 1.5 else 503
        else:
            code = 500 if os.path.exists(os.path.join(here, 'sick')) else 200
        self.send_response(code)
        self.end_headers()
    def log_message(self, *a):
        pass
time.sleep(0.5)
http.server.HTTPServer(('127.0.0.1', port), H).serve_forever()
"""

LISTENER = """\
import sys
out = open(sys.argv[1], 'a')
while True:
    sys.stdout.write('READY\\n'); sys.stdout.flush()
    header = dict(x.split(':', 1) for x in sys.stdin.readline().split())
    body = dict(x.split(':', 1) for x in sys.stdin.read(int(header['len'])).split())
    out.write(header['eventname'] + ' ' + body['processname'] + '\\n'); out.flush()
    sys.stdout.write('RESULT 2\\nOK'); sys.stdout.flush()
"""


def test_http_probes_gate_readiness_and_restart_when_not_alive(svtool: Supervisor,
                                                                tmp_path: Path) -> None:
    port = free_port()
    web = pyfile(tmp_path, "web", HTTP_CHILD)
    listener = pyfile(tmp_path, "listener", LISTENER)
    svtool.start(f"""
        [program:web]
        command={web} {port} {tmp_path}
        readiness_probe_http_get=http://127.0.0.1:{port}/ready
        readiness_probe_period_seconds=1
        readiness_probe_failure_threshold=30
        liveness_probe_http_get=http://127.0.0.1:{port}/live
        liveness_probe_period_seconds=1
        liveness_probe_failure_threshold=2

        [eventlistener:watch]
        command={listener} {tmp_path}/events
        events=PROCESS_STATE
        """)
    began = time.monotonic()
    svtool.wait_state("web", "STARTING", 20)
    first = svtool.wait_state("web", "RUNNING", 30)
    assert time.monotonic() - began >= 1.5  # /ready answered 503 until then
    assert "readiness probe (HTTP GET" in svtool.log()
    (tmp_path / "sick").write_text("")
    svtool.wait(lambda: "unhealthy: web liveness probe (HTTP GET "
                        f"http://127.0.0.1:{port}/live) failed 2 times (HTTP 500); "
                        "restarting it" in svtool.log(), 30, "the liveness restart")
    (tmp_path / "sick").unlink()
    svtool.wait(lambda: svtool.info("web")["pid"] not in (0, first["pid"])
                and svtool.state("web") == "RUNNING", 30, "a new RUNNING web")
    events = svtool.wait(lambda: (tmp_path / "events").exists()
                         and "PROCESS_STATE_STOPPING web" in (tmp_path / "events").read_text()
                         and (tmp_path / "events").read_text(), 20, "the STOPPING event")
    after = events.split("PROCESS_STATE_STOPPING web", 1)[1]
    assert "PROCESS_STATE_STARTING web" in after, events


def test_log_line_readiness(svtool: Supervisor, tmp_path: Path) -> None:
    cmd = pyfile(tmp_path, "logline", """\
        import sys, time
        print('booting', flush=True)
        time.sleep(1.5)
        print('worker 7 ready', file=sys.stderr, flush=True)
        time.sleep(1000)
        """)
    svtool.start(f"""
        [program:worker]
        command={cmd}
        ready_log_line=^worker \\d+ ready$
        """)
    began = time.monotonic()
    info = svtool.wait_state("worker", "STARTING", 20)
    assert "waiting for a line matching" in info["description"]
    svtool.wait_state("worker", "RUNNING", 20)
    assert time.monotonic() - began >= 1.4
    assert "stderr line 'worker 7 ready'" in svtool.log()


def test_tcp_readiness_probe(svtool: Supervisor, tmp_path: Path) -> None:
    port = free_port()
    cmd = pyfile(tmp_path, "tcp", f"""\
        import socket, time
        time.sleep(1.2)
        s = socket.socket(); s.bind(('127.0.0.1', {port})); s.listen()
        time.sleep(1000)
        """)
    svtool.start(f"""
        [program:tcp]
        command={cmd}
        readiness_probe_tcp_socket={port}
        readiness_probe_period_seconds=1
        readiness_probe_failure_threshold=20
        """)
    began = time.monotonic()
    svtool.wait_state("tcp", "RUNNING", 30)
    assert time.monotonic() - began >= 1.1


def test_watchdog_timeout_restarts(svtool: Supervisor, tmp_path: Path) -> None:
    cmd = pyfile(tmp_path, "dog", """\
        import os, socket, time
        addr = os.environ['NOTIFY_SOCKET']
        assert os.environ['WATCHDOG_USEC'] == '1000000'
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        target = '\\0' + addr[1:]
        s.sendto(b'READY=1', target)
        for _ in range(4):
            time.sleep(0.3)
            s.sendto(b'WATCHDOG=1', target)
        time.sleep(1000)  # stops pinging
        """)
    svtool.start(f"""
        [program:dog]
        command={cmd}
        sd_notify=true
        watchdogsecs=1
        """)
    first = svtool.wait_state("dog", "RUNNING", 20)["pid"]
    svtool.wait(lambda: "unhealthy: dog sent no WATCHDOG=1 for 1 seconds (watchdogsecs)"
                in svtool.log(), 30, "the watchdog")
    svtool.wait(lambda: svtool.info("dog")["pid"] not in (0, first), 30, "a new dog")


def test_liveness_exec_failure_restarts(svtool: Supervisor, tmp_path: Path) -> None:
    sick = tmp_path / "sick"
    svtool.start(f"""
        [program:job]
        command={PY} -c "import time; time.sleep(1000)"
        startsecs=0
        liveness_probe_exec=test ! -e {sick}
        liveness_probe_period_seconds=1
        liveness_probe_failure_threshold=2
        """)
    first = svtool.wait_state("job", "RUNNING", 20)["pid"]
    sick.write_text("")
    svtool.wait(lambda: "unhealthy: job liveness probe (command test ! -e" in svtool.log(),
                30, "the liveness restart")
    sick.unlink()
    svtool.wait(lambda: svtool.info("job")["pid"] not in (0, first)
                and svtool.state("job") == "RUNNING", 30, "a new job")
    assert "failed 2 times (exit status 1); restarting it" in svtool.log()
    # the supervisor's own restart counts in /metrics, as autorestart's do
    samples = scrape(svtool.sock)
    assert value(samples, "supervisor_process_restarts_total", name="job", group="job") == 1
    out = svtool.ctl("status").stdout
    assert "job" in out and "RUNNING" in out, out


def test_readiness_timeout_is_a_failed_start(svtool: Supervisor, tmp_path: Path) -> None:
    svtool.start(f"""
        [program:mute]
        command={PY} -c "import time; time.sleep(1000)"
        sd_notify=true
        readytimeoutsecs=1
        startretries=1
        """)
    info = svtool.wait_state("mute", "FATAL", 40)
    assert "was not ready within 1 seconds (readytimeoutsecs)" in info["spawnerr"]
    log = svtool.log()
    assert log.count("not ready: mute was not ready within 1 seconds") == 2, log
    assert "gave up: mute entered FATAL state" in log


def test_stopping_notification_from_a_descendant_is_a_stop(svtool: Supervisor,
                                                           tmp_path: Path) -> None:
    cmd = pyfile(tmp_path, "drain", """\
        import os, socket, subprocess, sys, time
        addr = os.environ['NOTIFY_SOCKET']
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.sendto(b'READY=1', '\\0' + addr[1:])
        time.sleep(0.5)
        # a grandchild of the supervisor says it: descendants count
        subprocess.run([sys.executable, '-c', 'import os, socket, time; '
                        's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); '
                        's.sendto(b"STOPPING=1", chr(0) + os.environ["NOTIFY_SOCKET"][1:]); '
                        'time.sleep(1)'])
        sys.exit(1)
        """)
    svtool.start(f"""
        [program:drain]
        command={cmd}
        sd_notify=true
        autorestart=true
        """)
    svtool.wait_state("drain", "RUNNING", 20)
    svtool.wait(lambda: "stopped: drain (exit status 1)" in svtool.log(), 30, "the exit")
    assert "drain said it is stopping (STOPPING=1)" in svtool.log()
    info = svtool.info("drain")
    assert info["statename"] == "STOPPED" and info["pid"] == 0, info


def test_supervisorctl_start_waits_for_readiness(svtool: Supervisor, tmp_path: Path) -> None:
    notify = pyfile(tmp_path, "slowready", """\
        import os, socket, time
        time.sleep(1.5)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.sendto(b'READY=1', '\\0' + os.environ['NOTIFY_SOCKET'][1:])
        time.sleep(1000)
        """)
    port = free_port()
    web = pyfile(tmp_path, "web", HTTP_CHILD)
    svtool.start(f"""
        [program:db]
        command={notify}
        sd_notify=true

        [program:web]
        command={web} {port} {tmp_path}
        readiness_probe_http_get=http://127.0.0.1:{port}/ready
        readiness_probe_period_seconds=1
        readiness_probe_failure_threshold=30
        """)
    svtool.wait_state("db", "RUNNING", 30)
    svtool.wait_state("web", "RUNNING", 30)
    began = time.monotonic()
    res = svtool.ctl("restart", "all")
    took = time.monotonic() - began
    assert res.returncode == 0, res
    for line in ("db: stopped", "web: stopped", "db: started", "web: started"):
        assert line in res.stdout, res.stdout
    assert took >= 1.5  # start waited for READY=1 and /ready
    assert svtool.state("db") == "RUNNING" and svtool.state("web") == "RUNNING"
    assert svtool.ctl("stop", "all").returncode == 0
    res = svtool.ctl("start", "db")
    assert res.returncode == 0 and "db: started" in res.stdout, res
    status = svtool.ctl("status")
    assert "db" in status.stdout and "RUNNING" in status.stdout, status


def test_supervisorctl_start_reports_a_start_that_never_gets_ready(svtool: Supervisor,
                                                                   tmp_path: Path) -> None:
    svtool.start(f"""
        [program:mute]
        command={PY} -c "import time; time.sleep(1000)"
        sd_notify=true
        readytimeoutsecs=1
        startretries=0
        autostart=false
        """)
    res = svtool.ctl("start", "mute")
    assert res.returncode != 0 and "mute: ERROR (spawn error)" in res.stdout, res
    assert svtool.state("mute") == "FATAL"
