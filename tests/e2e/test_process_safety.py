"""What a bad program or a bad moment must not do to `svtool run`: crash loops, slow stdin
readers, a supervisor killed with SIGKILL, a reload into a broken config."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import string
import time
from pathlib import Path

from tests.e2e.conftest import SLEEPER_CMD, Supervisor, pyfile


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
    sup.wait(lambda: "got" in log.read_text(), 30, "the reader's digest")
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
    svtool.wait(lambda: svtool.log().count("not restarting") == 2, what="the refused SIGHUP")
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
