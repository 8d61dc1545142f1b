"""What a bad program or a bad moment must not do to `svtool run`: crash loops, slow stdin
readers, a supervisor killed with SIGKILL, a reload into a broken config."""

from __future__ import annotations

import hashlib
import os
import random
import re
import signal
import string
import subprocess
import time
from pathlib import Path

from tests.e2e.conftest import SERVERS, SLEEPER_CMD, Supervisor, pyfile


def test_a_crash_loop_is_restarted_about_once_a_second(sup: Supervisor) -> None:
    sup.start("""
        [program:loop]
        command=/bin/false
        startsecs=0
        autorestart=true
        """)
    t0 = time.monotonic()
    time.sleep(3.0)
    spawns = sup.log().count("spawned: 'loop'")
    elapsed = time.monotonic() - t0
    # the start, one immediate restart, then one a second (supervisord: its 1 s tick)
    assert 2 <= spawns <= elapsed + 3, spawns
    if sup.kind == "svtool":
        # nearly always waiting for its next restart, and a stop calls that off
        assert sup.ctl("stop", "loop").stdout.strip() == "loop: stopped"
        assert sup.state("loop") == "STOPPED"
        spawns = sup.log().count("spawned: 'loop'")
        time.sleep(1.5)
        assert sup.log().count("spawned: 'loop'") == spawns


def test_send_process_stdin_delivers_a_megabyte_to_a_slow_reader(sup: Supervisor,
                                                                 tmp_path: Path) -> None:
    size = 1 << 20
    reader = pyfile(tmp_path, "slow", f"""
        import hashlib, sys, time
        got = b''
        while len(got) < {size}:
            chunk = sys.stdin.buffer.read1(16384)
            if not chunk:
                break
            got += chunk
            time.sleep(0.005)
        print('got', len(got), hashlib.sha256(got).hexdigest(), flush=True)
        time.sleep(1000)
        """)
    sup.start(f"""
        [program:slow]
        command={reader}
        startsecs=0
        """)
    info = sup.wait_state("slow", "RUNNING")
    rng = random.Random(13)
    text = "".join(rng.choices(string.ascii_letters + "\n", k=size))
    assert sup.rpc().supervisor.sendProcessStdin("slow", text) is True
    want = f"got {size} {hashlib.sha256(text.encode()).hexdigest()}"
    log = Path(info["stdout_logfile"])
    # the child runs unbuffered (-u): print's parts arrive as separate writes, so wait for
    # the whole line
    sup.wait(lambda: log.read_text().endswith("\n"), 30, "the reader's digest")
    assert log.read_text().strip() == want
    # the pipe drained, more can follow
    assert sup.rpc().supervisor.sendProcessStdin("slow", "more") is True


def test_reload_into_an_invalid_config_keeps_the_running_set(svtool: Supervisor) -> None:
    """supervisord exits on it; svtool refuses the reload and touches nothing."""
    svtool.start(f"""
        [program:old_a]
        command={SLEEPER_CMD}
        startsecs=0
        """)
    svtool.wait_state("old_a", "RUNNING")
    svtool.write(f"""
        [program:new_b]
        command={SLEEPER_CMD}
        startsecs=0
        """)
    out = svtool.ctl("update").stdout
    assert "old_a: removed process group" in out and "new_b: added process group" in out
    pid = svtool.wait_state("new_b", "RUNNING")["pid"]
    server = svtool.rpc().supervisor.getPID()

    svtool.write(f"""
        [program:new_b]
        command={SLEEPER_CMD}
        startsecs=lots
        """)
    res = svtool.ctl("reload")
    assert res.returncode != 0 and "Restarted" not in res.stdout
    assert "CANT_REREAD" in res.stdout and f"{svtool.conf}:" in res.stdout, res.stdout
    os.kill(server, signal.SIGHUP)
    svtool.wait(lambda: svtool.log().count("keeping the previous one") == 2, what="the refused SIGHUP")
    time.sleep(0.3)  # a restart under way would be stopping new_b by now
    status = svtool.ctl("status").stdout
    assert "old_a" not in status and "new_b" in status, status
    assert svtool.info("new_b")["pid"] == pid and svtool.state("new_b") == "RUNNING"
    assert svtool.rpc().supervisor.getPID() == server
    log = svtool.log()
    assert "stopped: new_b" not in log and log.count("spawned: 'old_a'") == 1
    line = svtool.conf.read_text().splitlines().index("startsecs=lots") + 1
    assert f"{svtool.conf}:{line}:11: [program:new_b] startsecs" in log  # positioned
    assert f"{svtool.conf}:{line}:11: [program:new_b] startsecs" in res.stdout


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def test_children_do_not_outlive_a_killed_supervisor(svtool: Supervisor,
                                                     tmp_path: Path) -> None:
    forker = pyfile(tmp_path, "forker", """
        import os, time
        if os.fork() == 0:  # a grandchild in the same process group
            print('grandchild', os.getpid(), flush=True)
        time.sleep(1000)
        """)
    svtool.start(f"""
        [program:web]
        command={SLEEPER_CMD}
        startsecs=0
        numprocs=3
        process_name=%(program_name)s_%(process_num)s

        [program:forker]
        command={forker}
        startsecs=0
        """)
    pids = [svtool.wait_state(f"web:web_{i}", "RUNNING")["pid"] for i in range(3)]
    info = svtool.wait_state("forker", "RUNNING")
    log = Path(info["stdout_logfile"])
    found = svtool.wait(lambda: re.search(r"grandchild (\d+)\n", log.read_text()),
                        what="the grandchild")
    pids += [info["pid"], int(found[1])]
    assert svtool.proc is not None
    svtool.proc.kill()
    svtool.proc.wait()
    t0 = time.monotonic()
    svtool.wait(lambda: not any(_alive(p) for p in pids), 5, "the children to go")
    assert time.monotonic() - t0 < 3


