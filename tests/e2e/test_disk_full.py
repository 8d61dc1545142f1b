"""A full disk under the logs never silences control, and `svtool run` exits cleanly.

/dev/full fails every write with ENOSPC. A file-size limit set on the running server with
prlimit (EFBIG past the limit; Python ignores SIGXFSZ) fills "the disk" for every log at once
and can be lifted again, so the way back is tested too. Control goes through the real
supervisorctl.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import SERVERS, SLEEPER_CMD, Supervisor, pyfile

MAIN_LOG_TROUBLE = "cannot write the main log"


class PipedSupervisor(Supervisor):
    """The server's stdout and stderr go through a pipe (a file-size limit on the server
    must not stop what it says there); a thread copies them to `out`."""

    def start(self, programs: str | None = None, extra: str = "",
              env: dict[str, str] | None = None) -> None:
        if programs is not None:
            self.write(programs, extra)
        cmd = [a.format(conf=self.conf) for a in SERVERS[self.kind]]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.tmp)
        pipe = self.proc.stdout
        assert pipe is not None

        def copy() -> None:
            with open(self.out, "wb") as out:
                for chunk in iter(lambda: os.read(pipe.fileno(), 65536), b""):
                    out.write(chunk)
                    out.flush()

        self.copier = threading.Thread(target=copy, daemon=True)
        self.copier.start()
        self.wait(lambda: self._answers(), 20, "the server never answered")


@pytest.fixture
def piped(tmp_path: Path) -> Iterator[PipedSupervisor]:
    s = PipedSupervisor("svtool", tmp_path)
    yield s
    s.stop()


def ctl_ok(sup: Supervisor, *args: str) -> str:
    res = sup.ctl(*args)
    assert res.returncode == 0, res
    return res.stdout


def shutdown_cleanly(sup: Supervisor) -> str:
    """Shut down through supervisorctl; the server must exit 0 without a traceback."""
    assert sup.proc is not None
    assert "Shut down" in ctl_ok(sup, "shutdown")
    assert sup.proc.wait(30) == 0
    if isinstance(sup, PipedSupervisor):
        sup.copier.join(10)
    out = sup.out.read_text()
    assert "Traceback" not in out, out
    return out


# A regression hangs every reply; fail it in minutes rather than at the suite's timeout.
@pytest.mark.timeout(120)
def test_control_works_with_the_main_log_on_a_full_disk(svtool: Supervisor) -> None:
    svtool.mainlog = Path("/dev/full")
    svtool.start(f"""
        [program:sl]
        command={SLEEPER_CMD}
        startsecs=0
        """)
    first = svtool.wait_state("sl", "RUNNING")["pid"]
    assert ctl_ok(svtool, "restart", "sl").split() == ["sl:", "stopped", "sl:", "started"]
    assert svtool.wait_state("sl", "RUNNING")["pid"] != first
    assert "RUNNING" in ctl_ok(svtool, "status", "sl")
    ctl_ok(svtool, "stop", "sl")
    assert svtool.state("sl") == "STOPPED"
    out = shutdown_cleanly(svtool)
    assert out.count(MAIN_LOG_TROUBLE) == 1  # said once, on stderr


@pytest.mark.timeout(120)
def test_logs_that_fill_up_are_said_once_and_recover(piped: PipedSupervisor) -> None:
    svtool = piped
    chatty = pyfile(svtool.tmp, "chatty", """\
        import sys, time
        i = 0
        while True:
            sys.stdout.write(f"line {i}\\n")
            sys.stdout.flush()
            i += 1
            time.sleep(0.01)
        """)
    child_log = svtool.tmp / "chatty.log"
    svtool.start(f"""
        [program:chatty]
        command={chatty}
        startsecs=0
        stdout_logfile={child_log}
        stdout_logfile_maxbytes=0
        """)
    svtool.wait_state("chatty", "RUNNING")
    svtool.wait(lambda: child_log.exists() and child_log.stat().st_size > 100, 10, "output")
    assert svtool.proc is not None
    pid = svtool.proc.pid
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    # The disk is full: no log may grow by a byte.
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (1, hard))
    try:
        ctl_ok(svtool, "restart", "chatty")
        svtool.wait_state("chatty", "RUNNING")
        svtool.wait(lambda: svtool.out.read_text().count("cannot write the stdout log") == 1,
                    10, "the child log's trouble to be told")
        full = child_log.stat().st_size
        ctl_ok(svtool, "restart", "chatty")
        assert "RUNNING" in ctl_ok(svtool, "status")
        assert child_log.stat().st_size == full
    finally:
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (hard, hard))
    # The space is back: the logs say what was lost, and grow again.
    svtool.wait(lambda: "the main log" in svtool.log() and "is written again" in svtool.log(),
                10, "the main log to say it works again")
    svtool.wait(lambda: f"the stdout log of 'chatty' {child_log} is written again" in
                svtool.log(), 10, "the child log's recovery")
    svtool.wait(lambda: child_log.stat().st_size > full, 10, "the child log to grow again")
    out = shutdown_cleanly(svtool)
    assert out.count(MAIN_LOG_TROUBLE) == 1
    assert out.count("cannot write the stdout log of 'chatty'") == 1
