"""One supervised process: applies the state table's actions to the OS and captures output."""

from __future__ import annotations

import contextlib
import errno
import os
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from supervisor_tools.model.model import ProcessConfig, SupervisordConfig
from supervisor_tools.model.restart import RestartPolicy
from supervisor_tools.options.signals import signal_number
from supervisor_tools.runtime import readystates, states
from supervisor_tools.runtime.logformat import formatters
from supervisor_tools.runtime.logs import LogFile, MainLog, is_file_target, strip_ansi
from supervisor_tools.runtime.loop import Loop, Timer
from supervisor_tools.runtime.output import Output
from supervisor_tools.runtime.readiness import Readiness, ready_policy, watched
from supervisor_tools.runtime.readystates import ReadyRecord
from supervisor_tools.runtime.spawn import Child, Plan, SpawnBatch, SpawnError, plan, spawn
from supervisor_tools.runtime.states import Policy, Record, State
from supervisor_tools.runtime.stdin import StdinWriter
from supervisor_tools.runtime.syslog import sinks_for
from supervisor_tools.runtime.waitstatus import describe

if TYPE_CHECKING:
    from supervisor_tools.runtime.metrics import ProcessCounters

_NAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_"
_RANDOM = random.Random()


class Host(Protocol):
    """What a process needs from the supervisor that owns it."""

    loop: Loop
    log: MainLog
    sd: SupervisordConfig
    strip_ansi: bool
    childlogdir: str
    identifier: str

    def may_restart(self) -> bool: ...

    def server_url(self) -> str | None: ...

    def track(self, pid: int, proc: Process | None) -> None: ...

    def state_changed(self, proc: Process, entered: tuple[State, ...] = ()) -> None: ...

    def waiting(self, proc: Process) -> str:
        """What a process that is asked to start waits for ("" when it waits for nothing)."""
        ...

    def watch_child(self, pid: int, callback: Callable[[int], None]) -> None: ...


class Hooks(Protocol):
    """The event side of a process (runtime/listeners.py): events, capture, listener I/O."""

    def transitioned(self, before: Record, event: readystates.Event,
                     result: states.Result) -> None: ...

    def output(self, channel: str, data: bytes) -> bytes: ...

    def spawned(self) -> None: ...

    def exiting(self) -> None: ...


def policy_of(pc: ProcessConfig) -> Policy:
    return Policy(pc.name, pc.startsecs, pc.startretries, pc.autorestart, pc.exitcodes,
                  signal_number(pc.stopsignal), pc.stopwaitsecs,
                  pc.stopasgroup, pc.killasgroup,
                  restart=RestartPolicy.of(pc))


