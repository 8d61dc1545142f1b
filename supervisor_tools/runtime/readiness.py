"""The readiness and health of one process: its NOTIFY_SOCKET, its log line, its probes.

The I/O side of runtime/readystates.py: it hears sd_notify messages, matches output lines and
runs probes, and turns what it learns into events (Ready, NotReady, Ping, Unhealthy,
Stopping) for the process's state table. It also keeps the words the interfaces show: the
STATUS= a process sent, what a STARTING process waits for, a failing probe.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol

from supervisor_tools.model.model import ProcessConfig
from supervisor_tools.runtime.logs import MainLog
from supervisor_tools.runtime.loop import Loop
from supervisor_tools.runtime.notifysock import NotifySocket
from supervisor_tools.runtime.prober import Prober
from supervisor_tools.runtime.probes import Kind, ProbeSpec, Tally, Verdict, describe_tally
from supervisor_tools.runtime.probes import probe_of as probe_of
from supervisor_tools.runtime.readystates import (
    Event,
    NotReady,
    Ping,
    Ready,
    ReadyPolicy,
    Stopping,
    Unhealthy,
)
from supervisor_tools.runtime.spawn import child_environment
from supervisor_tools.runtime.states import Policy, State

# A line longer than this is matched by its beginning (a log line is rarely longer).
MAX_LINE = 64 * 1024


def readiness_of(pc: ProcessConfig) -> str:
    """What the program's readiness waits for, in words; empty when startsecs decides."""
    ways = []
    if pc.sd_notify:
        ways.append("READY=1 (sd_notify)")
    if pc.ready_log_line is not None:
        ways.append(f"a line matching {pc.ready_log_line!r} (ready_log_line)")
    spec = probe_of(pc, "readiness")
    if spec is not None:
        ways.append(spec.describe())
    return " or ".join(ways)


def ready_policy(base: Policy, pc: ProcessConfig) -> ReadyPolicy:
    fields = {name: getattr(base, name) for name in base.__dataclass_fields__}
    return ReadyPolicy(**fields, readiness=readiness_of(pc),
                       readytimeoutsecs=pc.readytimeoutsecs,
                       watchdogsecs=pc.watchdogsecs if pc.sd_notify else 0)


def watched(pc: ProcessConfig) -> bool:
    """Whether the process needs a Readiness at all (most do not)."""
    return bool(readiness_of(pc)) or probe_of(pc, "liveness") is not None


class ReadyHost(Protocol):
    loop: Loop
    log: MainLog

    def watch_child(self, pid: int, callback: Callable[[int], None]) -> None: ...

    def server_url(self) -> str | None: ...

    def state_changed(self, proc: Any) -> None: ...


class Watched(Protocol):
    """What a Readiness needs of its process (runtime/process.py)."""

    config: ProcessConfig

    @property
    def host(self) -> ReadyHost: ...

    @property
    def pid(self) -> int: ...

    @property
    def state(self) -> State: ...

    def offer(self, event: Event) -> None: ...


