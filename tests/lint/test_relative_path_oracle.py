"""SV253's claim, checked against supervisord 4.3.0 itself: relative log, pid file and program log
paths land in the directory supervisord is started in, not beside the config file, not in
`[supervisord] directory` (in the foreground) and not in the program's `directory`."""

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
logfile = logs/supervisord.log
pidfile = supervisord.pid
directory = {tmp}/dir

[program:web]
command = {python} -c "print('hello', flush=True); import time; time.sleep(30)"
directory = {tmp}/prog
stdout_logfile = logs/web.log
"""


def test_relative_paths_follow_the_start_directory(tmp_path: Path) -> None:
    for name in ("conf", "start/logs", "dir/logs", "prog/logs", "conf/logs"):
        (tmp_path / name).mkdir(parents=True)
    conf = tmp_path / "conf" / "supervisord.conf"
    conf.write_text(CONFIG.format(tmp=tmp_path, python=sys.executable))
    start = tmp_path / "start"
    proc = subprocess.Popen([str(SUPERVISORD), "-c", str(conf)], cwd=start,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        log = start / "logs" / "web.log"
        while time.monotonic() < deadline and not (log.exists() and "hello" in log.read_text()):
            time.sleep(0.1)
        pidfile_written = (start / "supervisord.pid").exists()  # removed at a clean exit
    finally:
        proc.terminate()
        proc.wait(timeout=15)

    assert "hello" in log.read_text()
    assert (start / "logs" / "supervisord.log").exists()
    assert pidfile_written
    for elsewhere in ("conf", "dir", "prog"):
        assert not any((tmp_path / elsewhere / "logs").iterdir()), elsewhere

    found = sorted(d.span.line for d in lint_paths([str(conf)]) if d.code == "SV253")
    assert found == [3, 4, 10], found
