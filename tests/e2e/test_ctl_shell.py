"""`svtool ctl`'s interactive shell answers as supervisorctl 4.3.0's: the same script of command
lines is typed into both clients against the same server, and what they print must be the same;
on a terminal, Tab completes process names."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import SLEEPER_CMD, SUPERVISORCTL, Supervisor
from tests.e2e.test_ctl_parity import PROGRAMS, SVTOOL_CTL

CLIENTS = {"supervisorctl": [SUPERVISORCTL], "svtool": SVTOOL_CTL}


def uniform(text: str) -> str:
    # the clock moves between the two runs; everything else must be the same
    text = re.sub(r"uptime \d+:\d\d:\d\d", "uptime T", text)
    text = re.sub(r"pid \d+", "pid P", text)
    return re.sub(r"[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M", "WHEN", text)


def typed(sup: Supervisor, script: str, *flags: str) -> dict[str, tuple[int, str]]:
    """Each client's exit status and output when `script` is its input (not a terminal)."""
    got = {}
    for name, client in CLIENTS.items():
        res = subprocess.run([*client, "-c", str(sup.conf), *flags], input=script,
                             capture_output=True, text=True, timeout=120)
        assert "Traceback" not in res.stderr, res.stderr
        got[name] = (res.returncode, uniform(res.stdout))
        sup.wait_state("idle", "STOPPED")  # each client starts from the same states
    return got


@pytest.fixture
def running(sup: Supervisor) -> Supervisor:
    sup.start(PROGRAMS)
    sup.wait_state("run", "RUNNING")
    return sup


SCRIPT = """\
status
start idle
status idle

stop idle
status nosuch
status-x
help
help stop
help help
help EOF
help nosuch
?
xyz  1 2
!ls
pid nosuch
signal HUP nosuch
"""


def test_a_script_reads_as_in_supervisorctl(running: Supervisor) -> None:
    rpc = running.rpc().supervisor
    rpc.startProcess("idle")
    rpc.stopProcess("idle")  # so "idle" reads as each client will leave it: stopped at a time
    got = typed(running, SCRIPT)
    assert got["svtool"] == got["supervisorctl"]
    status, out = got["svtool"]
    # status first, then a prompt per line, the end of input saying an empty line; status 0
    assert status == 0
    assert out.startswith("grp:g1 ") and out.count("supervisor> ") == SCRIPT.count("\n") + 1
    assert out.endswith("supervisor> \n")
    assert "supervisor> idle: started\n" in out and "supervisor> idle: stopped\n" in out
    assert "supervisor> supervisor> idle: stopped" in out  # the empty line did nothing
    assert "supervisor> *** Unknown syntax: xyz  1 2\n" in out
    assert "supervisor> stop <name>\t\tStop a process\n" in out
    assert "\ndefault commands (type help <topic>):\n" in out


def test_quit_exit_and_questions_as_in_supervisorctl(running: Supervisor) -> None:
    # shutdown and reload ask first in the shell; "n" (or anything but y) keeps the server
    script = "shutdown\nn\nreload\nno\nversion\nquit\nstatus\n"
    got = typed(running, script)
    assert got["svtool"] == got["supervisorctl"]
    out = got["svtool"][1]
    assert "Really shut the remote supervisord process down y/N? " in out
    assert out.endswith("supervisor> \n") and out.count("supervisor> ") == 4  # quit: no status
    assert running.rpc().supervisor.getState()["statename"] == "RUNNING"
    got = typed(running, "version\nexit\nversion\n")
    assert got["svtool"] == got["supervisorctl"]
    assert got["svtool"][1].count("supervisor> ") == 2
    # the end of input while asking: supervisorctl's one-line error (it adds its source line)
    got = typed(running, "shutdown\n")
    cut = re.compile(r"(EOF when reading a line).*")
    assert cut.sub(r"\1", got["svtool"][1]) == cut.sub(r"\1", got["supervisorctl"][1])


