"""`svtool run` and `svtool ctl` end to end: config refusal, daemon mode, signals, svtool's
improvements over supervisord (non-seekable logs, no idle wake-ups), and its own client."""

from __future__ import annotations

import json
import os
import pwd
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.e2e.conftest import SLEEPER_CMD, Supervisor, pyfile, snippet

SVTOOL = [sys.executable, "-m", "supervisor_tools"]


def svtool_ctl(sup: Supervisor, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SVTOOL, "ctl", "-c", str(sup.conf), *args], text=True,
                          capture_output=True, timeout=60)


def test_run_refuses_an_invalid_config(tmp_path: Path) -> None:
    conf = tmp_path / "bad.conf"
    conf.write_text("[supervisord]\nlogfile_maxbytes=lots\n\n[program:x]\n")
    res = subprocess.run([*SVTOOL, "run", "-n", "-c", str(conf)], text=True,
                         capture_output=True, timeout=60)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert lines and all(line.startswith(f"{conf}:") for line in lines), res.stderr
    assert any(":2:" in line for line in lines)


def test_svtool_ctl_against_both_servers(sup: Supervisor) -> None:
    sup.start(f"""
        [program:web]
        command={SLEEPER_CMD}
        startsecs=0

        [program:echo]
        command={snippet("print('hello from echo')")}
        startsecs=0
        autorestart=false
        """)
    sup.wait_state("web", "RUNNING")
    sup.wait_state("echo", "EXITED")
    res = svtool_ctl(sup, "status")
    assert res.returncode == 3  # not everything is RUNNING
    assert "web" in res.stdout and "RUNNING" in res.stdout and "EXITED" in res.stdout
    data = json.loads(svtool_ctl(sup, "--json", "status").stdout)
    assert {d["name"]: d["statename"] for d in data} == {"web": "RUNNING", "echo": "EXITED"}
    old = sup.info("web")["pid"]
    assert svtool_ctl(sup, "restart", "web").stdout == "web: stopped\nweb: started\n"
    assert sup.info("web")["pid"] != old
    assert svtool_ctl(sup, "stop", "all").stdout.strip() == "web: stopped"
    assert "hello from echo" in svtool_ctl(sup, "tail", "echo").stdout
    assert "spawned: 'web'" in svtool_ctl(sup, "maintail").stdout
    assert svtool_ctl(sup, "version").stdout.strip() == "4.3.0"
    assert svtool_ctl(sup, "pid").stdout.strip() == str(sup.rpc().supervisor.getPID())
    res = svtool_ctl(sup, "start", "nosuch")
    assert res.stdout == "nosuch: ERROR (no such process)\n" and res.returncode == 1
    assert svtool_ctl(sup, "shutdown").stdout.strip() == "Shut down"
    assert sup.proc is not None and sup.proc.wait(20) == 0


def test_daemon_mode_writes_and_removes_the_pidfile(tmp_path: Path) -> None:
    sup = Supervisor("svtool", tmp_path)
    sup.write(f"""
        [program:web]
        command={SLEEPER_CMD}
        startsecs=0
        """)
    pidfile = tmp_path / "supervisord.pid"
    res = subprocess.run([*SVTOOL, "run", "-c", str(sup.conf)], capture_output=True,
                         timeout=30, cwd=tmp_path)
    assert res.returncode == 0
    try:
        sup.wait(lambda: pidfile.exists() and pidfile.read_text().strip(), what="pidfile")
        daemon = int(pidfile.read_text())
        assert daemon != os.getpid()
        sup.wait(lambda: sup._answers_without_proc(), what="daemon RPC")
        child = sup.wait_state("web", "RUNNING")["pid"]
        assert os.getsid(daemon) == daemon  # its own session, detached from ours
        os.kill(daemon, signal.SIGTERM)
        sup.wait(lambda: not pidfile.exists(), what="pidfile removal")
        sup.wait(lambda: not os.path.exists(f"/proc/{child}"), 5, "child exit")
    finally:
        sup.stop()
        if pidfile.exists():
            os.kill(int(pidfile.read_text()), signal.SIGKILL)


