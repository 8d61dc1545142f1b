"""A process group of the supervisor: its processes, in start order, and its FastCGI socket."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from supervisor_tools.errors import Span
from supervisor_tools.model.model import GroupConfig
from supervisor_tools.runtime.process import Process
from supervisor_tools.runtime.states import STOPPED_STATES, State

if TYPE_CHECKING:
    from supervisor_tools.runtime.fcgi import FcgiSocket
    from supervisor_tools.runtime.supervisor import Supervisor


def comparable(cfg: GroupConfig) -> GroupConfig:
    """A group config with its source positions blanked, for "has it changed" tests."""
    blank = Span(cfg.source.file, 0, 0, 0, 0)
    procs = tuple(dataclasses.replace(p, source=blank) for p in cfg.processes)
    return dataclasses.replace(cfg, source=blank, processes=procs)


class Group:
    def __init__(self, host: Supervisor, config: GroupConfig) -> None:
        self.config = config
        # A FastCGI group's socket; raises FcgiError before anything else is set up.
        self.fcgi: FcgiSocket | None = None
        if config.kind == "fcgi-program":
            from supervisor_tools.runtime.fcgi import socket_for

            self.fcgi = socket_for(config)
        self.processes: dict[str, Process] = {}
        for pc in config.processes:
            # Duplicate names inside a group: the last one wins, as in supervisord.
            self.processes[pc.name] = Process(host, pc)
            if self.fcgi is not None:
                self.processes[pc.name].stdin_source = self.fcgi.fileno()
        if self.fcgi is not None:
            host.log.info(f"Creating socket {config.socket}")
        host.events.group_created(self)
        host.metrics.attach(self)

    def close(self) -> None:
        """The group leaves the supervisor: its logs and its FastCGI socket close."""
        for proc in self.processes.values():
            proc.retire()
        if self.fcgi is not None:
            self.fcgi.close()

    @property
    def name(self) -> str:
        return self.config.name

    def sorted(self) -> list[Process]:
        # supervisord's order: by priority, and equal priorities in the order the model lists
        # them (a [group:x]'s programs= order), not by name
        return sorted(self.processes.values(), key=lambda p: p.config.priority)

    def unstopped(self) -> list[Process]:
        return [p for p in self.processes.values() if p.state not in STOPPED_STATES]

    def stop_all(self) -> None:
        """The shutdown step for one group: signal live processes, give up on BACKOFF ones."""
        for proc in reversed(self.sorted()):
            if proc.state in (State.RUNNING, State.STARTING):
                proc.stop()
            elif proc.state is State.BACKOFF:
                proc.give_up()