class Process:
    def __init__(self, host: Host, config: ProcessConfig) -> None:
        self.host = host
        self.config = config
        self.policy: Policy = ready_policy(policy_of(config), config)
        self.record: Record = ReadyRecord()
        # container mode (runtime/container.py): the flag, and the last waitpid status
        self.exit_on_end = config.exit_on_end
        self.wait_status: int | None = None
        self.outputs: list[Output] = []
        self.stdin_fd = -1
        self._stdin: StdinWriter | None = None
        self.timer: Timer | None = None
        self._plan: Plan | None = None
        # A descriptor every child gets as stdin instead of a pipe (a FastCGI group's socket).
        self.stdin_source = -1
        self.hooks: Hooks | None = None
        # What /metrics counts of this process (runtime/metrics.py wires it).
        self.counters: ProcessCounters | None = None
        self.stdout_logfile = self._log_path("stdout", config.stdout_logfile)
        self.stderr_logfile = ("" if config.redirect_stderr
                               else self._log_path("stderr", config.stderr_logfile))
        self.logs: dict[str, LogFile | None] = {
            "stdout": self._open_log("stdout", self.stdout_logfile,
                                     config.stdout_logfile_maxbytes,
                                     config.stdout_logfile_backups),
            "stderr": self._open_log("stderr", self.stderr_logfile,
                                     config.stderr_logfile_maxbytes,
                                     config.stderr_logfile_backups),
        }
        self.syslogs = sinks_for(config.name, config.stdout_syslog, config.stderr_syslog,
                                 config.redirect_stderr)
        # sd_notify, a log line or probes; None for the many programs with none of them
        self.readiness = Readiness(self) if watched(config) else None
        # childlog_format: the log files get whole lines, each marked, instead of raw output
        self.formats = formatters(config.childlog_format or host.sd.childlog_format,
                                  config.name, config.group)

    # -- identity ------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def state(self) -> State:
        return self.record.state

    @property
    def pid(self) -> int:
        return self.record.pid

    def sort_key(self) -> tuple[int, str]:
        return (self.config.priority, self.config.name)

    # -- logs ----------------------------------------------------------------------------------

    def _log_path(self, channel: str, value: str) -> str:
        if value == "AUTO":
            # The name supervisord gives AUTO logs; LogFile creates the file when it opens it.
            suffix = "".join(_RANDOM.choices(_NAME_CHARS, k=8))
            name = f"{self.config.name}-{channel}---{self.host.identifier}-{suffix}.log"
            return os.path.join(self.host.childlogdir, name)
        return value if is_file_target(value) else ""

    def _open_log(self, channel: str, path: str, maxbytes: int,
                  backups: int) -> LogFile | None:
        if not path:
            return None
        auto = getattr(self.config, f"{channel}_logfile") == "AUTO"
        try:
            return LogFile(path, maxbytes, backups, lazy=True, private=auto,
                           report=self.host.log.log,
                           label=f"the {channel} log of {self.name!r}")
        except OSError as exc:
            self.host.log.error(f"could not open log {path} for {self.name}: {exc}")
            return None

    def output(self, channel: str, data: bytes) -> None:
        if self.host.strip_ansi:
            data = strip_ansi(data)
        if self.readiness is not None:
            self.readiness.output(channel, data)
        if self.hooks is not None:
            data = self.hooks.output(channel, data)
            if not data:
                return
        key = "stdout" if channel == "stdout" or self.config.redirect_stderr else "stderr"
        if self.counters is not None:
            self.counters.logged(key, len(data))
        log = self.logs[key]
        if log is not None:
            fmt = self.formats.get(channel)
            log.write(data if fmt is None else fmt.feed(data))
        if self.syslogs:
            sink = self.syslogs.get(key)
            if sink is not None:
                sink.write(data)
        if self.host.log.enabled("debug"):
            text = data.decode("utf-8", "replace")
            self.host.log.debug(f"'{self.name}' {channel} output:\n{text}")

    def log_path(self, channel: str) -> str:
        """The log file of `channel`, created now if nothing was written to it yet."""
        log = self.logs.get(channel)
        if log is None:
            return ""
        with contextlib.suppress(OSError):  # the caller reports a missing file
            log.ensure()
        return log.path

    def reopen_logs(self) -> None:
        for log in self.logs.values():
            if log is not None:
                log.reopen()

    def clear_logs(self) -> None:
        for log in self.logs.values():
            if log is not None:
                log.clear()

    def close_logs(self) -> None:
        for log in self.logs.values():
            if log is not None:
                log.close()

    def retire(self) -> None:
        """The process leaves the supervisor (group removed, reload): no timer may revive it."""
        self._arm(None)
        self.close_logs()
        if self.readiness is not None:
            self.readiness.close()

    # -- the state machine ---------------------------------------------------------------------

    def dispatch(self, event: readystates.Event) -> None:
        before = self.record
        result = readystates.step(self.policy, self.record, event)
        self.record = result.record
        if self.counters is not None:
            self.counters.transitioned(before, event, result, self.policy.startsecs)
        if result.entered and self.hooks is not None:
            self.hooks.transitioned(before, event, result)
        for action in result.actions:
            if isinstance(action, states.Log):
                self.host.log.log(action.level, action.message)
            elif isinstance(action, states.Kill):
                self._kill(action.signal, action.group)
            elif isinstance(action, states.Spawn):
                self._spawn()
                return  # _spawn dispatched the follow-up event, which re-arms the timer
        if self.record.deadline != before.deadline:
            self._arm(self.record.deadline)
        if result.entered:
            if self.readiness is not None:
                self.readiness.entered(self.record.state)
            self.host.state_changed(self, result.entered)

    def offer(self, event: readystates.Event) -> None:
        """Dispatch an event of the process's own making, when its state takes it."""
        if readystates.accepts(self.state, type(event)):
            self.dispatch(event)

    @property
    def note(self) -> str:
        """Readiness and health in a few words, for the description (empty for most)."""
        return self.readiness.note() if self.readiness is not None else ""

    def _arm(self, deadline: float | None) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if deadline is not None:
            self.timer = self.host.loop.call_at(deadline, self._deadline)

    def _deadline(self) -> None:
        self.timer = None
        if readystates.accepts(self.state, states.Deadline):
            self.dispatch(states.Deadline(time.monotonic(), self.host.may_restart()))

    def get_plan(self) -> Plan:
        if self._plan is None:
            config = self.config if self.readiness is None else self.readiness.spawn_config()
            self._plan = plan(config, self.host.server_url(), self.stdin_source)
        return self._plan

    def _spawn(self) -> None:
        self._arm(None)
        self.host.state_changed(self, (self.record.state,))  # STARTING, entered just now
        try:
            p = self.get_plan()
        except SpawnError as exc:
            self._started(exc)
            return
        # While the supervisor starts many processes at once it collects their plans and
        # spawns them together on several cores (Supervisor.spawn_together).
        batch: SpawnBatch | None = getattr(self.host, "spawn_batch", None)
        if batch is not None:
            batch.append((p, self._started))
            return
        try:
            self._started(spawn(p))
        except SpawnError as exc:
            self._started(exc)

    def _started(self, child: Child | SpawnError) -> None:
        if isinstance(child, SpawnError):
            self._plan = None
            self.dispatch(states.SpawnFailed(child.message, time.monotonic()))
            return
        loop = self.host.loop
        self.outputs = []
        for channel, fd in (("stdout", child.stdout), ("stderr", child.stderr)):
            if fd >= 0:
                o = Output(self, channel, fd)
                self.outputs.append(o)
                loop.add_reader(fd, o.on_readable)
        self.stdin_fd = child.stdin
        if self.stdin_fd >= 0:
            os.set_blocking(self.stdin_fd, False)
        if self.hooks is not None:
            self.hooks.spawned()
        self.host.track(child.pid, self)
        if self.readiness is not None:
            self.readiness.spawned()  # before Spawned, which may make it RUNNING at once
        self.dispatch(states.Spawned(child.pid, time.monotonic()))

    def _kill(self, sig: int, group: bool) -> None:
        pid = self.pid
        if not pid:
            return
        try:
            if group:
                os.killpg(pid, sig)
            else:
                os.kill(pid, sig)
        except ProcessLookupError:
            pass  # already dead; the reaper will report it
        except OSError as exc:
            self.dispatch(states.SignalFailed(
                f"unknown problem killing {self.name} ({pid}): {exc}", time.monotonic()))

    # -- called by the supervisor --------------------------------------------------------------

    def reaped(self, status: int) -> None:
        for o in self.outputs:
            o.drain()
        self.outputs = []
        for sink in self.syslogs.values():
            sink.flush()
        self._flush_formats()
        if self.hooks is not None:
            self.hooks.exiting()
        self._close_stdin()
        self.wait_status = status
        es, text = describe(status)
        self.dispatch(states.Exited(es, text, time.monotonic(), self.host.may_restart()))

    def _flush_formats(self) -> None:
        """The output has ended: a line it left unfinished goes to the log as it stands."""
        for channel, fmt in self.formats.items():
            rest = fmt.flush()
            key = "stdout" if channel == "stdout" or self.config.redirect_stderr else "stderr"
            log = self.logs[key]
            if rest and log is not None:
                log.write(rest)

    def _close_stdin(self) -> None:
        if self._stdin is not None:
            self._stdin.close()
            self._stdin = None
        if self.stdin_fd >= 0:
            os.close(self.stdin_fd)
            self.stdin_fd = -1

    def start(self) -> None:
        self.dispatch(states.Start(time.monotonic()))

    def stop(self) -> None:
        self.dispatch(states.Stop(time.monotonic()))

    def give_up(self) -> None:
        self.dispatch(states.GiveUp(time.monotonic()))

    def signal(self, sig: int) -> str | None:
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            return None
        except OSError as exc:
            msg = f"unknown problem sending sig {self.name} ({self.pid}): {exc}"
            self.dispatch(states.SignalFailed(msg, time.monotonic()))
            return msg
        return None

    def write_stdin(self, data: bytes) -> None:
        """Send `data` to the child's stdin as it reads it (runtime/stdin.py).

        Raises BrokenPipeError when there is no stdin to write to, StdinFull when too much
        is still unread.
        """
        if self.stdin_fd < 0:
            raise BrokenPipeError(errno.EPIPE, "the process has no stdin channel")
        if self._stdin is None or self._stdin.fd != self.stdin_fd:
            self._stdin = StdinWriter(self.host.loop, self.stdin_fd)
        self._stdin.write(data)

    def autostart(self) -> None:
        if self.config.autostart and self.state is State.STOPPED and not self.record.laststart:
            self.start()


ProcessFactory = Callable[[Host, ProcessConfig], Process]
