"""`svtool run` takes supervisord 4.3.0's command line: the same flags, given to both servers in
the same test, have the same effect (files written, identity, limits, user, daemon)."""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from supervisor.options import ServerOptions
from supervisor.xmlrpc import SupervisorTransport

from tests.e2e.conftest import BIN, snippet
from tests.e2e.test_user_limits import limits_of, uid_of

COMMANDS = {"svtool": [sys.executable, "-m", "supervisor_tools", "run"],
            "supervisord": [str(BIN / "supervisord")]}
KINDS = sorted(COMMANDS)


def config(tmp: Path, programs: str = "") -> Path:
    conf = tmp / "supervisord.conf"
    conf.write_text(textwrap.dedent(f"""\
        [unix_http_server]
        file={tmp}/s.sock

        [supervisord]
        logfile={tmp}/conf.log
        pidfile={tmp}/conf.pid
        childlogdir={tmp}

        [rpcinterface:supervisor]
        supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
        """) + textwrap.dedent(programs))
    return conf


def rpc(tmp: Path) -> Any:
    transport = SupervisorTransport(None, None, f"unix://{tmp}/s.sock")
    return xmlrpc.client.ServerProxy("http://127.0.0.1", transport)


def wait(pred: Any, what: str, timeout: float = 30) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with contextlib.suppress(OSError, xmlrpc.client.Error):
            value = pred()
            if value:
                return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@contextlib.contextmanager
