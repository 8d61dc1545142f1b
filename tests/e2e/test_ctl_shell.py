"""`svtool ctl`'s interactive shell answers as supervisorctl 4.3.0's: the same script of command
lines is typed into both clients against the same server, and what they print must be the same;
on a terminal, Tab completes process names."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import time
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from supervisor.xmlrpc import SupervisorTransport

from tests.e2e.conftest import SERVERS, SLEEPER_CMD, SUPERVISORCTL, Supervisor
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


def test_a_server_gone_is_said_at_each_line(tmp_path: Path) -> None:
    conf = tmp_path / "ctl.conf"
    conf.write_text(f"[supervisorctl]\nserverurl=unix://{tmp_path}/none.sock\nprompt=here\n")
    got = {}
    for name, client in CLIENTS.items():
        res = subprocess.run([*client, "-c", str(conf)], input="version\nstatus\n",
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


class Guarded(Supervisor):
    """A server whose socket wants a user name and password that [supervisorctl] does not give."""

    def header(self, extra: str = "") -> str:
        return super().header(extra).replace(f"file={self.sock}\n",
                                             f"file={self.sock}\nusername=u\npassword=pw\n", 1)

    def rpc(self) -> Any:
        transport = SupervisorTransport("u", "pw", f"unix://{self.sock}")
        return xmlrpc.client.ServerProxy("http://127.0.0.1", transport)


@pytest.mark.parametrize("kind", sorted(SERVERS))
def test_the_shell_asks_for_a_password(tmp_path: Path, kind: str) -> None:
    guarded = Guarded(kind, tmp_path)
    try:
        guarded.start(PROGRAMS)
        guarded.wait_state("run", "RUNNING")
        got = {}
        for name, client in CLIENTS.items():
            # a session of its own: no terminal to ask on, so the password is read from stdin
            res = subprocess.run([*client, "-c", str(guarded.conf)], text=True, timeout=60,
                                 input="u\npw\nversion\n", capture_output=True,
                                 start_new_session=True)
            got[name] = (res.returncode, uniform(res.stdout))
        assert got["svtool"] == got["supervisorctl"]
        # (getpass asks for the password on stderr when there is no terminal)
        assert got["svtool"][1].startswith("Server requires authentication\nUsername:\ngrp:g1 ")
        assert got["svtool"][1].endswith("supervisor> 4.3.0\nsupervisor> \n")
        for name, client in CLIENTS.items():  # a command line is not interactive: it fails
            res = subprocess.run([*client, "-c", str(guarded.conf), "version"], text=True,
                                 timeout=60, capture_output=True, stdin=subprocess.DEVNULL)
            got[name] = (res.returncode, res.stdout)
        # supervisorctl then runs the command a second time and prints that one's 401 as an
        # "error:" line with its own source file and line; svtool stops at the first answer
        assert got["svtool"] == (1, "Server requires authentication\n")
        assert got["supervisorctl"][0] == 1
        assert got["supervisorctl"][1].startswith("Server requires authentication\nerror: ")
    finally:
        guarded.stop()


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
        self.read_to = 0

    def expect(self, text: bytes, timeout: float = 60) -> None:
        """Wait for `text` in what the client writes next (after the last text expected)."""
        end = time.monotonic() + timeout
        while text not in self.seen[self.read_to:]:
            left = end - time.monotonic()
            assert left > 0, f"never saw {text!r} in {self.seen[self.read_to:]!r}"
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.5))
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:  # the client has gone: the terminal closed
                    chunk = b""
                assert chunk, f"the client ended before {text!r}: {self.seen!r}"
                self.seen += chunk
        self.read_to = self.seen.index(text, self.read_to) + len(text)

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def close(self) -> int:
        """Read what is left until the client has gone; its exit status."""
        end = time.monotonic() + 30
        while time.monotonic() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:  # the terminal closes when the client has gone
                chunk = b""
            if not chunk:
                break
            self.seen += chunk
        else:
            raise AssertionError(f"the client did not leave: {self.seen!r}")
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


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
    t.expect(b"\r\n0\r\nsupervisor> ")
    t.type(b"hel\t")  # a command name
    t.expect(b"help ")
    t.type(b"\x15\x04")  # Ctrl-D on an empty line leaves
    assert t.close() == 0


def test_ctrl_c_leaves(running: Supervisor) -> None:
    got = {}
    for name, client in CLIENTS.items():
        proc = subprocess.Popen([*client, "-c", str(running.conf)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert proc.stdout is not None
            seen = b""
            while not seen.endswith(b"supervisor> "):  # the prompt is flushed before reading
                chunk = proc.stdout.read1(4096)
                assert chunk, seen
                seen += chunk
            proc.send_signal(signal.SIGINT)  # Ctrl-C: an empty line, and out with status 0
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert b"Traceback" not in err, err
        got[name] = (proc.returncode, uniform((seen + out).decode()))
    assert got["svtool"] == got["supervisorctl"]
    assert got["svtool"][0] == 0 and got["svtool"][1].endswith("\nsupervisor> \n")


def history_sessions(argv: list[str], terminal: list[Terminal]) -> None:
    """Two shells one after the other: the second recalls the first's line with Ctrl-P."""
    for line, recalled in ((b"version", b""), (b"pid", b"version")):
        t = Terminal(argv)
        terminal.append(t)
        t.expect(b"supervisor> ")
        if recalled:
            t.type(b"\x10")  # Ctrl-P: the line before, read back from the history file
            t.expect(recalled)
            t.type(b"\x15")
        t.type(line + b"\r")
        t.expect(line + b"\r\n")
        t.expect(b"\r\nsupervisor> ")
        # Ctrl-D once the line editor reads keys (it echoes them): the terminal's own reading
        # of a Ctrl-D that comes before is not the editor's
        t.type(b"x")
        t.expect(b"x")
        t.type(b"\x15\x04")
        assert t.close() == 0


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_history_is_kept(svtool: Supervisor, terminal: list[Terminal], client: str,
                         tmp_path: Path) -> None:
    svtool.start(PROGRAMS)
    history = tmp_path / "history"
    svtool.conf.write_text(svtool.conf.read_text().replace(
        "[supervisorctl]\n", f"[supervisorctl]\nhistory_file={history}\n"))
    history_sessions([*CLIENTS[client], "-c", str(svtool.conf)], terminal)
    assert history.read_text().split() == ["version", "pid"]


def test_history_flag(svtool: Supervisor, terminal: list[Terminal], tmp_path: Path) -> None:
    # supervisorctl 4.3.0 ignores its -r (docs/differences.md); svtool does what it says
    svtool.start(PROGRAMS)
    history = tmp_path / "history"
    history_sessions([*SVTOOL_CTL, "-c", str(svtool.conf), "-r", str(history)], terminal)
    assert history.read_text().split() == ["version", "pid"]


def test_json_in_the_shell_prints_each_commands_results(running: Supervisor) -> None:
    res = subprocess.run([*SVTOOL_CTL, "-c", str(running.conf), "--json"], text=True,
                         input="version\nstatus run\nxyz\n", capture_output=True, timeout=60)
    first, *rest = res.stdout.split("supervisor> ")
    assert [i["name"] for i in json.loads(first)] == ["g1", "g2", "idle", "run"]
    assert json.loads(rest[0]) == "4.3.0"
    assert [(i["name"], i["statename"]) for i in json.loads(rest[1])] == [("run", "RUNNING")]
    assert rest[2:] == ["[]\n", ""]  # an unknown command: no results (its words on stderr)
    assert res.stderr == "*** Unknown syntax: xyz\n\n" and res.returncode == 0
