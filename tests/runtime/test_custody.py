"""The record of children and the guard's stopping of them, with real (short-lived) children."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from supervisor_tools.runtime.guard import alive, start_time, stop_children
from supervisor_tools.runtime.leftovers import ChildRecord, read_record, stop_leftovers

SLEEP = [sys.executable, "-c", "import time; time.sleep(60)"]
STUBBORN = [sys.executable, "-c",
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('ready', flush=True); time.sleep(60)"]


@pytest.fixture
def children() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for p in started:
        p.kill()
        p.wait()


def spawn(started: list[subprocess.Popen[bytes]], argv: list[str]) -> int:
    p = subprocess.Popen(argv, process_group=0, stdout=subprocess.PIPE)
    started.append(p)
    if argv is STUBBORN:
        assert p.stdout is not None and p.stdout.readline() == b"ready\n"
    return p.pid


def gone(p: subprocess.Popen[bytes]) -> bool:
    return p.poll() is not None


def test_start_time_tells_a_process_from_a_reused_pid(
        children: list[subprocess.Popen[bytes]]) -> None:
    pid = spawn(children, SLEEP)
    started = start_time(pid)
    assert started is not None and alive(pid, started)
    assert not alive(pid, started + 1) and not alive(pid, None)
    children[0].kill()
    children[0].wait()
    assert start_time(pid) is None


def test_stop_children_terms_then_kills_only_what_it_knows(
        children: list[subprocess.Popen[bytes]]) -> None:
    polite, stubborn, stranger = (spawn(children, SLEEP), spawn(children, STUBBORN),
                                  spawn(children, SLEEP))
    known = {polite: start_time(polite), stubborn: start_time(stubborn),
             stranger: (start_time(stranger) or 0) + 1}  # the same pid, another process
    t0 = time.monotonic()
    assert sorted(stop_children(known, grace=0.3)) == sorted([polite, stubborn])
    assert time.monotonic() - t0 < 2
    assert children[0].wait(5) < 0 and children[1].wait(5) < 0
    assert not gone(children[2])


def test_the_record_round_trips_and_a_new_supervisor_stops_its_leftovers(
        tmp_path: Path, children: list[subprocess.Popen[bytes]]) -> None:
    path = str(tmp_path / "supervisord.pid.children")
    record = ChildRecord(path)
    a, b = spawn(children, SLEEP), spawn(children, SLEEP)
    record.spawned(a, "web:web_0")
    record.spawned(b, "odd name: with spaces")
    assert record.flush() is None and not record.dirty
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    me = (os.getpid(), start_time(os.getpid()))
    assert read_record(path) == (me, [(a, start_time(a), "web:web_0"),
                                      (b, start_time(b), "odd name: with spaces")])
    record.reaped(b)
    record.flush()
    assert [pid for pid, _s, _n in read_record(path)[1]] == [a]
    # its writer still runs (here: a supervisor sharing the pidfile): nothing is stopped
    text = Path(path).read_text()
    Path(path).write_text(text.replace(f"supervisor {os.getpid()} ", f"supervisor {a} ", 1)
                          .replace(f" {me[1]}\n", f" {start_time(a)}\n", 1))
    assert "a supervisor that still runs (pid" in stop_leftovers(path)[0]
    assert not gone(children[0]) and os.path.exists(path)
    Path(path).write_text(text)  # written by this process: it is the new supervisor
    lines = stop_leftovers(path)
    assert lines == [f"stopped 'web:web_0' (pid {a}), left running by a previous supervisor "
                     "that did not shut down, so that it does not run twice"]
    assert children[0].wait(5) < 0 and not gone(children[1])
    assert not os.path.exists(path) and stop_leftovers(path) == []


def test_an_empty_record_is_no_file_and_a_broken_one_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "x.children"
    record = ChildRecord(str(path))
    record.dirty = True
    record.flush()
    assert not path.exists()
    path.write_text("garbage\n12 notanumber x\n")
    assert read_record(str(path)) == (None, []) and stop_leftovers(str(path)) == []
    unwritable = ChildRecord(str(tmp_path / "missing-dir" / "x.children"))
    unwritable.spawned(os.getpid(), "self")
    assert "could not record the children" in (unwritable.flush() or "")
    unwritable.spawned(os.getpid(), "self")
    assert unwritable.flush() is None  # said once
