"""The readiness shell of one process with a fake process: log lines, notes, socket failure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from supervisor_tools.errors import Span
from supervisor_tools.model.model import ProcessConfig
from supervisor_tools.runtime import readiness as rd
from supervisor_tools.runtime.loop import Loop
from supervisor_tools.runtime.readystates import Event, Ready
from supervisor_tools.runtime.states import State


class Log:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, message: str) -> None:
        self.errors.append(message)


class Host:
    def __init__(self) -> None:
        self.loop = Loop()
        self.log = Log()

    def watch_child(self, pid: int, callback: Callable[[int], None]) -> None:
        raise AssertionError("no probe command here")

    def server_url(self) -> str | None:
        return None

    def state_changed(self, proc: Any) -> None:
        pass


class Proc:
    def __init__(self, **options: Any) -> None:
        self.config = ProcessConfig(name="w", program="w", group="w", kind="program",
                                    process_num=0, source=Span.point("x.conf"),
                                    command="/bin/cat", **options)
        self.host = Host()
        self.pid = 123
        self.state = State.STARTING
        self.offered: list[Event] = []

    def offer(self, event: Event) -> None:
        self.offered.append(event)


def test_a_log_line_split_across_reads_is_matched_once_whole() -> None:
    proc = Proc(ready_log_line=r"^listening on \d+$")
    ready = rd.Readiness(proc)
    ready.output("stdout", b"booting\nlisten")
    ready.output("stderr", b"ing on 80\n")  # another channel: not the rest of that line
    assert proc.offered == []
    ready.output("stdout", b"ing on 8080\r\nmore\n")
    assert len(proc.offered) == 1 and isinstance(proc.offered[0], Ready)
    assert proc.offered[0].how == "stdout line 'listening on 8080'"
    proc.state = State.RUNNING
    ready.output("stdout", b"listening on 1\n")  # only while STARTING
    assert len(proc.offered) == 1


def test_notes_say_what_a_starting_process_waits_for() -> None:
    proc = Proc(ready_log_line="up")
    ready = rd.Readiness(proc)
    assert ready.note() == "waiting for a line matching 'up' (ready_log_line)"
    proc.state = State.RUNNING
    assert ready.note() == ""
    assert rd.with_note("pid 1, uptime 0:00:01", "") == "pid 1, uptime 0:00:01"
    assert rd.with_note("pid 1, uptime 0:00:01", "busy") == "pid 1, uptime 0:00:01; busy"
    assert rd.with_note("", "busy") == "busy"


def test_no_readiness_options_no_shell() -> None:
    assert not rd.watched(Proc().config)
    assert rd.readiness_of(Proc().config) == ""
    assert rd.watched(Proc(liveness_probe_tcp_socket="127.0.0.1:1").config)


def test_a_socket_that_cannot_be_opened_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(label: str) -> None:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(rd, "NotifySocket", refuse)
    proc = Proc(sd_notify=True)
    ready = rd.Readiness(proc)
    assert ready.environment() == {}
    assert proc.host.log.errors == ["cannot open the NOTIFY_SOCKET of 'w': "
                                    "[Errno 24] Too many open files"]


def test_the_child_gets_its_socket_and_watchdog_interval() -> None:
    proc = Proc(sd_notify=True, watchdogsecs=3)
    ready = rd.Readiness(proc)
    try:
        env = ready.spawn_config().environment
        assert env["NOTIFY_SOCKET"].startswith("@svtool/") and env["WATCHDOG_USEC"] == "3000000"
    finally:
        ready.close()


def test_a_new_child_ends_the_previous_childs_liveness_probe() -> None:
    proc = Proc(liveness_probe_tcp_socket="127.0.0.1:9", liveness_probe_initial_delay_seconds=60)
    ready = rd.Readiness(proc)
    try:
        proc.state = State.RUNNING
        ready.entered(State.RUNNING)
        assert ready.probers["liveness"].active
        # autorestart: EXITED -> STARTING happens inside one dispatch; only spawned() is told
        proc.state = State.STARTING
        ready.spawned()
        assert not ready.probers["liveness"].active
        proc.state = State.RUNNING
        ready.entered(State.RUNNING)
        assert ready.probers["liveness"].active
    finally:
        ready.close()
