"""SV252's claim, checked against supervisord 4.3.0 itself: a program started with `user=` keeps
supervisord's HOME and USER; only `environment` changes them."""

from __future__ import annotations

import os
import pwd
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

[program:npm]
command = /bin/sh -c 'echo HOME=$HOME USER=$USER; exec sleep 30'
user = {user}
stdout_logfile = {tmp}/npm.log

[program:fixed]
command = /bin/sh -c 'echo HOME=$HOME; exec sleep 30'
user = {user}
environment = HOME="/home/app"
stdout_logfile = {tmp}/fixed.log
"""


def test_user_keeps_supervisords_home(tmp_path: Path) -> None:
    # as root supervisord really switches users; otherwise it may only "switch" to itself
    user = "nobody" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    conf = tmp_path / "supervisord.conf"
    conf.write_text(CONFIG.format(tmp=tmp_path, user=user))
    env = {**os.environ, "HOME": "/svtool-test-home", "USER": "svtool-test-user"}
    proc = subprocess.Popen([str(SUPERVISORD), "-c", str(conf)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    logs = (tmp_path / "npm.log", tmp_path / "fixed.log")
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not all(
                log.exists() and "HOME=" in log.read_text() for log in logs):
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=15)

    assert logs[0].read_text().split() == ["HOME=/svtool-test-home", "USER=svtool-test-user"]
    assert logs[1].read_text().split() == ["HOME=/home/app"]

    # the linter says so for a command that uses HOME
    conf.write_text(f"[program:web]\ncommand = npm start\nuser = {user}\n")
    assert [d.code for d in lint_paths([str(conf)]) if d.code == "SV252"] == ["SV252"]
