"""What a process waits for, its readiness and its health, as the real supervisorctl 4.3.0,
svtool ctl and the web console show them: one supervisor with a process in each case."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .conftest import PY, Supervisor, pyfile
from .test_readiness import console_status

NOT_READY = """\
import os, socket, time
addr = os.environ['NOTIFY_SOCKET']
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.sendto(b'STATUS=loading the index', '\\0' + addr[1:] if addr[0] == '@' else addr)
time.sleep(1000)
"""


def test_waits_readiness_health_and_backoff_reach_supervisorctl_status(
        svtool: Supervisor, tmp_path: Path) -> None:
    notify = pyfile(tmp_path, "notify", NOT_READY)
    svtool.start(f"""
        [program:index]
        command={notify}
        sd_notify=true
        readytimeoutsecs=0

        [program:api]
        command={PY} -c "import time; time.sleep(1000)"
        startsecs=0
        dependent_startup=true
        dependent_startup_wait_for=index:running

        [program:sick]
        command={PY} -c "import time; time.sleep(1000)"
        startsecs=0
        liveness_probe_exec=false
        liveness_probe_period_seconds=1
        liveness_probe_failure_threshold=1000

        [program:flaky]
        command={PY} -c "import time; time.sleep(0.3)"
        startsecs=0
        autorestart=true
        backoffincrement=120
        backoffreset=60
        """)
    svtool.wait(lambda: svtool.state("flaky") == "EXITED", 30, "flaky to exit")
    expected = {
        "index": ("STARTING", "loading the index"),
        "api": ("STOPPED", "waiting for index:running: index is STARTING"),
        "sick": ("RUNNING", "liveness probe failed"),
        "flaky": ("EXITED", "restarting in "),
    }

    def shown(out: str) -> bool:
        return all(re.search(rf"^{name}\s+{state}\s.*{re.escape(note)}", out, re.M)
                   for name, (state, note) in expected.items())

    res = svtool.wait(lambda: (lambda r: r if shown(r.stdout) else None)(svtool.ctl("status")),
                      30, "every note in supervisorctl status")
    # supervisorctl answers 3 when a process is not running, as against supervisord
    assert res.returncode == 3, res
    wait = int(re.search(r"^flaky .*restarting in (\d+) s$", res.stdout, re.M).group(1))
    assert 100 <= wait <= 120, res.stdout
    assert re.search(r"^sick\s+RUNNING\s+pid \d+, uptime [\d:]+; liveness probe failed "
                     r"\d+/1000: exit status 1$", res.stdout, re.M), res.stdout

    ours = subprocess.run([sys.executable, "-m", "supervisor_tools", "ctl", "-c",
                           str(svtool.conf), "status"], capture_output=True, text=True,
                          timeout=60)
    assert shown(ours.stdout), ours.stdout
    console = {p["name"]: p for g in console_status(svtool)["groups"] for p in g["processes"]}
    for name, (state, note) in expected.items():
        assert console[name]["state"] == state and note in console[name]["description"], console
    info = svtool.info("flaky")
    assert info["statename"] == "EXITED" and "restarting in" in info["description"]
