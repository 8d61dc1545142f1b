"""`svtool ctl` answers as supervisorctl 4.3.0 does: each command line is given to both clients
against the same server and config, and their output and exit status must be the same."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import xmlrpc.client
from collections.abc import Callable

import pytest

from tests.e2e.conftest import SLEEPER_CMD, SUPERVISORCTL, Supervisor

SVTOOL_CTL = [sys.executable, "-m", "supervisor_tools", "ctl"]

PROGRAMS = f"""
    [program:run]
    command={SLEEPER_CMD}
    startsecs=0

    [program:idle]
    command={SLEEPER_CMD}
    autostart=false

    [program:g1]
    command={SLEEPER_CMD}
    autostart=false

    [program:g2]
    command={SLEEPER_CMD}
    autostart=false

    [group:grp]
    programs=g1,g2
    """

# Command lines that leave the server as they found it (or that fail before changing anything).
STEADY = [
    ["status", "nosuch"], ["status", "nosuch:*"], ["status", "grp:nosuch"], ["status", "grp:*"],
    ["status", "run", "nosuch", "grp:*"], ["status", "idle"], ["status", "run"], ["status"],
    ["status", "all"],
    ["start"], ["start", "nosuch"], ["start", "nosuch:*"], ["start", "grp:nosuch"],
    ["start", "run"], ["start", "nosuch", "nosuch:*", "run"],
    ["stop"], ["stop", "nosuch"], ["stop", "nosuch:*"], ["stop", "grp:nosuch"], ["stop", "idle"],
    ["stop", "grp:*"], ["stop", "nosuch", "idle"],
    ["restart"], ["restart", "nosuch"], ["restart", "nosuch:*"], ["restart", "grp:nosuch"],
    ["signal"], ["signal", "HUP"], ["signal", "HUP", "nosuch"], ["signal", "HUP", "nosuch:*"],
    ["signal", "HUP", "grp:nosuch"], ["signal", "HUP", "idle"], ["signal", "NOSIG", "run"],
    ["signal", "HUP", "grp:*"],
    ["pid", "nosuch"], ["pid", "idle"], ["pid", "grp:nosuch"], ["pid", "nosuch", "idle"],
    ["tail"], ["tail", "nosuch"], ["tail", "nosuch", "stderr"], ["tail", "run", "sideways"],
    ["tail", "-x", "run"], ["tail", "-100", "nosuch"], ["tail", "a", "b", "c", "d"],
    ["tail", "-5"], ["tail", "idle"], ["tail", "idle", "stderr"],
    ["maintail", "-x"], ["maintail", "x"], ["maintail", "-1", "-2"],
    ["clear"], ["clear", "nosuch"], ["clear", "nosuch:*"], ["clear", "grp:nosuch"],
    ["clear", "idle"], ["clear", "nosuch", "idle"],
    ["fg"], ["fg", "nosuch"], ["fg", "idle"], ["fg", "run", "idle"], ["fg", "grp:nosuch"],
    ["avail"], ["avail", "x"], ["add", "nosuch"], ["add", "grp"], ["remove", "nosuch"],
    ["update", "nosuch"], ["reread"],
    ["reread", "x"], ["update"], ["version", "x"], ["version"], ["shutdown", "x"],
    ["reload", "x"], ["frobnicate"], ["frobnicate", "x", "y"],
    ["help"], ["help", "help"], ["help", "nosuch"], ["quit"], ["exit"], ["open", "ftp://x"],
    *[["help", topic] for topic in ("status", "start", "stop", "restart", "signal", "pid",
                                    "tail", "maintail", "clear", "fg", "avail", "reread",
                                    "update", "add", "remove", "reload", "shutdown", "version",
                                    "open", "quit", "exit")],
]


def uniform(text: str) -> str:
    # the clock moves between the two runs; everything else must be the same
    return re.sub(r"uptime \d+:\d\d:\d\d", "uptime T", text)


def both(sup: Supervisor, args: list[str],
         before: Callable[[], object] = lambda: None) -> dict[str, tuple[int, str]]:
    got = {}
    for name, client in (("supervisorctl", [SUPERVISORCTL]), ("svtool", SVTOOL_CTL)):
        before()
        res = subprocess.run([*client, "-c", str(sup.conf), *args], capture_output=True,
                             text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert "Traceback" not in res.stderr, res.stderr
        got[name] = (res.returncode, uniform(res.stdout))
    return got


@pytest.fixture
def running(sup: Supervisor) -> Supervisor:
    sup.start(PROGRAMS)
    sup.wait_state("run", "RUNNING")
    return sup


def test_every_command_answers_as_supervisorctl(running: Supervisor) -> None:
    differ = {}
    for args in STEADY:
        got = both(running, args)
        if got["svtool"] != got["supervisorctl"]:
            differ[" ".join(args)] = got
    assert differ == {}
    got = both(running, ["open", f"unix://{running.sock}"])
    assert got["svtool"] == got["supervisorctl"]
    assert "run" in got["svtool"][1] and got["svtool"][0] == 0
    # unknown names and groups fail, in supervisorctl's words
    got = both(running, ["status", "nosuch"])
    assert got["svtool"] == (4, "nosuch: ERROR (no such process)\n")


def test_changing_commands_answer_as_supervisorctl(running: Supervisor) -> None:
    rpc = running.rpc().supervisor

    def settle(name: str, want: str) -> None:
        # whatever the last client left under way, bring `name` to `want` and wait for it
        def there() -> bool:
            state = running.state(name)
            if state == want:
                return True
            with contextlib.suppress(xmlrpc.client.Fault):  # under way already
                if want == "RUNNING" and state in ("STOPPED", "EXITED", "FATAL"):
                    rpc.startProcess(name)
                elif want == "STOPPED" and state in ("RUNNING", "STARTING", "BACKOFF"):
                    rpc.stopProcess(name)
            return False

        running.wait(there, 30, f"{name} to be {want}")

    def stopped() -> None:
        # the start-up state: run RUNNING, the others STOPPED
        for name in ("idle", "grp:g1", "grp:g2"):
            settle(name, "STOPPED")
        settle("run", "RUNNING")

    def started() -> None:
        stopped()
        settle("idle", "RUNNING")

    cases: list[tuple[list[str], Callable[[], object]]] = [
        (["start", "idle"], stopped), (["start", "grp:*"], stopped),
        (["start", "idle", "nosuch", "grp:*", "nosuch:*"], stopped),
        (["stop", "idle"], started), (["restart", "idle"], started),
        (["restart", "idle", "nosuch"], stopped),
        (["signal", "USR1", "idle"], started), (["signal", "USR1", "all"], started),
        (["pid", "idle"], stopped), (["clear", "all"], stopped), (["start", "all"], stopped),
    ]
    # not `stop all`: which processes stop at once and come first depends on timing, in
    # supervisord as in svtool (docs/differences.md)
    differ = {}
    for args, before in cases:
        got = both(running, args, before)
        if got["svtool"] != got["supervisorctl"]:
            differ[" ".join(args)] = got
    assert differ == {}
    running.remember()


def test_an_absent_server_is_reported_alike(sup: Supervisor) -> None:
    sup.write(PROGRAMS)  # never started: the socket file does not exist
    differ = {}
    for args in (["status"], ["start", "x"], ["stop", "x"], ["tail", "x"], ["pid"],
                 ["version"], ["shutdown"], ["fg", "x"], ["clear", "x"]):
        got = both(sup, args)
        if got["svtool"] != got["supervisorctl"]:
            differ[" ".join(args)] = got
    assert differ == {}


def test_json_stays(running: Supervisor) -> None:
    import json

    res = subprocess.run([*SVTOOL_CTL, "-c", str(running.conf), "--json", "status"],
                         capture_output=True, text=True, timeout=60)
    names = [i["name"] for i in json.loads(res.stdout)]
    assert names == ["g1", "g2", "idle", "run"]
    assert res.returncode == 3  # idle and the group are stopped, as supervisorctl says
    res = subprocess.run([*SVTOOL_CTL, "-c", str(running.conf), "--format", "json", "start",
                          "nosuch"], capture_output=True, text=True, timeout=60)
    assert json.loads(res.stdout)[0]["status"] == 10 and res.returncode == 1


def test_fg_shows_output_and_sends_input(running: Supervisor) -> None:
    echo = f"{sys.executable} -u -c \"import sys; [print('got', l.strip()) for l in sys.stdin]\""
    running.conf.write_text(running.conf.read_text() + f"\n[program:echo]\ncommand={echo}\n")
    subprocess.run([SUPERVISORCTL, "-c", str(running.conf), "update"], check=True,
                   capture_output=True, timeout=60)
    running.wait_state("echo", "RUNNING")
    proc = subprocess.Popen([*SVTOOL_CTL, "-c", str(running.conf), "fg", "echo"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    assert proc.stdout.readline() == "==> Press Ctrl-C to exit <==\n"
    proc.stdin.write("hello\n")
    proc.stdin.flush()
    seen = ""
    while "got hello" not in seen:
        seen += proc.stdout.readline()
    proc.stdin.close()
    assert proc.wait(30) == 0
    assert proc.stdout.read().endswith("Exiting foreground\n")
    running.remember()
