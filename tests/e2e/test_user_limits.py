"""`[supervisord] user=` and `minprocs`: the server's own identity and limits, on both servers."""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import SERVERS, Supervisor


def limits_of(pid: int, name: str) -> tuple[str, str]:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith(name):
            soft, hard = line[len(name):].split()[:2]
            return soft, hard
    raise AssertionError(name)


def uid_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError("no Uid line")


@pytest.fixture(params=sorted(SERVERS))
def open_sup(request: pytest.FixtureRequest) -> Iterator[Supervisor]:
    """A supervisor whose directory any user may write (tmp_path's parents are private)."""
    tmp = Path(tempfile.mkdtemp(prefix="svtool-e2e-user-"))
    tmp.chmod(0o777)
    s = Supervisor(request.param, tmp)
    try:
        yield s
    finally:
        s.stop()
        shutil.rmtree(tmp, ignore_errors=True)


PROGRAMS = """
    [program:who]
    command=/bin/sleep 1000
    startsecs=0
    """


def test_user_switches_the_server_before_it_opens_anything(open_sup: Supervisor) -> None:
    sup = open_sup
    nobody = pwd.getpwnam("nobody")
    if os.getuid() != 0:
        # Only root can switch: both servers refuse to start instead.
        sup.write(PROGRAMS, "user=nobody")
        cmd = [a.format(conf=sup.conf) for a in SERVERS[sup.kind]]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=sup.tmp)
        assert res.returncode != 0
        assert "Can't drop privilege as nonroot user" in res.stdout + res.stderr
        return
    sup.start(PROGRAMS, "user=nobody")
    assert sup.proc is not None
    assert uid_of(sup.proc.pid) == nobody.pw_uid
    child = sup.wait_state("who", "RUNNING")["pid"]
    assert uid_of(child) == nobody.pw_uid
    # Log, socket and pidfile belong to the user the server runs as.
    for path in (sup.mainlog, sup.sock, sup.tmp / "supervisord.pid"):
        assert path.stat().st_uid == nobody.pw_uid, path
    assert stat.S_ISSOCK(sup.sock.stat().st_mode)
    assert f"Set uid to user {nobody.pw_uid} succeeded" in sup.log()
    # The switched server still answers everything supervisorctl asks, reload included.
    assert sup.ctl("tail", "who").returncode == 0
    sup.ctl("reload", check=True)
    sup.wait(lambda: sup.log().count("supervisord started") + sup.log().count(
        "supervisord restarted") >= 2, what="the reload")
    sup.wait_state("who", "RUNNING")


def test_unknown_user_is_refused(sup: Supervisor) -> None:
    sup.write(PROGRAMS, "user=no-such-user-here")
    cmd = [a.format(conf=sup.conf) for a in SERVERS[sup.kind]]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=sup.tmp)
    assert res.returncode != 0


def test_minprocs_raises_the_process_limit(sup: Supervisor) -> None:
    low = 100
    sup.write(PROGRAMS, "minprocs=300")
    cmd = [a.format(conf=sup.conf) for a in SERVERS[sup.kind]]
    # Start the server with a soft limit below minprocs (the hard limit stays where it is).
    wrapper = [sys.executable, "-c",
               "import os, resource, sys; h = resource.getrlimit(resource.RLIMIT_NPROC)[1];"
               f" resource.setrlimit(resource.RLIMIT_NPROC, ({low}, h));"
               " os.execv(sys.argv[1], sys.argv[1:])", *cmd]
    with open(sup.out, "wb") as out:
        sup.proc = subprocess.Popen(wrapper, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, cwd=sup.tmp)
    sup.wait(sup._answers, 20, "the server")
    assert limits_of(sup.proc.pid, "Max processes")[0] == "300"
    assert "Increased RLIMIT_NPROC limit to 300" in sup.log()