class Readiness:
    def __init__(self, proc: Watched) -> None:
        self.proc = proc
        pc = proc.config
        self.readiness = readiness_of(pc)
        self.status = ""  # the last STATUS= the process sent
        self.pattern = re.compile(pc.ready_log_line) if pc.ready_log_line is not None else None
        self.partial: dict[str, bytes] = {}
        self.notify: NotifySocket | None = None
        if pc.sd_notify:
            try:
                self.notify = NotifySocket(pc.name)
            except OSError as exc:
                # The process then never becomes ready: its start fails after
                # readytimeoutsecs, and this says why.
                proc.host.log.error(f"cannot open the NOTIFY_SOCKET of {pc.name!r}: {exc}")
            else:
                proc.host.loop.add_reader(self.notify, self._on_notify)
        self.probers: dict[Kind, Prober] = {}
        self.tallies: dict[Kind, tuple[ProbeSpec, Tally]] = {}
        env = child_environment(pc, proc.host.server_url())
        for kind in ("readiness", "liveness"):
            spec = probe_of(pc, kind)
            if spec is not None:
                self.probers[spec.kind] = Prober(proc.host, spec, env, pc.directory,
                                                 self._verdict_of(spec), user=pc.user)

    # -- what the child is given -----------------------------------------------------------------

    def environment(self) -> dict[str, str]:
        if self.notify is None:
            return {}
        env = {"NOTIFY_SOCKET": self.notify.address}
        if self.proc.config.watchdogsecs:
            env["WATCHDOG_USEC"] = str(self.proc.config.watchdogsecs * 1_000_000)
        return env

    def spawn_config(self) -> ProcessConfig:
        """The config the process is spawned from: its own, with NOTIFY_SOCKET added."""
        extra = self.environment()
        pc = self.proc.config
        return replace(pc, environment={**pc.environment, **extra}) if extra else pc

    # -- called by the process -------------------------------------------------------------------

    def spawned(self) -> None:
        """A new child is about to be reported spawned (the process is STARTING)."""
        self.status = ""
        self.partial.clear()
        self.tallies.clear()
        # A restart by autorestart goes from EXITED to STARTING without telling entered():
        # the previous child's liveness probe ends here, and starts again once RUNNING.
        liveness = self.probers.get("liveness")
        if liveness is not None:
            liveness.stop()
        prober = self.probers.get("readiness")
        if prober is not None and self.proc.state is State.STARTING:
            prober.start(time.monotonic())

    def entered(self, state: State) -> None:
        readiness, liveness = self.probers.get("readiness"), self.probers.get("liveness")
        if state is not State.STARTING and readiness is not None:
            readiness.stop()
        if liveness is not None:
            if state is State.RUNNING and not liveness.active:
                liveness.start(time.monotonic())
            elif state is not State.RUNNING:
                liveness.stop()
        if state is not State.RUNNING:
            self.tallies.pop("liveness", None)

    def output(self, channel: str, data: bytes) -> None:
        if self.pattern is None or self.proc.state is not State.STARTING:
            return
        text = self.partial.get(channel, b"") + data
        *lines, rest = text.split(b"\n")
        self.partial[channel] = rest[:MAX_LINE]
        for line in lines:
            decoded = line[:MAX_LINE].decode("utf-8", "replace").rstrip("\r")
            if self.pattern.search(decoded):
                self.partial.clear()
                self.proc.offer(Ready(f"{channel} line {decoded[:80]!r}", time.monotonic()))
                return

    def close(self) -> None:
        for prober in self.probers.values():
            prober.stop()
        if self.notify is not None:
            self.proc.host.loop.remove(self.notify)
            self.notify.close()
            self.notify = None

    # -- what the interfaces show ------------------------------------------------------------------

    def note(self) -> str:
        """A few words about readiness or health for the process's description."""
        state = self.proc.state
        if state is State.STARTING:
            probe = self._tally_text("readiness")
            waiting = f"waiting for {self.readiness}" if self.readiness else ""
            return "; ".join(x for x in (self.status, probe or waiting) if x)
        if state is State.RUNNING:
            return "; ".join(x for x in (self.status, self._tally_text("liveness")) if x)
        return ""

    def _tally_text(self, kind: Kind) -> str:
        got = self.tallies.get(kind)
        return describe_tally(*got) if got is not None else ""

    # -- sources of events -----------------------------------------------------------------------

    def _on_notify(self) -> None:
        assert self.notify is not None
        pid = self.proc.pid
        for message in self.notify.receive(pid):
            now = time.monotonic()
            if "STATUS" in message:
                self.status = message["STATUS"][:200]
                self.proc.host.state_changed(self.proc)
            if message.get("READY") == "1":
                self.proc.offer(Ready("READY=1 (sd_notify)", now))
            if message.get("WATCHDOG") == "1":
                self.proc.offer(Ping(now))
            elif message.get("WATCHDOG") == "trigger":
                self.proc.offer(Unhealthy("asked for its watchdog to fire (WATCHDOG=trigger)",
                                          now))
            if message.get("STOPPING") == "1":
                self.proc.offer(Stopping(now))

    def _verdict_of(self, spec: ProbeSpec) -> Callable[[Verdict, Tally], None]:
        def verdict(result: Verdict, tally: Tally) -> None:
            self.tallies[spec.kind] = (spec, tally)
            now = time.monotonic()
            if spec.kind == "readiness":
                if result == "passed":
                    self.proc.offer(Ready(spec.describe(), now))
                elif result == "failed":
                    self.proc.offer(NotReady(
                        f"{spec.describe()} failed {spec.failure_threshold} times "
                        f"({tally.last_error})", now))
            elif result == "failed":
                self.proc.offer(Unhealthy(
                    f"{spec.describe()} failed {spec.failure_threshold} times "
                    f"({tally.last_error})", now))
            self.proc.host.state_changed(self.proc)

        return verdict


def with_note(description: str, note: str) -> str:
    """A process's description with the readiness note after it (or alone, when empty)."""
    if not note:
        return description
    return f"{description}; {note}" if description else note