def test_a_restarted_supervisor_stops_what_its_previous_life_left(svtool: Supervisor) -> None:
    """The guard died with the supervisor: the record next to the pidfile still tells."""
    programs = f"""
        [program:web]
        command={SLEEPER_CMD}
        startsecs=0
        numprocs=2
        process_name=%(program_name)s_%(process_num)s
        """
    svtool.start(programs)
    old = [svtool.wait_state(f"web:web_{i}", "RUNNING")["pid"] for i in range(2)]
    guard = int(svtool.log().split("child guard started with pid ")[1].split()[0])
    assert svtool.proc is not None
    server = svtool.proc.pid
    os.kill(guard, signal.SIGKILL)
    svtool.wait(lambda: "child guard (pid" in svtool.log(), what="the guard's exit")
    svtool.proc.kill()
    svtool.proc.wait()
    time.sleep(0.5)
    assert all(_alive(p) for p in old)  # nothing stopped them this time
    record = svtool.tmp / "supervisord.pid.children"
    lines = record.read_text().splitlines()
    assert lines[0].startswith(f"supervisor {server} ")
    assert sorted(int(line.split()[0]) for line in lines[1:]) == sorted(old)

    svtool.start()
    new = [svtool.wait_state(f"web:web_{i}", "RUNNING")["pid"] for i in range(2)]
    assert not any(_alive(p) for p in old) and all(_alive(p) for p in new)
    log = svtool.log()
    for i, pid in enumerate(old):
        assert f"stopped 'web:web_{i}' (pid {pid}), left running by a previous supervisor" in log
    # stopped before anything was spawned
    assert log.index("left running by a previous") < log.rindex("spawned: 'web_0'")
    svtool.ctl("shutdown")
    svtool.proc.wait(20)
    assert not record.exists()  # an orderly end leaves no record


def test_children_of_an_untouched_supervisor_go_with_it(svtool: Supervisor) -> None:
    """No client ever called: the guard must have heard of the children all the same."""
    svtool.write(f"""
        [program:web]
        command={SLEEPER_CMD}
        startsecs=0
        numprocs=2
        process_name=%(program_name)s_%(process_num)s
        """)
    cmd = [a.format(conf=svtool.conf) for a in SERVERS["svtool"]]
    svtool.proc = subprocess.Popen(cmd, cwd=svtool.tmp, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = svtool.proc.pid
    pids = svtool.wait(lambda: (lambda p: p if len(p) == 2 else None)(
        _sleepers_of(server)), what="the spawns")
    svtool.children.update(pids)
    time.sleep(0.5)
    svtool.proc.kill()
    svtool.proc.wait()
    svtool.wait(lambda: not any(_alive(p) for p in pids), 5, "the children to go")


def _sleepers_of(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == parent and b"time.sleep(1000)" in cmdline:
            found.append(int(entry))
    return found


def test_children_start_with_default_signals_on_both_spawn_paths(svtool: Supervisor) -> None:
    probe = "/bin/grep -E 'SigIgn|SigBlk' /proc/self/status"
    svtool.start(f"""
        [program:fast]
        command={probe}
        startsecs=0
        autorestart=false

        [program:popen]
        command={probe}
        umask=022
        startsecs=0
        autorestart=false
        """)
    for name in ("fast", "popen"):
        info = svtool.wait_state(name, "EXITED")
        text = Path(info["stdout_logfile"]).read_text()
        assert text.split() == ["SigBlk:", "0" * 16, "SigIgn:", "0" * 16], (name, text)
