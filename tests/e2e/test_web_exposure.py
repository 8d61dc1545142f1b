"""`svtool run` refuses a password-less [inet_http_server] on a network address unless told."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

SVTOOL = [sys.executable, "-m", "supervisor_tools", "run", "-n"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_conf(tmp: Path, server: str) -> Path:
    conf = tmp / "supervisord.conf"
    conf.write_text(textwrap.dedent(f"""\
        [supervisord]
        logfile={tmp}/main.log
        pidfile={tmp}/supervisord.pid
        childlogdir={tmp}

        [inet_http_server]
        {server}

        [program:sleeper]
        command={sys.executable} -c "import time; time.sleep(1000)"
        """))
    return conf


def wait_page(url: str, proc: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert proc.poll() is None, "svtool run exited"
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered at {url}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)


def test_open_network_listener_without_password_is_refused(tmp_path: Path) -> None:
    port = free_port()
    for server in (f"port=*:{port}", f"port=0.0.0.0:{port}", f"port={port}"):
        conf = write_conf(tmp_path, server)
        res = subprocess.run([*SVTOOL, "-c", str(conf)], capture_output=True, text=True,
                             timeout=30, cwd=tmp_path)
        assert res.returncode == 2, res
        assert res.stderr.startswith(f"{conf}:7:6: [inet_http_server] would listen on "), res
        assert "without username and password" in res.stderr
        assert "--allow-insecure-http" in res.stderr and "Traceback" not in res.stderr
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0  # nothing was bound


def test_allowed_explicitly_or_on_loopback_or_with_password(tmp_path: Path) -> None:
    port = free_port()
    for server, extra, expected in (
            (f"port=*:{port}", ["--allow-insecure-http"], 200),
            (f"port=127.0.0.1:{port}", [], 200),
            (f"port=localhost:{port}", [], 200),
            (f"port=*:{port}\nusername=admin\npassword=pw", [], 401)):
        conf = write_conf(tmp_path, server)
        proc = subprocess.Popen([*SVTOOL, *extra, "-c", str(conf)], cwd=tmp_path,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert wait_page(f"http://127.0.0.1:{port}/", proc) == expected, server
        finally:
            stop(proc)


def test_reload_into_an_open_listener_keeps_the_old_config(tmp_path: Path) -> None:
    port = free_port()
    conf = write_conf(tmp_path, f"port=127.0.0.1:{port}")
    proc = subprocess.Popen([*SVTOOL, "-c", str(conf)], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_page(f"http://127.0.0.1:{port}/", proc) == 200
        write_conf(tmp_path, f"port=*:{port}")
        proc.send_signal(signal.SIGHUP)
        log = tmp_path / "main.log"
        deadline = time.monotonic() + 20
        while "keeping the previous one" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        assert "--allow-insecure-http" in log.read_text()
        assert wait_page(f"http://127.0.0.1:{port}/", proc) == 200
    finally:
        stop(proc)