def test_sighup_reloads_the_config(sup: Supervisor) -> None:
    sup.start(f"""
        [program:one]
        command={SLEEPER_CMD}
        startsecs=0
        """)
    old = sup.wait_state("one", "RUNNING")["pid"]
    sup.write(f"""
        [program:one]
        command={SLEEPER_CMD}
        startsecs=0

        [program:two]
        command={SLEEPER_CMD}
        startsecs=0
        """)
    assert sup.proc is not None
    sup.proc.send_signal(signal.SIGHUP)
    sup.wait(lambda: _has(sup, "two"), what="reloaded config")
    assert sup.wait_state("one", "RUNNING")["pid"] != old
    sup.wait_state("two", "RUNNING")


def _has(sup: Supervisor, name: str) -> bool:
    try:
        return any(i["name"] == name for i in sup.rpc().supervisor.getAllProcessInfo())
    except Exception:
        return False


def test_redirect_stderr_and_strip_ansi(sup: Supervisor) -> None:
    code = ("import sys; print(chr(27) + '[31mred' + chr(27) + '[0m', flush=True);"
            " print('to stderr', file=sys.stderr, flush=True)")
    sup.start(f"""
        [program:both]
        command={snippet(code)}
        startsecs=0
        autorestart=false
        redirect_stderr=true
        """, extra="strip_ansi=true")
    info = sup.wait_state("both", "EXITED")
    assert info["stderr_logfile"] == ""
    sup.wait(lambda: "to stderr" in Path(info["stdout_logfile"]).read_text(), what="output")
    assert Path(info["stdout_logfile"]).read_text() == "red\nto stderr\n"


def test_kill_9_is_replaced_at_once(sup: Supervisor) -> None:
    sup.start(f"""
        [program:victim]
        command={SLEEPER_CMD}
        startsecs=0
        autorestart=true
        """)
    old = sup.wait_state("victim", "RUNNING")["pid"]
    t0 = time.monotonic()
    os.kill(old, signal.SIGKILL)
    new = sup.wait(lambda: (lambda p: p if p not in (0, old) else None)(sup.info("victim")["pid"]),
                   what="replacement")
    elapsed = time.monotonic() - t0
    assert new != old
    if sup.kind == "svtool":
        assert elapsed < 0.5, elapsed  # supervisord needs about a second (its polling tick)


