"""Generated configs run as they are: real supervisord 4.3.0 or `svtool run`, real supervisorctl."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from supervisor_tools.cli import cli

BIN = Path(sys.executable).parent
SERVERS = {
    "supervisord": [str(BIN / "supervisord"), "-n", "-c"],
    "svtool": [sys.executable, "-m", "supervisor_tools", "run", "-n", "-c"],
}


def svtool(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def ctl(conf: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "supervisorctl"), "-c", str(conf), *args],
                          capture_output=True, text=True, timeout=30)


@contextlib.contextmanager
def running(server: str, conf: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The server on `conf`, always stopped afterwards together with anything it started."""
    out = open(conf.parent / f"{server}.out", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([*SERVERS[server], str(conf)], stdout=out, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, cwd=conf.parent, start_new_session=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            ctl(conf, "shutdown")
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        # the server leads its own process group: nothing of this test may outlive it
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        out.close()


def wait_for(conf: Path, proc: subprocess.Popen[bytes], want: list[str]) -> str:
    """supervisorctl status once every name in `want` is RUNNING."""
    deadline = time.monotonic() + 20
    status = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log = "".join(p.read_text(errors="replace") for p in conf.parent.glob("*.out"))
            raise AssertionError(f"server exited with {proc.returncode}: {log}")
        res = ctl(conf, "status")
        status = res.stdout
        if all(f"{name} " in status and "RUNNING" in status.split(name, 1)[1].split("\n")[0]
               for name in want) and (want or res.returncode == 0):
            return status
        time.sleep(0.2)
    raise AssertionError(f"not running after 20 s: {status!r}")


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_minimal_config_with_scaffolds_runs(server: str, tmp_path: Path) -> None:
    base = tmp_path / "sv"
    conf = base / "supervisord.conf"
    svtool("echo-conf", "--minimal", "--dir", str(base), "-o", str(conf))
    sleep = f"{sys.executable} -c 'import time; time.sleep(60)'"
    svtool("echo-conf", "program", "worker", "--command", sleep, "--numprocs", "2",
           "--env", "MODE=test run", "-o", str(base / "conf.d" / "worker.conf"))
    svtool("echo-conf", "program", "shell", "--command",
           f"sh -c \"echo started; exec {sleep}\"",
           "--logdir", str(base / "log"), "-o", str(base / "conf.d" / "shell.conf"))
    svtool("echo-conf", "-o", str(base / "conf.d" / "zz-group.conf"), "group", "pair",
           "--programs", "shell")
    with running(server, conf) as proc:
        status = wait_for(conf, proc, ["worker:worker_00", "worker:worker_01", "pair:shell"])
        assert "worker_00" in status
        assert (base / "supervisor.sock").exists()
        assert (base / "supervisord.pid").exists()
        assert (base / "log" / "supervisord.log").exists()
        shell_log = base / "log" / "shell.log"
        deadline = time.monotonic() + 10
        while not (shell_log.exists() and "started" in shell_log.read_text()):
            assert time.monotonic() < deadline, "nothing logged to the --logdir file"
            time.sleep(0.1)
        res = ctl(conf, "stop", "pair:*")
        assert res.returncode == 0, res


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_full_sample_runs_as_is(server: str, tmp_path: Path) -> None:
    conf = tmp_path / "supervisord.conf"
    svtool("echo-conf", "-o", str(conf))
    with running(server, conf) as proc:
        wait_for(conf, proc, [])
        assert (tmp_path / "supervisor.sock").exists()
        assert (tmp_path / "supervisord.log").exists()
