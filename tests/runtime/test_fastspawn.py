"""Spawning many children at once: pipes, process groups, signals, errors, no leaked fds."""

from __future__ import annotations

import dataclasses
import os
import signal
from pathlib import Path

import pytest

from supervisor_tools.errors import Span
from supervisor_tools.model.model import ProcessConfig
from supervisor_tools.runtime import fastspawn
from supervisor_tools.runtime.spawn import Child, SpawnError, plan, spawn_many

PROBE = ("import os, sys; print(os.getpgid(0) == os.getpid(), "
         "os.environ['SUPERVISOR_PROCESS_NAME'], sys.stdin.read())")
# What the exec'd program starts with: Python itself ignores SIGPIPE, a child must not.
SIGIGN = "/bin/grep SigIgn /proc/self/status"


def pc(name: str, command: str, **kw: object) -> ProcessConfig:
    base: dict[str, object] = {"name": name, "program": name, "group": name,
                               "kind": "program", "process_num": 0,
                               "source": Span.point("x.conf"), "command": command}
    base.update(kw)
    return ProcessConfig(**base)  # type: ignore[arg-type]


def finish(child: Child) -> tuple[str, int]:
    os.close(child.stdin)  # EOF on the child's stdin
    out = b""
    while data := os.read(child.stdout, 4096):
        out += data
    os.close(child.stdout)
    if child.stderr >= 0:
        os.close(child.stderr)
    _, status = os.waitpid(child.pid, 0)
    return out.decode().strip(), os.waitstatus_to_exitcode(status)


def open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


def test_native_spawner_is_used_on_this_platform() -> None:
    assert fastspawn.available()
    assert plan(pc("a", "/bin/true"), None).native
    # Options posix_spawn cannot apply take the Popen path.
    assert not plan(pc("a", "/bin/true", umask=0o22), None).native


def test_many_children_each_with_their_own_pipes_and_group(tmp_path: Path) -> None:
    import sys
    before = open_fds()
    plans = [plan(pc(f"p{i}", f"{sys.executable} -c \"{PROBE}\""), None) for i in range(12)]
    plans.append(plan(pc("cwd", f"{sys.executable} -c \"{PROBE}\"", directory=str(tmp_path)),
                      None))
    results = spawn_many(plans)
    outs = []
    for r in results:
        assert isinstance(r, Child)
        outs.append(finish(r))
    names = [f"p{i}" for i in range(12)] + ["cwd"]
    assert outs == [(f"True {n}", 0) for n in names]
    assert open_fds() == before


def test_a_failed_exec_is_reported_for_its_plan_only(tmp_path: Path) -> None:
    tool = tmp_path / "tool"
    tool.write_text("#!/bin/sh\nexit 3\n")
    tool.chmod(0o755)
    gone = plan(pc("gone", str(tool)), None)
    tool.unlink()  # planned while it existed, missing when spawned
    before = open_fds()
    good = plan(pc("good", "/bin/true"), None)
    results = spawn_many([good, gone, good])
    assert isinstance(results[1], SpawnError) and results[1].fault == "NO_FILE"
    for r in (results[0], results[2]):
        assert isinstance(r, Child)
        assert finish(r) == ("", 0)
    assert open_fds() == before


def test_stdin_source_replaces_the_stdin_pipe() -> None:
    r, w = os.pipe()
    os.write(w, b"from the source")
    os.close(w)
    import sys
    p = plan(pc("s", f"{sys.executable} -c \"import sys; print(sys.stdin.read())\""), None,
             stdin_fd=r)
    (child,) = spawn_many([p, ])
    assert isinstance(child, Child) and child.stdin == -1
    os.close(r)
    out = b""
    while data := os.read(child.stdout, 4096):
        out += data
    os.close(child.stdout)
    os.close(child.stderr)
    os.waitpid(child.pid, 0)
    assert out.strip() == b"from the source"


def test_run_parallel_keeps_order_and_hands_back_exceptions() -> None:
    def f(i: int) -> int:
        if i == 3:
            raise ValueError("three")
        return i * 2

    out = fastspawn.run_parallel(f, list(range(10)), 3)
    assert [o for i, o in enumerate(out) if i != 3] == [i * 2 for i in range(10) if i != 3]
    assert isinstance(out[3], ValueError)


def test_sigpipe_and_sigxfsz_are_default_in_children() -> None:
    assert signal.getsignal(signal.SIGPIPE) == signal.SIG_IGN  # the supervisor's own setting
    plans = [plan(pc("x", SIGIGN), None), plan(pc("y", SIGIGN, umask=0o22), None)]
    assert plans[0].native and not plans[1].native
    for child in spawn_many(plans + plans):
        assert isinstance(child, Child)
        out, code = finish(child)
        ignored = int(out.split()[1], 16)
        assert code == 0 and not ignored & (1 << (signal.SIGPIPE - 1))
        assert not ignored & (1 << (signal.SIGXFSZ - 1))


def test_children_start_with_default_signals_and_an_empty_mask() -> None:
    """Whichever path spawns it (libc on threads, libc alone, Popen), a child
    ignores and blocks nothing: not glibc's internal signals 32 and 33, not what the
    supervisor's own parent ignored or blocked."""
    probe = "/bin/grep -E 'SigIgn|SigBlk' /proc/self/status"
    fast, slow = plan(pc("x", probe), None), plan(pc("y", probe, umask=0o22), None)
    lone = dataclasses.replace(fast, native=False)  # where libc's spawner is missing
    assert fast.native and not slow.native
    old = signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
    try:
        children = spawn_many([fast]) + spawn_many([fast, fast, slow, lone])
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR2})
        signal.signal(signal.SIGUSR1, old)
    children += spawn_many([slow])  # from a clean supervisor Popen needs no help in the child
    for child in children:
        assert isinstance(child, Child)
        out, code = finish(child)
        masks = dict(line.split(":\t") for line in out.splitlines())
        assert code == 0 and masks == {"SigIgn": "0" * 16, "SigBlk": "0" * 16}


def test_a_missing_pipe_is_a_spawn_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pipes() -> tuple[int, int]:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(os, "pipe", no_pipes)
    (r,) = spawn_many([plan(pc("x", "/bin/true"), None)])
    assert isinstance(r, SpawnError) and "Too many open files" in r.message