def test_non_seekable_log_target(svtool: Supervisor, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def read() -> None:
        fd = os.open(fifo, os.O_RDONLY)
        try:
            got.append(os.read(fd, 200))  # what arrives first; svtool keeps the fifo open
        finally:
            os.close(fd)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    svtool.start(f"""
        [program:talk]
        command={snippet("print('through the fifo', flush=True)")}
        startsecs=0
        autorestart=false
        stdout_logfile={fifo}
        """)  # default stdout_logfile_maxbytes (50MB): supervisord dies with "Illegal seek"
    svtool.wait_state("talk", "EXITED")
    reader.join(10)
    assert got and b"through the fifo" in got[0]


def test_idle_supervisor_does_not_wake_up(svtool: Supervisor) -> None:
    svtool.start(f"""
        [program:web]
        command={SLEEPER_CMD}
        startsecs=0
        """)
    svtool.wait_state("web", "RUNNING")
    assert svtool.proc is not None
    status = Path(f"/proc/{svtool.proc.pid}/status")

    def switches() -> int:
        fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
        return int(fields["voluntary_ctxt_switches"]) + int(fields["nonvoluntary_ctxt_switches"])

    # the last status request's connection may still be closing: let it finish first
    time.sleep(0.5)
    before = switches()
    time.sleep(2.0)  # measuring a quiet period, not waiting for an event
    assert switches() - before <= 1


def test_answering_supervisorctl_loads_no_heavy_libraries(svtool: Supervisor) -> None:
    # OpenSSL (hashlib), decimal and json (xmlrpc.client, the web console) cost megabytes of
    # memory for the supervisor's whole life; serving supervisorctl needs none of them.
    svtool.start(f"""
        [program:web]
        command={SLEEPER_CMD}
        startsecs=0
        """)
    svtool.wait_state("web", "RUNNING")
    assert svtool.ctl("status", check=True).stdout.startswith("web ")
    svtool.ctl("pid", "web", check=True)
    svtool.rpc().supervisor.getAllProcessInfo()
    svtool.rpc().system.multicall([{"methodName": "supervisor.getState", "params": []}])
    assert svtool.proc is not None
    maps = Path(f"/proc/{svtool.proc.pid}/maps").read_text()
    for library in ("libcrypto", "_hashlib", "_decimal", "_json"):
        assert library not in maps, library


def test_stdin_is_a_pipe_and_sendProcessStdin_reaches_it(sup: Supervisor,
                                                          tmp_path: Path) -> None:
    echo = pyfile(tmp_path, "echo", """
        import sys
        for line in sys.stdin:
            print('echo:', line.strip(), flush=True)
        """)
    sup.start(f"""
        [program:echo]
        command={echo}
        startsecs=0
        """)
    info = sup.wait_state("echo", "RUNNING")
    assert sup.rpc().supervisor.sendProcessStdin("echo", "ping\n") is True
    sup.wait(lambda: "echo: ping" in Path(info["stdout_logfile"]).read_text(), what="echo")


def test_user_directory_umask_and_autostart(sup: Supervisor, tmp_path: Path) -> None:
    # /bin/sh and directory=/, not Python and tmp_path: `nobody` cannot enter /root or
    # pytest's 0700 temp root (supervisord changes directory after switching user).
    workdir = Path("/")
    sup.start(f"""
        [program:who]
        command=/bin/sh -c "echo $(id -u) $(pwd) $(umask)"
        startsecs=0
        autorestart=false
        user=nobody
        directory={workdir}
        umask=027

        [program:manual]
        command={SLEEPER_CMD}
        autostart=false
        """)
    info = sup.wait_state("who", "EXITED")
    sup.wait(lambda: Path(info["stdout_logfile"]).read_text(), what="output")
    uid, cwd, umask = Path(info["stdout_logfile"]).read_text().split()
    assert int(uid) == pwd.getpwnam("nobody").pw_uid
    assert cwd == str(workdir) and umask == "0027"
    manual = sup.info("manual")
    assert manual["statename"] == "STOPPED" and manual["description"] == "Not started"


def test_reload_applies_a_new_control_socket(sup: Supervisor) -> None:
    programs = f"""
        [program:web]
        command={SLEEPER_CMD}
        startsecs=0
        """
    sup.start(programs)
    sup.wait_state("web", "RUNNING")
    old_sock = sup.sock
    sup.sock = sup.tmp / "moved.sock"
    sup.write(programs)
    assert sup.proc is not None
    sup.proc.send_signal(signal.SIGHUP)
    sup.wait(lambda: _has(sup, "web"), what="the new socket")
    assert sup.ctl("status").returncode == 0
    sup.wait(lambda: not old_sock.exists(), 5, "the old socket to go")


def test_tells_systemd_when_ready_and_stopping(svtool: Supervisor, tmp_path: Path) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(tmp_path / "notify.sock"))
    listener.settimeout(20)
    try:
        svtool.start(f"""
            [program:web]
            command={SLEEPER_CMD}
            startsecs=0
            """, env={"NOTIFY_SOCKET": str(tmp_path / "notify.sock")})
        assert b"READY=1" in listener.recv(4096).split(b"\n")
        assert svtool.proc is not None
        svtool.proc.send_signal(signal.SIGTERM)
        assert b"STOPPING=1" in listener.recv(4096).split(b"\n")
        assert svtool.proc.wait(20) == 0
    finally:
        listener.close()
