"""The real supervisorctl 4.3.0 against `svtool run` and against supervisord 4.3.0.

Each test checks effects (pids, states, log contents), not only the client's messages.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

from tests.e2e.conftest import SLEEPER_CMD, SUPERVISORCTL, Supervisor, pyfile, snippet

SLEEPER = SLEEPER_CMD


def pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def test_status_start_stop_restart(sup: Supervisor) -> None:
    sup.start(f"""
        [program:web]
        command={SLEEPER}
        startsecs=0

        [program:w1]
        command={SLEEPER}
        startsecs=0

        [program:w2]
        command={SLEEPER}
        startsecs=0

        [group:grp]
        programs=w1,w2
        """)
    sup.wait_state("web", "RUNNING")
    sup.wait_state("grp:w2", "RUNNING")
    out = sup.ctl("status").stdout
    assert re.search(r"^web\s+RUNNING\s+pid \d+, uptime", out, re.M), out
    assert re.search(r"^grp:w1\s+RUNNING", out, re.M), out

    old = sup.info("web")["pid"]
    assert sup.ctl("stop", "web").stdout.strip() == "web: stopped"
    assert sup.state("web") == "STOPPED"
    assert not pid_alive(old)
    assert sup.ctl("start", "web").stdout.strip() == "web: started"
    new = sup.wait_state("web", "RUNNING")["pid"]
    assert new != old and pid_alive(new)

    out = sup.ctl("restart", "web").stdout
    assert "web: stopped" in out and "web: started" in out
    assert sup.info("web")["pid"] not in (0, new)

    out = sup.ctl("stop", "grp:*").stdout
    assert "grp:w1: stopped" in out and "grp:w2: stopped" in out
    assert sup.state("grp:w1") == "STOPPED" and sup.state("web") == "RUNNING"
    assert "grp:w1: started" in sup.ctl("start", "grp:*").stdout
    assert sup.state("grp:w2") == "RUNNING"

    sup.ctl("stop", "all")
    assert {i["statename"] for i in sup.rpc().supervisor.getAllProcessInfo()} == {"STOPPED"}
    sup.ctl("start", "all")
    assert {i["statename"] for i in sup.rpc().supervisor.getAllProcessInfo()} == {"RUNNING"}
    assert "ERROR (already started)" in sup.ctl("start", "web").stdout
    assert "ERROR (no such process)" in sup.ctl("start", "nosuch").stdout


def test_signal_and_pid(sup: Supervisor, tmp_path: Path) -> None:
    child = pyfile(tmp_path, "hup", """
        import signal, sys, time
        def on_hup(sig, frame):
            print('got HUP', flush=True)
        signal.signal(signal.SIGHUP, on_hup)
        print('ready', flush=True)
        while True:
            time.sleep(1000)
        """)
    sup.start(f"""
        [program:hup]
        command={child}
        startsecs=0
        """)
    info = sup.wait_state("hup", "RUNNING")
    sup.wait(lambda: "ready" in Path(info["stdout_logfile"]).read_text(), what="ready")
    assert sup.ctl("signal", "HUP", "hup").stdout.strip() == "hup: signalled"
    sup.wait(lambda: "got HUP" in Path(info["stdout_logfile"]).read_text(), what="HUP")
    assert sup.info("hup")["pid"] == info["pid"]  # signalled, not restarted

    assert sup.ctl("pid").stdout.strip() == str(sup.rpc().supervisor.getPID())
    assert sup.ctl("pid", "hup").stdout.strip() == str(info["pid"])
    assert sup.ctl("pid", "all").stdout.split() == [str(info["pid"])]
    assert "ERROR (no such process)" in sup.ctl("signal", "HUP", "nosuch").stdout


def test_tail_maintail_clear(sup: Supervisor, tmp_path: Path) -> None:
    child = pyfile(tmp_path, "talk", """
        import sys, time
        for i in range(5):
            print('out line', i, flush=True)
            print('err line', i, file=sys.stderr, flush=True)
        while True:
            time.sleep(0.2)
            print('tick', flush=True)
        """)
    sup.start(f"""
        [program:talk]
        command={child}
        startsecs=0
        """)
    info = sup.wait_state("talk", "RUNNING")
    sup.wait(lambda: "out line 4" in sup.ctl("tail", "talk").stdout, what="stdout log")
    assert "err line 4" in sup.ctl("tail", "talk", "stderr").stdout
    assert "out line" not in sup.ctl("tail", "talk", "stderr").stdout

    follow = subprocess.Popen([SUPERVISORCTL, "-c", str(sup.conf), "tail", "-f", "talk"],
                              stdout=subprocess.PIPE, text=True)
    try:
        lines = [follow.stdout.readline() for _ in range(3)] if follow.stdout else []
    finally:
        follow.kill()
        follow.wait()
    assert any("tick" in line or "out line" in line for line in lines), lines

    assert f"spawned: 'talk' with pid {info['pid']}" in sup.ctl("maintail").stdout
    assert sup.ctl("clear", "talk").stdout.strip() == "talk: cleared"
    text = Path(info["stdout_logfile"]).read_text()
    assert "out line 0" not in text


def test_avail_reread_update_add_remove(sup: Supervisor) -> None:
    programs = f"""
        [program:keep]
        command={SLEEPER}
        startsecs=0

        [program:change]
        command={SLEEPER}
        startsecs=0

        [program:gone]
        command={SLEEPER}
        startsecs=0
        """
    sup.start(programs)
    sup.wait_state("gone", "RUNNING")
    keep_pid = sup.info("keep")["pid"]
    change_pid = sup.info("change")["pid"]
    out = sup.ctl("avail").stdout
    assert re.search(r"^keep\s+in use\s+auto\s+999:999", out, re.M), out

    sup.write(f"""
        [program:keep]
        command={SLEEPER}
        startsecs=0

        [program:change]
        command={SLEEPER} changed
        startsecs=0

        [program:new]
        command={SLEEPER}
        startsecs=0
        """)
    out = sup.ctl("reread").stdout
    assert "gone: disappeared" in out and "new: available" in out
    assert "change: changed" in out and "keep" not in out
    assert re.search(r"^new\s+avail\s+auto", sup.ctl("avail").stdout, re.M)

    out = sup.ctl("update").stdout
    assert "gone: removed process group" in out
    assert "change: updated process group" in out
    assert "new: added process group" in out
    sup.wait_state("new", "RUNNING")
    sup.wait_state("change", "RUNNING")
    assert sup.info("keep")["pid"] == keep_pid
    assert sup.info("change")["pid"] != change_pid
    assert "gone" not in sup.ctl("status").stdout

    out = sup.ctl("remove", "new").stdout
    assert "ERROR" in out  # still running
    sup.ctl("stop", "new")
    assert sup.ctl("remove", "new").stdout.strip() == "new: removed process group"
    assert "new" not in sup.ctl("status").stdout
    assert sup.ctl("add", "new").stdout.strip() == "new: added process group"
    sup.wait_state("new", "RUNNING")
    assert "ERROR" in sup.ctl("add", "new").stdout  # already added


def test_reload_restarts_children(sup: Supervisor) -> None:
    sup.start(f"""
        [program:web]
        command={SLEEPER}
        startsecs=0
        """)
    old = sup.wait_state("web", "RUNNING")["pid"]
    server_pid = sup.rpc().supervisor.getPID()
    assert sup.ctl("reload").stdout.strip() == "Restarted supervisord"
    sup.wait(lambda: not pid_alive(old), what="old child to exit")
    sup.wait(lambda: _quiet_info(sup, "web"), what="server back")
    new = sup.wait_state("web", "RUNNING")["pid"]
    assert new != old
    assert sup.rpc().supervisor.getPID() == server_pid


def _quiet_info(sup: Supervisor, name: str) -> bool:
    try:
        sup.info(name)
        return True
    except Exception:
        return False


def test_shutdown_leaves_no_survivors(sup: Supervisor, tmp_path: Path) -> None:
    parent = pyfile(tmp_path, "parent", f"""
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(1000)'])
        open({str(tmp_path / 'grandchild.pid')!r}, 'w').write(str(child.pid))
        time.sleep(1000)
        """)
    sup.start(f"""
        [program:tree]
        command={parent}
        startsecs=0
        stopasgroup=true
        killasgroup=true

        [program:plain]
        command={SLEEPER}
        startsecs=0
        """)
    tree = sup.wait_state("tree", "RUNNING")["pid"]
    plain = sup.wait_state("plain", "RUNNING")["pid"]
    gpid_file = tmp_path / "grandchild.pid"
    sup.wait(lambda: gpid_file.exists() and gpid_file.read_text(), what="grandchild")
    grandchild = int(gpid_file.read_text())
    assert sup.ctl("shutdown").stdout.strip() == "Shut down"
    assert sup.proc is not None
    assert sup.proc.wait(20) == 0
    for pid in (tree, plain, grandchild):
        sup.wait(lambda pid=pid: not pid_alive(pid), 5, f"pid {pid} to be gone")
    assert not sup.sock.exists() or sup.kind == "supervisord"


def test_version(sup: Supervisor) -> None:
    sup.start("")
    assert sup.ctl("version").stdout.strip() == "4.3.0"


def test_backoff_then_fatal_with_linear_delays(sup: Supervisor) -> None:
    sup.start(f"""
        [program:crash]
        command={snippet("import sys; sys.exit(1)")}
        startsecs=1
        startretries=2
        """)
    info = sup.wait_state("crash", "FATAL", timeout=20)
    assert info["description"] == "Exited too quickly (process log may have details)"
    stamps = [_stamp(line) for line in sup.log().splitlines() if "spawned: 'crash'" in line]
    assert len(stamps) == 3  # 1 + startretries attempts
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    assert 0.9 <= gaps[0] <= 1.6 and 1.9 <= gaps[1] <= 2.6, gaps
    assert "gave up: crash entered FATAL state, too many start retries too quickly" in sup.log()
    out = sup.ctl("start", "crash").stdout
    assert "ERROR (spawn error)" in out or "ERROR (abnormal termination)" in out


def _stamp(line: str) -> float:
    m = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3})", line)
    assert m, line
    return time.mktime(time.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")) + int(m.group(2)) / 1e3


def test_exit_codes_and_autorestart(sup: Supervisor, tmp_path: Path) -> None:
    counter = tmp_path / "count"
    bump = (f"open({str(counter)!r}, 'a').write('x'); import time, sys; time.sleep(0.3);"
            " sys.exit(4)")
    sup.start(f"""
        [program:expected]
        command={snippet("import sys; sys.exit(3)")}
        startsecs=0
        exitcodes=0,3

        [program:unexpected]
        command={snippet(bump)}
        startsecs=0
        autorestart=unexpected
        exitcodes=0

        [program:never]
        command={snippet("import sys; sys.exit(4)")}
        startsecs=0
        autorestart=false
        """)
    info = sup.wait_state("expected", "EXITED")
    assert info["exitstatus"] == 3
    sup.wait(lambda: counter.exists() and len(counter.read_text()) >= 3, what="restarts")
    never = sup.wait_state("never", "EXITED")
    assert never["exitstatus"] == 4 and never["spawnerr"] == "Bad exit code 4"
    assert sup.log().count("spawned: 'expected'") == 1
    assert sup.log().count("spawned: 'never'") == 1


def test_stop_escalates_to_sigkill(sup: Supervisor) -> None:
    stubborn = snippet("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
                       " print('ready', flush=True); time.sleep(1000)")
    sup.start(f"""
        [program:stubborn]
        command={stubborn}
        startsecs=0
        stopwaitsecs=1
        """)
    info = sup.wait_state("stubborn", "RUNNING")
    sup.wait(lambda: "ready" in Path(info["stdout_logfile"]).read_text(), what="ready")
    t0 = time.monotonic()
    assert sup.ctl("stop", "stubborn").stdout.strip() == "stubborn: stopped"
    assert time.monotonic() - t0 >= 0.9
    assert f"killing 'stubborn' ({info['pid']}) with SIGKILL" in sup.log()
    assert "stopped: stubborn (terminated by SIGKILL)" in sup.log()
    assert not pid_alive(info["pid"])


def test_environment_of_children(sup: Supervisor) -> None:
    show = snippet("import os; print(*[k + '=' + os.environ.get(k, '-') for k in"
                   " ('SUPERVISOR_ENABLED', 'SUPERVISOR_PROCESS_NAME', 'SUPERVISOR_GROUP_NAME',"
                   " 'SUPERVISOR_SERVER_URL', 'COLOUR', 'SHARED')], sep=chr(10))")
    sup.start(f"""
        [program:env]
        command={show}
        startsecs=0
        autorestart=false
        environment=COLOUR="blue"
        """, extra="environment=SHARED=yes")
    info = sup.wait_state("env", "EXITED")
    text = Path(info["stdout_logfile"]).read_text()
    assert "SUPERVISOR_ENABLED=1" in text
    assert "SUPERVISOR_PROCESS_NAME=env" in text
    assert "SUPERVISOR_GROUP_NAME=env" in text
    assert f"SUPERVISOR_SERVER_URL=unix://{sup.sock}" in text
    assert "COLOUR=blue" in text and "SHARED=yes" in text


def test_shutdown_order_is_descending_priority(sup: Supervisor) -> None:
    sup.start(f"""
        [program:first]
        command={SLEEPER}
        startsecs=0
        priority=1

        [program:last]
        command={SLEEPER}
        startsecs=0
        priority=50
        """)
    sup.wait_state("first", "RUNNING")
    sup.wait_state("last", "RUNNING")
    log = sup.log()
    assert log.index("spawned: 'first'") < log.index("spawned: 'last'")
    assert sup.proc is not None
    sup.proc.send_signal(signal.SIGTERM)
    assert sup.proc.wait(20) == 0
    log = sup.log()
    assert log.index("stopped: last") < log.index("stopped: first")


def test_rotation_keeps_every_line(sup: Supervisor, tmp_path: Path) -> None:
    logfile = tmp_path / "numbers.log"
    writer = pyfile(tmp_path, "numbers", """
        import os
        data = ''.join('line %06d ' % i + 'x' * 50 + chr(10) for i in range(20000)).encode()
        for start in range(0, len(data), 4096):
            os.write(1, data[start:start + 4096])
        """)
    sup.start(f"""
        [program:numbers]
        command={writer}
        startsecs=0
        autorestart=false
        stdout_logfile={logfile}
        stdout_logfile_maxbytes=64KB
        stdout_logfile_backups=100
        """)
    sup.wait_state("numbers", "EXITED")
    files = sorted(tmp_path.glob("numbers.log.*"), key=lambda p: -int(p.suffix[1:]))
    files.append(logfile)
    assert len(files) > 5
    contents = [f.read_bytes() for f in files]
    lines = b"".join(contents).splitlines()
    assert [int(line.split()[1]) for line in lines] == list(range(20000))
    split = sum(1 for c in contents if c and not c.endswith(b"\n"))
    if sup.kind == "svtool":
        assert split == 0  # svtool rotates at line boundaries only
        # a file only exceeds maxbytes by the rest of a line already under way (61 bytes)
        assert all(len(c) <= 64 * 1024 + 61 for c in contents)


def test_sigusr2_reopens_logs(sup: Supervisor) -> None:
    sup.start(f"""
        [program:web]
        command={SLEEPER}
        startsecs=0
        """)
    sup.wait_state("web", "RUNNING")
    moved = sup.mainlog.with_suffix(".old")
    os.rename(sup.mainlog, moved)
    assert sup.proc is not None
    sup.proc.send_signal(signal.SIGUSR2)
    sup.wait(lambda: sup.mainlog.exists(), what="main log reopened")
    sup.ctl("restart", "web")
    sup.wait(lambda: "spawned: 'web'" in sup.log(), what="log in the new file")
