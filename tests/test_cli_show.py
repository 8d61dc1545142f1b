"""`svtool show`, `--version` and `--help` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from supervisor_tools import __version__

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures/demo/supervisord.conf"


def svtool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "supervisor_tools", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


def test_version() -> None:
    proc = svtool("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"svtool, version {__version__}"


def test_help_lists_commands_and_each_has_help() -> None:
    proc = svtool("--help")
    assert proc.returncode == 0
    commands = []
    in_commands = False
    for line in proc.stdout.splitlines():
        if line.startswith("Commands:"):
            in_commands = True
        elif in_commands and line.strip():
            commands.append(line.split()[0])
    assert "show" in commands
    for command in commands:
        sub = svtool(command, "--help")
        assert sub.returncode == 0, (command, sub.stderr)
        assert "Usage:" in sub.stdout


def test_show_text_of_demo() -> None:
    proc = svtool("show", str(DEMO))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "group group 'jobs' (priority 500, 3 processes)" in out
    assert "jobs:worker_00" in out and "jobs:worker_01" in out and "jobs:beat" in out
    assert "program group 'web'" in out
    assert "autorestart: true" in out
    # supervisord keeps log paths as written after expansion (not normalized)
    assert f"{DEMO.parent / 'conf.d' / '..' / 'run' / 'web.log'} (rotate at 10485760 bytes" in out


def test_show_json_shape_of_demo() -> None:
    proc = svtool("show", "--json", str(DEMO))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {"supervisord", "groups", "servers"}
    assert data["supervisord"]["nodaemon"] is True
    assert data["supervisord"]["environment"] == {"APP_ENV": "demo"}
    jobs = next(g for g in data["groups"] if g["name"] == "jobs")
    assert (jobs["kind"], jobs["priority"]) == ("group", 500)
    worker = jobs["processes"][1]
    assert worker["name"] == "worker_01" and worker["program"] == "worker"
    assert worker["stopsignal"] == "TERM" and worker["stopasgroup"] is True
    assert worker["killasgroup"] is True
    assert worker["exitcodes"] == [0] and worker["autorestart"] == "unexpected"
    assert worker["stdout_logfile_maxbytes"] == 50 * 1024 * 1024
    assert worker["stderr_logfile"] == "NONE"  # redirect_stderr=true
    assert worker["environment"] == {"APP_ENV": "demo"}
    assert worker["source"].endswith("conf.d/workers.conf:1")
    assert "worker 1 up" in worker["command"]
    assert data["servers"][0]["kind"] == "unix"


def test_show_reports_every_error_with_position(tmp_path: Path) -> None:
    conf = tmp_path / "bad.conf"
    conf.write_text("[supervisord]\nloglevel=loud\n[program:a]\nautorestart=maybe\n"
                    "numprocs=2\nstopsignal=NOPE\n")
    proc = svtool("show", str(conf))
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [
        f"{conf}:2:10", f"{conf}:3:2", f"{conf}:4:13", f"{conf}:5:10", f"{conf}:6:12"]
    assert "does not specify a command" in lines[1]
    assert "%(process_num)" in lines[3]
    assert proc.stdout == ""


def test_show_refuses_fragment_unless_asked(tmp_path: Path) -> None:
    conf = tmp_path / "app.conf"
    conf.write_text("[program:app]\ncommand=/bin/cat\n")
    refused = svtool("show", str(conf))
    assert refused.returncode == 2
    assert "no [supervisord] section" in refused.stderr
    assert refused.stderr.startswith(f"{conf}:1:2: ")
    accepted = svtool("show", "--fragment", "--json", str(conf))
    assert accepted.returncode == 0
    data = json.loads(accepted.stdout)
    assert data["supervisord"] is None
    assert data["groups"][0]["processes"][0]["command"] == "/bin/cat"


def test_host_checks_can_be_turned_off(tmp_path: Path) -> None:
    conf = tmp_path / "host.conf"
    conf.write_text("[supervisord]\n[program:a]\ncommand=/bin/cat\nuser=no-such-user-here\n"
                    "stdout_logfile=/no/such/dir/a.log\n")
    assert svtool("show", str(conf)).returncode == 2
    proc = svtool("show", "--no-host-checks", "--json", str(conf))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["groups"][0]["processes"][0]["user"] == "no-such-user-here"


def test_the_entry_point_pauses_the_collector_for_start_up_only() -> None:
    # `svtool` imports with the cyclic collector off; every command but the short-lived
    # readers (lint, show) runs with it on again, above all the long-lived runtime
    code = """
import contextlib, gc, sys
from supervisor_tools import entry
from supervisor_tools.lint import command
from supervisor_tools.runtime import main
seen = []
command.rules_command = lambda *a, **k: seen.append(("rules", gc.isenabled())) or 0
main.run = lambda *a, **k: seen.append(("run", gc.isenabled())) or 0
for argv in (["svtool", "rules"], ["svtool", "run", "-c", "x.conf"]):
    sys.argv = argv
    with contextlib.suppress(SystemExit):
        entry.main()
print(seen)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert proc.stdout.strip() == "[('rules', True), ('run', True)]"


def test_show_text_says_when_a_process_is_ready_and_alive() -> None:
    proc = svtool("show", str(ROOT / "fixtures/convert/configs/readiness.conf"))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "    ready when:  READY=1 (sd_notify) (timeout 120s)\n" in out
    assert "    alive while: WATCHDOG=1 every 30s\n" in out
    assert "    ready when:  readiness probe: GET http://127.0.0.1:8080/ready every 2s" in out
    assert "    alive while: liveness probe: connect 127.0.0.1:8080 every 10s\n" in out
    assert "ready when:  a line matching '^worker \\\\d+ ready$' (timeout 90s)" in out
    # a program without those options shows neither line
    demo = svtool("show", str(DEMO)).stdout
    assert "ready when" not in demo and "alive while" not in demo
