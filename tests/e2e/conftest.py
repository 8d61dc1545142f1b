"""Start a supervisor (svtool run, or the real supervisord 4.3.0) on a temp config and drive it.

Every test that takes `sup` runs once per server command, so the same assertions describe
supervisord's real behaviour and check svtool's against it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
import xmlrpc.client
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from supervisor.xmlrpc import SupervisorTransport

BIN = Path(sys.executable).parent
SUPERVISORCTL = str(BIN / "supervisorctl")
SERVERS = {
    "svtool": [sys.executable, "-m", "supervisor_tools", "run", "-n", "-c", "{conf}"],
    "supervisord": [str(BIN / "supervisord"), "-n", "-c", "{conf}"],
}
PY = sys.executable


def snippet(code: str) -> str:
    """A `command=` value running one line of Python (single quotes inside, no `%`)."""
    assert '"' not in code and "%" not in code and "\n" not in code
    return f'{PY} -u -c "{code}"'


SLEEPER_CMD = snippet("import time; time.sleep(1000)")


def pyfile(tmp: Path, name: str, code: str) -> str:
    """Write `code` to a script and return a command running it (for multi-line children)."""
    # Not in the server's cwd: `python -m` would import these as modules (numbers.py, ...).
    (tmp / "bin").mkdir(exist_ok=True)
    path = tmp / "bin" / f"{name}.py"
    path.write_text(textwrap.dedent(code))
    return f"{PY} -u {path}"


def terminate(proc: subprocess.Popen[Any]) -> None:
    """SIGTERM a server the test started, SIGKILL it if it is still there after 30 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Supervisor:
    def __init__(self, kind: str, tmp: Path) -> None:
        self.kind = kind
        self.tmp = tmp
        self.conf = tmp / "supervisord.conf"
        self.sock = tmp / "s.sock"
        self.mainlog = tmp / "main.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.out = tmp / "server.out"
        self.children: set[int] = set()

    def header(self, extra: str = "") -> str:
        return textwrap.dedent(f"""\
            [unix_http_server]
            file={self.sock}

            [supervisord]
            logfile={self.mainlog}
            logfile_maxbytes=0
            pidfile={self.tmp}/supervisord.pid
            childlogdir={self.tmp}
            loglevel=info
            {extra}

            [rpcinterface:supervisor]
            supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

            [supervisorctl]
            serverurl=unix://{self.sock}
            """)

    def write(self, programs: str, extra: str = "") -> None:
        self.conf.write_text(self.header(extra) + "\n" + textwrap.dedent(programs))

    def start(self, programs: str | None = None, extra: str = "",
              env: dict[str, str] | None = None) -> None:
        if programs is not None:
            self.write(programs, extra)
        cmd = [a.format(conf=self.conf) for a in SERVERS[self.kind]]
        with open(self.out, "wb") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.tmp,
                                         env=None if env is None else {**os.environ, **env})
        self.wait(lambda: self._answers(), 20, "the server never answered")

    def _answers(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"server exited: {self.out.read_text()}")
        try:
            self.rpc().supervisor.getPID()
            return True
        except (OSError, xmlrpc.client.Error):
            return False

    def _answers_without_proc(self) -> bool:
        """Readiness of a daemonized server (not our child, so only the socket tells)."""
        try:
            self.rpc().supervisor.getPID()
            return True
        except (OSError, xmlrpc.client.Error):
            return False

    def rpc(self) -> Any:
        transport = SupervisorTransport(None, None, f"unix://{self.sock}")
        return xmlrpc.client.ServerProxy("http://127.0.0.1", transport)

    def ctl(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        res = subprocess.run([SUPERVISORCTL, "-c", str(self.conf), *args], text=True,
                             capture_output=True, timeout=60)
        if check:
            assert res.returncode == 0, res
        self.remember()
        return res

    def info(self, name: str) -> dict[str, Any]:
        info: dict[str, Any] = self.rpc().supervisor.getProcessInfo(name)
        if info["pid"]:
            self.children.add(info["pid"])
        return info

    def state(self, name: str) -> str:
        return str(self.info(name)["statename"])

    def remember(self) -> None:
        with contextlib.suppress(OSError, xmlrpc.client.Error):
            for info in self.rpc().supervisor.getAllProcessInfo():
                if info["pid"]:
                    self.children.add(info["pid"])

    @staticmethod
    def wait(pred: Callable[[], Any], timeout: float = 15, what: str = "condition") -> Any:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            value = pred()
            if value:
                return value
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}")

    def wait_state(self, name: str, state: str, timeout: float = 15) -> dict[str, Any]:
        result: dict[str, Any] = self.wait(
            lambda: (lambda i: i if i["statename"] == state else None)(self.info(name)),
            timeout, f"{name} to be {state}")
        return result

    def log(self) -> str:
        return self.mainlog.read_text() if self.mainlog.exists() else ""

    def stop(self) -> None:
        self.remember()
        if self.proc is not None:
            terminate(self.proc)
        for pid in self.children:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture(params=sorted(SERVERS))
def sup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Supervisor]:
    s = Supervisor(request.param, tmp_path)
    yield s
    s.stop()


@pytest.fixture
def svtool(tmp_path: Path) -> Iterator[Supervisor]:
    s = Supervisor("svtool", tmp_path)
    yield s
    s.stop()