def serving(kind: str, tmp: Path, flags: list[str], preexec: Any = None,
            daemon: bool = False) -> Iterator[subprocess.Popen[bytes]]:
    """The server `kind` started with `flags` in `tmp`, shut down (and its children gone) after."""
    out = open(tmp / "server.out", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([*COMMANDS[kind], *flags], cwd=tmp, stdout=out,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            preexec_fn=preexec)
    try:
        if daemon:
            assert proc.wait(60) == 0, (tmp / "server.out").read_text()
        wait(lambda: rpc(tmp).supervisor.getPID(), f"{kind} to answer")
        yield proc
    finally:
        pids = []
        with contextlib.suppress(OSError, xmlrpc.client.Error):
            pids = [i["pid"] for i in rpc(tmp).supervisor.getAllProcessInfo() if i["pid"]]
            server = rpc(tmp).supervisor.getPID()
            rpc(tmp).supervisor.shutdown()
            wait(lambda: not Path(f"/proc/{server}").exists()
                 or "Z" in Path(f"/proc/{server}/stat").read_text().split()[2], "shutdown")
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        out.close()


def low_limits() -> None:
    # Lower soft limits in the server only, so that -a/--minfds and --minprocs have work to do.
    resource.setrlimit(resource.RLIMIT_NOFILE, (512, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
    resource.setrlimit(resource.RLIMIT_NPROC, (150, resource.getrlimit(resource.RLIMIT_NPROC)[1]))


FOREGROUND = """
    [program:ansi]
    command={ansi}
    startsecs=0

    [program:flap]
    command=/bin/true
    startsecs=0
    autorestart=true
    """


def foreground_effect(kind: str, tmp: Path) -> dict[str, Any]:
    (tmp / "kids").mkdir()
    ansi = snippet("import time; print(chr(27) + '[31mred' + chr(27) + '[0m'); time.sleep(1000)")
    conf = config(tmp, FOREGROUND.format(ansi=ansi))
    flags = ["-n", "-c", str(conf), "-l", "flag.log", "--logfile_maxbytes", "2KB", "-z", "1",
             "-e", "debug", "-j", "flag.pid", "-i", "flagged", "-q", str(tmp / "kids"), "-t",
             "-k", "-a", "700", "--minprocs", "170", "-s"]
    with serving(kind, tmp, flags, preexec=low_limits) as proc:
        server = rpc(tmp)
        # the flapping program fills the 2KB log until it has rotated more than once
        wait(lambda: (tmp / "flag.log.1").exists() and server.supervisor.getProcessInfo("flap")
             ["pid"] == 0 and len((tmp / "flag.log.1").read_bytes()) > 1024
             and b"spawned" in (tmp / "flag.log").read_bytes(), "the main log to rotate")
        wait(lambda: "red" in server.supervisor.tailProcessStdoutLog("ansi", 0, 100)[0],
             "the ansi output")
        info = server.supervisor.getProcessInfo("ansi")
        pid = int((tmp / "flag.pid").read_text())
        effect = {
            "pidfile": pid == proc.pid,
            "config pidfile": (tmp / "conf.pid").exists(),
            "config logfile": (tmp / "conf.log").exists(),
            "backups": sorted(p.name for p in tmp.glob("flag.log.*")),
            "rotated size ok": len((tmp / "flag.log.1").read_bytes()) <= 2048 + 200,
            "debug lines": b" DEBG " in (tmp / "flag.log").read_bytes()
            + (tmp / "flag.log.1").read_bytes(),
            "identifier": server.supervisor.getIdentification(),
            "childlogdir": Path(info["stdout_logfile"]).parent == tmp / "kids",
            "stripped": server.supervisor.tailProcessStdoutLog("ansi", 0, 100)[0],
            "nofile": limits_of(proc.pid, "Max open files")[0],
            "nproc": limits_of(proc.pid, "Max processes")[0],
            "silent": (tmp / "server.out").read_bytes().count(b"spawned"),
        }
    effect["pidfile removed"] = not (tmp / "flag.pid").exists()
    return effect


def test_the_same_flags_do_the_same_in_the_foreground(tmp_path: Path) -> None:
    effects = {}
    for kind in KINDS:
        (tmp_path / kind).mkdir()
        effects[kind] = foreground_effect(kind, tmp_path / kind)
    assert effects["svtool"] == effects["supervisord"]
    assert effects["svtool"]["pidfile"] and effects["svtool"]["identifier"] == "flagged"
    assert effects["svtool"]["backups"] == ["flag.log.1"]
    assert effects["svtool"]["stripped"] == "red\n"
    assert (effects["svtool"]["nofile"], effects["svtool"]["nproc"]) == ("700", "170")


def daemon_effect(kind: str, tmp: Path) -> dict[str, Any]:
    (tmp / "work").mkdir()
    maker = snippet("import time; open('made', 'w').close(); time.sleep(1000)")
    conf = config(tmp, f"[program:maker]\ncommand={maker}\nstartsecs=0\n")
    flags = ["--configuration", str(conf), "--directory", "work", "--umask", "077",
             "--pidfile", "daemon.pid", "--logfile", "daemon.log"]
    with serving(kind, tmp, flags, daemon=True):
        made = wait(lambda: (tmp / "work" / "made").exists() and tmp / "work" / "made",
                    "the child's file")
        pid = int((tmp / "daemon.pid").read_text())
        effect = {"mode": oct(made.stat().st_mode & 0o777),
                  "pid answers": pid == rpc(tmp).supervisor.getPID(),
                  "pidfile in work": (tmp / "work" / "daemon.pid").exists(),
                  "log": (tmp / "daemon.log").exists()}
    return effect


def test_the_same_flags_do_the_same_as_a_daemon(tmp_path: Path) -> None:
    effects = {}
    for kind in KINDS:
        (tmp_path / kind).mkdir()
        effects[kind] = daemon_effect(kind, tmp_path / kind)
    assert effects["svtool"] == effects["supervisord"]
    assert effects["svtool"] == {"mode": "0o600", "pid answers": True, "pidfile in work": False,
                                 "log": True}


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A directory any user may use (tmp_path's parents are private)."""
    tmp = Path(tempfile.mkdtemp(prefix="svtool-e2e-flags-"))
    tmp.chmod(0o777)
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to switch user")
def test_user_flag_switches_both_servers(open_dir: Path) -> None:
    uids = {}
    for kind in KINDS:
        tmp = open_dir / kind
        tmp.mkdir(mode=0o777)
        tmp.chmod(0o777)
        conf = config(tmp)
        with serving(kind, tmp, ["-n", "-c", str(conf), "-u", "nobody"]) as proc:
            uids[kind] = uid_of(proc.pid)
    assert uids == {"svtool": 65534, "supervisord": 65534}


def as_nobody(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    if os.getuid() == 0:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=60)


def test_user_flag_without_root_fails_alike(open_dir: Path) -> None:
    results = {}
    for kind in KINDS:
        tmp = open_dir / kind
        tmp.mkdir()
        tmp.chmod(0o777)
        conf = config(tmp)
        conf.chmod(0o644)
        res = as_nobody([*COMMANDS[kind], "-n", "-c", str(conf), "-u", "root"], tmp)
        results[kind] = (res.returncode, "Can't drop privilege as nonroot user" in res.stderr,
                         (tmp / "s.sock").exists(), (tmp / "conf.pid").exists())
    assert results["svtool"] == results["supervisord"] == (2, True, False, False)


@pytest.mark.parametrize("flags", [["-v"], ["--version"]])
def test_version(tmp_path: Path, flags: list[str]) -> None:
    outs = {kind: subprocess.run([*COMMANDS[kind], *flags], capture_output=True, text=True,
                                 timeout=60) for kind in KINDS}
    assert outs["svtool"].stdout == outs["supervisord"].stdout == "4.3.0\n"
    assert outs["svtool"].returncode == outs["supervisord"].returncode == 0


@pytest.mark.parametrize("flag", ["-h", "--help", "-?"])
def test_help(flag: str) -> None:
    for kind in KINDS:
        res = subprocess.run([*COMMANDS[kind], flag], capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, (kind, res)
        assert "--minprocs" in res.stdout and "--strip_ansi" in res.stdout, kind


@pytest.mark.parametrize("flags", [
    ["-m", "9x"], ["--umask", "8"], ["-e", "loud"], ["-d", "/nonexistent/dir"],
    ["-q", "/nonexistent/dir"], ["-l", "/nonexistent/dir/x.log"], ["-j", "/nonexistent/x.pid"],
    ["-z", "many"], ["-y", "big"], ["-a", "x"], ["--minprocs", "x"], ["--no-such-flag"],
    ["-x"],
])
def test_bad_flags_fail_alike(tmp_path: Path, flags: list[str]) -> None:
    conf = config(tmp_path)
    for kind in KINDS:
        res = subprocess.run([*COMMANDS[kind], "-n", "-c", str(conf), *flags], cwd=tmp_path,
                             capture_output=True, text=True, timeout=60)
        assert res.returncode == 2, (kind, res)
        assert "Traceback" not in res.stderr
        assert not (tmp_path / "s.sock").exists(), kind


def test_every_supervisord_flag_is_accepted() -> None:
    # the list comes from supervisord 4.3.0 itself, so a flag it has and svtool lacks fails here
    from supervisor_tools.cli import cli

    theirs = ServerOptions()
    ours = {opt for p in cli.commands["run"].params for opt in getattr(p, "opts", [])}
    ours |= {"-h", "--help", "-?"}
    wanted = {"-" + o.rstrip(":") for o in theirs.short_options}
    wanted |= {"--" + o.rstrip("=") for o in theirs.long_options}
    assert wanted - ours == set()


def test_profile_options_print_statistics(tmp_path: Path) -> None:
    conf = config(tmp_path)
    with serving("svtool", tmp_path, ["-n", "-c", str(conf), "--profile_options",
                                      "cumulative,callers"]):
        pass
    out = (tmp_path / "server.out").read_text()
    assert "was called by" in out and "Ordered by: cumulative time" in out
