"""The restart policy and container mode with real processes, driven by the real
supervisorctl 4.3.0; supervisord 4.3.0 itself loads the same configs (docs/restart.md)."""

from __future__ import annotations

import os
import re
import time
from datetime import datetime
from pathlib import Path

import pytest

from tests.e2e.conftest import SLEEPER_CMD, Supervisor, pyfile

STAMP = r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \w+ "


def times(log: str, pattern: str) -> list[float]:
    """When each main-log line matching `pattern` was written (seconds since the epoch)."""
    return [datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
            for m in re.finditer(STAMP + pattern, log)]


def counting_child(tmp: Path, lifetimes: list[float | None]) -> str:
    """A child whose n-th run lives lifetimes[n] seconds and exits 1 (None: forever)."""
    return pyfile(tmp, "flaky", f"""
        import os, sys, time
        counter = {str(tmp / 'runs')!r}
        n = int(open(counter).read()) if os.path.exists(counter) else 0
        open(counter, 'w').write(str(n + 1))
        life = {lifetimes!r}[min(n, {len(lifetimes) - 1})]
        if life is None:
            time.sleep(1000)
        time.sleep(life)
        sys.exit(1)
        """)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_crash_loop_waits_longer_each_time_and_starts_over_after_a_stable_run(
        svtool: Supervisor, tmp_path: Path) -> None:
    # Up 0.6 s then a crash (startsecs=0: each run is RUNNING), four times; then a 4 s run,
    # longer than backoffreset; then one more crash; then it stays up.
    cmd = counting_child(tmp_path, [0.6, 0.6, 0.6, 0.6, 4.0, 0.6, None])
    svtool.start(f"""
        [program:flaky]
        command={cmd}
        startsecs=0
        autorestart=true
        backoffincrement=0.5
        backoffmultiplier=2
        maxbackoff=2
        backoffreset=3
        """)
    svtool.wait(lambda: (tmp_path / "runs").exists()
                and (tmp_path / "runs").read_text() == "7", 90, "the seventh run")
    svtool.wait_state("flaky", "RUNNING")
    status = svtool.ctl("status", "flaky")
    assert "RUNNING" in status.stdout, status
    log = svtool.log()
    exits = times(log, r"exited: flaky ")
    spawns = times(log, r"spawned: 'flaky' ")
    assert len(exits) == 6 and len(spawns) == 7, log
    waits = [spawn - exit for exit, spawn in zip(exits, spawns[1:], strict=True)]
    # The policy's waits are 0.5, 1, 2, 2 s; after the stable run at once; then 0.5 s again.
    # A loaded machine may add to a wait, never take from it (10 ms for the log's rounding).
    expected = [0.5, 1.0, 2.0, 2.0, 0.0, 0.5]
    for got, want in zip(waits, expected, strict=True):
        assert want - 0.01 <= got <= want + 1.5, (waits, log)
    assert waits[0] < waits[1] < waits[2], waits
    assert waits[4] < waits[5] < waits[2], waits
    assert len(re.findall(r"less than backoffreset; restarting it in", log)) == 5


def test_unlimited_retries_never_give_up(sup: Supervisor) -> None:
    # Exits at once, so every start fails; supervisord 4.3.0 reads startretries=-1 as "give up
    # after the first failure" (the linter's --target supervisord says so), svtool retries.
    sup.start("""
        [program:never]
        command=/bin/false
        startsecs=1
        startretries=-1
        backoffincrement=0.1
        maxbackoff=0.2
        """)
    if sup.kind == "supervisord":
        sup.wait_state("never", "FATAL", 30)
        assert len(re.findall(r"spawned: 'never'", sup.log())) == 1
        return
    sup.wait(lambda: len(re.findall(r"spawned: 'never'", sup.log())) >= 12, 60,
             "a dozen retries (the default startretries gives up after 4 starts)")
    assert sup.state("never") in ("BACKOFF", "STARTING")
    assert "FATAL" not in sup.log()
    status = sup.ctl("status", "never")
    assert "BACKOFF" in status.stdout or "STARTING" in status.stdout, status
    sup.ctl("stop", "never", check=True)
    assert sup.state("never") == "STOPPED"


def run_until_exit(svtool: Supervisor, timeout: float = 60) -> int:
    assert svtool.proc is not None
    return svtool.proc.wait(timeout)


def test_container_mode_stops_everything_then_exits_with_the_childs_code(
        svtool: Supervisor, tmp_path: Path) -> None:
    main = pyfile(tmp_path, "main", """
        import sys, time
        time.sleep(1.5)
        sys.exit(7)
        """)
    svtool.start(f"""
        [program:side]
        command={SLEEPER_CMD}
        startsecs=0
        priority=1

        [program:main]
        command={main}
        startsecs=0
        exitcodes=7
        autorestart=unexpected
        exit_on_end=true
        """)
    side = svtool.wait_state("side", "RUNNING")["pid"]
    assert "RUNNING" in svtool.ctl("status").stdout
    assert run_until_exit(svtool) == 7
    assert not alive(side)
    log = svtool.log()
    assert "main exited (exit_on_end): shutting down, exit code 7" in log
    assert log.index("exit_on_end") < log.index("stopped: side") < log.index("INFO shutting down")


@pytest.mark.parametrize(("command", "code"), [
    ("/bin/sh -c 'exit 3'", 3),
    ("/bin/sh -c 'kill -9 $$'", 128 + 9),
])
def test_the_supervisord_switch_exits_when_any_program_goes_fatal(
        svtool: Supervisor, command: str, code: int) -> None:
    svtool.start(f"""
        [program:side]
        command={SLEEPER_CMD}
        startsecs=0
        exit_on_end=false

        [program:broken]
        command={command}
        startsecs=1
        startretries=1
        backoffincrement=0.2
        """, extra="exit_on_end=true")
    assert run_until_exit(svtool) == code
    log = svtool.log()
    assert "broken went FATAL (exit_on_end)" in log and "stopped: side" in log


def test_a_stop_request_is_no_end(svtool: Supervisor) -> None:
    svtool.start(f"""
        [program:main]
        command={SLEEPER_CMD}
        startsecs=0
        exit_on_end=true
        """)
    svtool.wait_state("main", "RUNNING")
    svtool.ctl("stop", "main", check=True)
    time.sleep(0.5)  # long enough for a shutdown it must not start to show
    assert svtool.proc is not None and svtool.proc.poll() is None
    assert "RUNNING" in svtool.ctl("start", "main").stdout + svtool.ctl("status").stdout


def test_supervisord_loads_and_runs_a_config_with_the_new_keys(tmp_path: Path) -> None:
    real = Supervisor("supervisord", tmp_path)
    try:
        real.start(f"""
            [program:web]
            command={SLEEPER_CMD}
            startsecs=0
            backoffincrement=2
            backoffmultiplier=2
            maxbackoff=60
            backoffreset=30
            exit_on_end=true
            """, extra="exit_on_end=false")
        real.wait_state("web", "RUNNING")
        assert "web" in real.ctl("status", check=True).stdout
    finally:
        real.stop()
