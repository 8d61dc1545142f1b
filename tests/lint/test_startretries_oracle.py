"""SV231's claim, checked against supervisord 4.3.0 itself: with startsecs=0, spawn errors still
count against startretries (BACKOFF, then FATAL), while a process that exits at once is never
retried through BACKOFF."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from supervisor_tools.lint.engine import lint_paths

SUPERVISORD = Path(sys.executable).parent / "supervisord"

CONFIG = """\
[supervisord]
nodaemon = true
logfile = {tmp}/supervisord.log
pidfile = {tmp}/supervisord.pid
childlogdir = {tmp}

[program:missing]
command = /no/such/binary
startsecs = 0
startretries = 1
autorestart = false

[program:quick]
command = {python} -c "raise SystemExit(3)"
startsecs = 0
startretries = 3
autorestart = false
"""


def run_until(conf: Path, log: Path, done: str, timeout: float) -> str:
    """Run supervisord on `conf` until its log contains `done` (or `timeout` passes)."""
    proc = subprocess.Popen([str(SUPERVISORD), "-c", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = log.read_text() if log.exists() else ""
            if done in text:
                return text
            time.sleep(0.1)
        return log.read_text() if log.exists() else ""
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_startsecs_0_counts_spawn_errors_but_not_exits(tmp_path: Path) -> None:
    conf = tmp_path / "supervisord.conf"
    conf.write_text(CONFIG.format(tmp=tmp_path, python=sys.executable))
    log = run_until(conf, tmp_path / "supervisord.log", "gave up: missing", timeout=20)

    # startretries=1: the first spawn error and one retry, then FATAL
    assert log.count("spawnerr: can't find command '/no/such/binary'") == 2, log
    assert "gave up: missing entered FATAL state, too many start retries" in log, log
    # exit status 3 with startsecs=0: EXITED once, never BACKOFF, never retried
    assert log.count("spawned: 'quick'") == 1, log
    assert "exited: quick (exit status 3; not expected)" in log, log
    assert "gave up: quick" not in log, log

    found = {d.span.line: d.message for d in lint_paths([str(conf)]) if d.code == "SV231"}
    # both set startretries above 0 next to startsecs=0, and neither limits the exits; the
    # finding says what supervisord does (startretries is used, for spawn errors)
    assert sorted(found) == [10, 16], found
    assert all("counts only spawn errors" in message for message in found.values()), found