def test_interactive_flag_runs_the_command_alone(running: Supervisor) -> None:
    # 4.3.0 runs a command given with -i and exits with its status, asking as the shell does
    got = typed(running, "version\n", "-i", "status", "idle")
    assert got["svtool"] == got["supervisorctl"]
    assert got["svtool"] == (3, f"{'idle':<33}STOPPED   Not started\n")
    got = typed(running, "n\n", "-i", "shutdown")
    assert got["svtool"] == got["supervisorctl"]
    assert got["svtool"] == (0, "Really shut the remote supervisord process down y/N? ")
    got = typed(running, "version\n", "-i")
    assert got["svtool"] == got["supervisorctl"]
    assert got["svtool"][1].endswith("supervisor> 4.3.0\nsupervisor> \n")


def test_a_server_gone_is_said_at_each_line(tmp_path: os.PathLike[str]) -> None:
    conf = os.path.join(str(tmp_path), "ctl.conf")
    with open(conf, "w") as f:
        f.write(f"[supervisorctl]\nserverurl=unix://{tmp_path}/none.sock\nprompt=here\n")
    got = {}
    for name, client in CLIENTS.items():
        res = subprocess.run([*client, "-c", conf], input="version\nstatus\n",
                             capture_output=True, text=True, timeout=60)
        got[name] = (res.returncode, res.stdout)
    assert got["svtool"] == got["supervisorctl"]
    assert got["svtool"][1].count(f"unix://{tmp_path}/none.sock no such file\n") == 3
    assert "here> " in got["svtool"][1]


@pytest.mark.parametrize("line", [["status-x"], ["EOF"], ["?"], [""], ["!x"], ["quit", "now"],
                                  ["help", "EOF"], ["help", "stop", "x"]])
def test_a_command_line_reads_as_a_typed_line(running: Supervisor, line: list[str]) -> None:
    # supervisorctl reads its command line's words as one line typed into its shell
    got = {}
    for name, client in CLIENTS.items():
        res = subprocess.run([*client, "-c", str(running.conf), *line], capture_output=True,
                             text=True, timeout=60, stdin=subprocess.DEVNULL)
        got[name] = (res.returncode, res.stdout)
    assert got["svtool"] == got["supervisorctl"]


class Terminal:
    """A client on a pseudo-terminal, as someone typing at it would see it."""

    def __init__(self, argv: list[str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the client itself, or nothing if it cannot start
            try:
                os.environ["TERM"] = "dumb"
                os.execvp(argv[0], argv)
            finally:
                os._exit(127)
        self.seen = b""

    def expect(self, text: bytes, timeout: float = 60) -> bytes:
        end = time.monotonic() + timeout
        while text not in self.seen:
            left = end - time.monotonic()
            assert left > 0, f"never saw {text!r} in {self.seen!r}"
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.5))
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:  # the client has gone: the terminal closed
                    chunk = b""
                assert chunk, f"the client ended before {text!r}: {self.seen!r}"
                self.seen += chunk
        return self.seen

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def close(self) -> int:
        end = time.monotonic() + 30
        while time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.05)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
        raise AssertionError("the client did not leave at Ctrl-D")


@pytest.fixture
def terminal() -> Iterator[list[Terminal]]:
    opened: list[Terminal] = []
    yield opened
    for t in opened:  # a failed test still leaves no client behind
        try:
            os.kill(t.pid, signal.SIGKILL)
            os.waitpid(t.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_tab_completes_names_on_a_terminal(svtool: Supervisor, terminal: list[Terminal],
                                           client: str) -> None:
    svtool.start(PROGRAMS + f"""
    [program:web-1]
    command={SLEEPER_CMD}
    autostart=false
    """)
    svtool.wait_state("run", "RUNNING")
    t = Terminal([*CLIENTS[client], "-c", str(svtool.conf)])
    terminal.append(t)
    t.expect(b"supervisor> ")
    t.type(b"status id\t")  # a process name
    t.expect(b"status idle ")
    t.type(b"\n")
    t.expect(b"Not started\r\nsupervisor> ")
    t.type(b"start grp:\t\t")  # a group's processes, listed: the group's own and grp:*
    t.expect(b"grp:*")
    t.expect(b"grp:g2")
    t.type(b"\x15pid web\t")  # a name with "-" in it is one word
    t.expect(b"pid web-1 ")
    t.type(b"\n")
    t.expect(b"web-1 \r\n0\r\nsupervisor> ")
    t.type(b"hel\t")  # a command name
    t.expect(b"help ")
    t.type(b"\x15\x04")  # Ctrl-D on an empty line leaves
    assert t.close() == 0
