"""The counters of `/metrics` that only the supervisor can give, counted where they happen.

Each process has one `ProcessCounters`, kept in the supervisor's `Registry` by (group, name) so
it outlives the Process objects a reload replaces. The process feeds it every state-machine
step (`transitioned`) and every chunk of output it logs; its log files tell it of each rotation.
Nothing here scans or polls: a scrape (runtime/metricstext.py) only reads the numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from supervisor_tools.runtime.readystates import Event
from supervisor_tools.runtime.states import (
    Exited,
    Record,
    Result,
    Spawned,
    SpawnFailed,
    State,
)
from supervisor_tools.runtime.states import Start as StartEvent

if TYPE_CHECKING:
    from supervisor_tools.runtime.group import Group

STREAMS = ("stdout", "stderr")


def escape(value: str) -> str:
    """A label value as the text exposition format quotes it."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class ProcessCounters:
    """What happened to one process (group, name) since it was added.

    Kept small (plain slots, no dicts or closures): a supervisor of 500 processes holds 500.
    """

    __slots__ = ("labels", "restarts", "spawn_errors", "fatal", "backoffs", "start_sum",
                 "start_count", "spawned_at", "stdout_bytes", "stderr_bytes",
                 "stdout_rotations", "stderr_rotations")

    def __init__(self, group: str, name: str) -> None:
        # The label text of every series of this process, built once rather than per scrape.
        self.labels = f'name="{escape(name)}",group="{escape(group)}"'
        self.restarts = 0
        self.spawn_errors = 0
        self.fatal = 0
        self.backoffs = 0
        self.start_sum = 0.0
        self.start_count = 0
        # When the child of the start under way was forked (monotonic), until it is RUNNING.
        self.spawned_at: float | None = None
        self.stdout_bytes = 0
        self.stderr_bytes = 0
        self.stdout_rotations = 0
        self.stderr_rotations = 0

    def transitioned(self, before: Record, event: Event, result: Result,
                     startsecs: int) -> None:
        """One step of the process's state machine (Process.dispatch)."""
        if isinstance(event, Spawned):
            self.spawned_at = event.now
        elif isinstance(event, SpawnFailed):
            self.spawn_errors += 1
        prev = before.state
        for state in result.entered:
            if state is State.BACKOFF:
                self.backoffs += 1
            elif state is State.FATAL:
                self.fatal += 1
            elif state is State.STARTING:
                # No start request: autorestart after an exit (from EXITED), or the
                # supervisor's own restart of a process whose liveness probe or watchdog
                # failed (STOPPING, STOPPED, STARTING in one step).
                if prev in (State.EXITED, State.STOPPED) and not isinstance(event, StartEvent):
                    self.restarts += 1
                self.spawned_at = None  # a new start: the next Spawned sets it
            elif state is State.RUNNING and self.spawned_at is not None:
                end = event.now
                if isinstance(event, Exited):
                    # It ran past startsecs but exited before the deadline made it RUNNING.
                    end = min(end, self.spawned_at + startsecs)
                self.start_sum += max(0.0, end - self.spawned_at)
                self.start_count += 1
                self.spawned_at = None
            prev = state

    def logged(self, stream: str, size: int) -> None:
        if stream == "stdout":
            self.stdout_bytes += size
        else:
            self.stderr_bytes += size

    def stdout_rotated(self) -> None:
        self.stdout_rotations += 1

    def stderr_rotated(self) -> None:
        self.stderr_rotations += 1

    def rotation_counter(self, stream: str) -> Callable[[], None]:
        return self.stdout_rotated if stream == "stdout" else self.stderr_rotated


class Registry:
    """Every process's counters, by (group, name)."""

    def __init__(self) -> None:
        self.processes: dict[tuple[str, str], ProcessCounters] = {}
        # Changes whenever processes come or go: a scrape's layout is kept until it does.
        self.generation = 0

    def counters(self, group: str, name: str) -> ProcessCounters:
        found = self.processes.get((group, name))
        if found is None:
            found = self.processes[(group, name)] = ProcessCounters(group, name)
        return found

    def attach(self, group: Group) -> None:
        """Wire a new group's processes and their log files to their counters."""
        self.generation += 1
        for proc in group.processes.values():
            counters = self.counters(group.name, proc.name)
            proc.counters = counters
            for stream, log in proc.logs.items():
                if log is not None:
                    log.on_rotate = counters.rotation_counter(stream)

    def forget_group(self, group: str) -> None:
        self.generation += 1
        for key in [k for k in self.processes if k[0] == group]:
            del self.processes[key]

    def keep_only(self, keys: Iterable[tuple[str, str]]) -> None:
        """After a reload: drop the counters of processes the new configuration lacks."""
        self.generation += 1
        wanted = set(keys)
        for key in [k for k in self.processes if k not in wanted]:
            del self.processes[key]
