"""The supervisor: process groups, reaping, orderly shutdown and reload, all on one loop."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

from supervisor_tools.errors import Span
from supervisor_tools.model.model import GroupConfig, Model, SupervisordConfig
from supervisor_tools.options.signals import signal_label
from supervisor_tools.runtime import container
from supervisor_tools.runtime.custody import Custody
from supervisor_tools.runtime.depstart import Dependencies, autostart, refreshed
from supervisor_tools.runtime.eventhub import EventHub
from supervisor_tools.runtime.group import Group as Group  # imported from here by others
from supervisor_tools.runtime.group import comparable
from supervisor_tools.runtime.logs import MainLog, cleanup_auto_logs
from supervisor_tools.runtime.logsteps import create_logs
from supervisor_tools.runtime.loop import Loop
from supervisor_tools.runtime.metrics import Registry
from supervisor_tools.runtime.process import Process
from supervisor_tools.runtime.spawn import SpawnBatch
from supervisor_tools.runtime.states import State
from supervisor_tools.runtime.supstate import SupervisorState
from supervisor_tools.runtime.waitstatus import shell_code

# Reads the configuration again (reread, reload): a model, or a list of error lines.
Loader = Callable[[], "Model | list[str]"]


def main_log_path(sd: SupervisordConfig) -> str | None:
    return None if sd.logfile in ("NONE", "", "syslog") else sd.logfile


class Supervisor:
    """Owns the loop, the groups and the main log. The HTTP/RPC layer drives it from outside."""

    def __init__(self, model: Model, loader: Loader, loop: Loop | None = None) -> None:
        self.loop = loop or Loop()
        self.model = model
        self.loader = loader
        sd = model.supervisord or SupervisordConfig(source=Span.point(model.main_file))
        self.sd = sd
        self.log = MainLog(main_log_path(sd),
                           sd.loglevel, sd.logfile_maxbytes, sd.logfile_backups,
                           echo=sd.nodaemon and not sd.silent, syslog=sd.logfile == "syslog")
        self.strip_ansi = sd.strip_ansi
        self.childlogdir = sd.childlogdir
        self.identifier = sd.identifier
        self.groups: dict[str, Group] = {}
        self.group_configs: tuple[GroupConfig, ...] = model.groups
        self.pids: dict[int, Process] = {}
        # children of the supervisor's own (probe commands): reaped here, told to a callback
        self.helpers: dict[int, Callable[[int], None]] = {}
        self.state = SupervisorState.RUNNING
        self.changed = False
        self.exit_code = 0
        self.on_reload: list[Callable[[Model], None]] = []
        # Told of RUNNING (after start and after each reload), RESTARTING and SHUTDOWN.
        self.on_state: list[Callable[[SupervisorState], None]] = []
        self.on_exit: list[Callable[[], None]] = []
        self.events = EventHub(self)
        # The counters of /metrics; they outlive a reload's new Process objects.
        self.metrics = Registry()
        # Open while a start-up collects spawns to run together (see Process._spawn).
        self.spawn_batch: SpawnBatch | None = None
        # The configuration a restart under way switches to, checked before anything stopped.
        self._next_model: Model | None = None
        # The child guard and the record of children (main.run sets it up; tests may not).
        self.custody: Custody | None = None
        # The dependency scheduler; None for a config without dependency keys.
        self.deps = Dependencies.for_model(self, model)

    def set_state(self, state: SupervisorState) -> None:
        if state is self.state and state is not SupervisorState.RUNNING:
            return
        self.state = state
        for cb in self.on_state:
            cb(state)

    # -- Host protocol used by Process ---------------------------------------------------------

    def may_restart(self) -> bool:
        return self.state is SupervisorState.RUNNING

    def server_url(self) -> str | None:
        return self.model.server_url()

    def track(self, pid: int, proc: Process | None) -> None:
        if proc is None:
            self.pids.pop(pid, None)
        else:
            self.pids[pid] = proc
            if self.deps is not None:
                self.deps.spawned(proc, pid)
            if self.custody is not None:
                group = proc.config.group
                self.custody.spawned(pid, proc.name if group == proc.name
                                     else f"{group}:{proc.name}")

    def state_changed(self, proc: Process, entered: tuple[State, ...] = ()) -> None:
        self.changed = True
        if proc.exit_on_end and container.applies(self.state):
            why = container.reason(proc)
            if why is not None:
                self.log.warn(why)
                self.exit_code = shell_code(proc.wait_status)
                self.set_state(SupervisorState.SHUTDOWN)
                self.loop.wake()
        if self.deps is not None and entered:
            self.deps.changed(proc, entered)

    def waiting(self, proc: Process) -> str:
        return "" if self.deps is None else self.deps.note(proc)

    def watch_child(self, pid: int, callback: Callable[[int], None]) -> None:
        self.helpers[pid] = callback

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        loop = self.loop
        loop.add_signal(signal.SIGCHLD, self._on_sigchld)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
            loop.add_signal(sig, self._on_stop_signal)
        loop.add_signal(signal.SIGHUP, self._on_hup)
        loop.add_signal(signal.SIGUSR2, self._on_usr2)
        loop.after_each_batch(self._after_batch)
        loop.after_each_batch(self.log.flush)
        loop.on_error = self._on_error
        if not self.sd.nocleanup:
            cleanup_auto_logs(self.childlogdir, self.identifier)
        self.log.info(f"supervisord started with pid {os.getpid()}")
        if self.custody is not None:
            self.custody.start()
            loop.after_each_batch(self.custody.flush)
        self._activate(self.group_configs)
        if self.custody is not None:
            self.custody.flush()  # the guard knows the first children before anything else
        self.set_state(SupervisorState.RUNNING)
        # The work after each batch (the main log's flush among it) runs once now, not at the
        # first request or exit, which may be a long time away for an idle supervisor.
        self.loop.wake()

    def supported(self, cfg: GroupConfig) -> bool:
        if cfg.kind in ("program", "group", "eventlistener", "fcgi-program"):
            return True
        self.log.warn(f"{cfg.kind} {cfg.name!r} is not supported by svtool run yet; skipped")
        return False

    def _new_group(self, cfg: GroupConfig) -> Group | None:
        if cfg.kind != "fcgi-program":
            return Group(self, cfg)
        from supervisor_tools.runtime.fcgi import FcgiError  # sockets only FastCGI groups need

        try:
            return Group(self, cfg)
        except FcgiError as exc:
            self.log.critical(str(exc))
            return None

    def _activate(self, configs: tuple[GroupConfig, ...]) -> None:
        for cfg in sorted(configs, key=lambda g: (g.priority, g.name)):
            if cfg.name not in self.groups and self.supported(cfg):
                new = self._new_group(cfg)
                if new is None:
                    continue
                self.groups[cfg.name] = new
                self.events.group_added(cfg.name)
        self.events.running()
        self.spawn_batch = batch = SpawnBatch()
        try:
            autostart(self.deps, [p for g in self.sorted_groups() for p in g.processes.values()])
        finally:
            self.spawn_batch = None
            batch.run()
        create_logs(self.groups, self.loop,
                    [p for g in self.sorted_groups() for p in g.processes.values()])

    def sorted_groups(self) -> list[Group]:
        return sorted(self.groups.values(), key=lambda g: (g.config.priority, g.name))

    def all_processes(self) -> list[tuple[Group, Process]]:
        """Every process in start order: ascending group priority, then process priority."""
        return [(g, p) for g in self.sorted_groups() for p in g.sorted()]

    def lexical_processes(self) -> list[tuple[Group, Process]]:
        return [(self.groups[gn], self.groups[gn].processes[pn])
                for gn in sorted(self.groups) for pn in sorted(self.groups[gn].processes)]

    def run(self) -> int:
        self.start()
        try:
            self.loop.run()
        finally:
            self._cleanup()
        return self.exit_code

    def _cleanup(self) -> None:
        if self.custody is not None:
            self.custody.close(children_alive=bool(self.pids))
        for cb in self.on_exit:
            cb()
        for group in self.groups.values():
            group.close()
        self.log.close()
        self.loop.close()

    def shutdown(self) -> None:
        if self.state is SupervisorState.RUNNING:
            self.log.info("received shutdown request")
        self.set_state(SupervisorState.SHUTDOWN)
        self.loop.wake()

    def restart(self) -> list[str]:
        """Reload, once the new configuration has loaded: its errors, or [] when under way.

        supervisord stops everything, reads the file again and exits when it is invalid;
        svtool reads it first and, when it is invalid, leaves every process and the running
        configuration as they are.
        """
        if self.state is SupervisorState.RUNNING:
            errors = self._prepare_reload()
            if errors:
                return errors
            self.set_state(SupervisorState.RESTARTING)
        self.loop.wake()
        return []

    def _prepare_reload(self) -> list[str]:
        loaded = self.loader()
        if isinstance(loaded, list):
            for line in loaded:
                self.log.error(line)
            self.log.error("configuration is not valid; keeping the previous one (not "
                           "restarting: every process stays as it is)")
            return loaded
        self._next_model = loaded
        return []

    def _on_error(self, exc: BaseException) -> None:
        import traceback  # only a bug comes here

        text = "".join(traceback.format_exception(exc)).rstrip()
        self.log.critical(f"internal error, continuing:\n{text}")

    # -- signals -------------------------------------------------------------------------------

    def _on_sigchld(self, sig: int) -> None:
        self.reap()

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            except InterruptedError:
                continue
            if pid == 0:
                return
            helper = self.helpers.pop(pid, None)
            if helper is not None:
                helper(status)
                continue
            proc = self.pids.pop(pid, None)
            if self.custody is not None and self.custody.reaped(pid, status):
                continue
            if proc is None:
                self.log.info(f"reaped unknown pid {pid} (exit status {status})")
            else:
                proc.reaped(status)

    def _on_stop_signal(self, sig: int) -> None:
        self.log.warn(f"received {signal_label(sig)} indicating exit request")
        self.set_state(SupervisorState.SHUTDOWN)

    def _on_hup(self, sig: int) -> None:
        self.log.warn("received SIGHUP indicating restart request")
        if self.state is SupervisorState.RUNNING:
            self.restart()

    def _on_usr2(self, sig: int) -> None:
        self.log.info("received SIGUSR2 indicating log reopen request")
        self.log.reopen()
        for group in self.groups.values():
            for proc in group.processes.values():
                proc.reopen_logs()

    # -- stopping ------------------------------------------------------------------------------

    def _after_batch(self) -> None:
        if self.state is SupervisorState.RUNNING:
            return
        if self.deps is not None and not self.deps.shutdown_step():
            return  # dependants first, each once its own dependants stopped
        # Groups go down one at a time, highest priority value first; the next group is only
        # signalled once every process of the current one has stopped.
        for group in reversed(self.sorted_groups()):
            if group.unstopped():
                group.stop_all()
                if group.unstopped():
                    return  # wait for the exits, which wake the loop
        if self.state is SupervisorState.SHUTDOWN:
            self.log.info("shutting down" if not self.pids else "exiting with children alive")
            self.loop.stop()
        elif self.state is SupervisorState.RESTARTING:
            self._reload()

    def _reload(self) -> None:
        # The model read (and found valid) when the restart was asked for: the file may have
        # changed since, and nothing is stopped on a configuration that has not been checked.
        model = self.model if self._next_model is None else self._next_model
        self._next_model = None
        for group in self.groups.values():
            group.close()
        self.groups.clear()
        self.events.reset()
        self.metrics.keep_only((g.name, p.name) for g in model.groups for p in g.processes)
        self.model = model
        self.group_configs = model.groups
        self._apply_settings(model)
        self.deps = Dependencies.for_model(self, model)
        if not self.sd.nocleanup:
            # supervisord clears the AUTO logs at every start, reloads included: the old
            # processes' files go, the new ones get fresh names.
            cleanup_auto_logs(self.childlogdir, self.identifier)
        for cb in self.on_reload:
            cb(model)
        self.set_state(SupervisorState.RUNNING)
        self.log.info("supervisord restarted")
        self._activate(self.group_configs)

    def _apply_settings(self, model: Model) -> None:
        """The [supervisord] settings supervisord also re-reads when it restarts."""
        sd = model.supervisord or SupervisordConfig(source=Span.point(model.main_file))
        self.sd = sd
        self.log.reconfigure(main_log_path(sd), sd.loglevel, sd.logfile_maxbytes,
                             sd.logfile_backups, syslog=sd.logfile == "syslog")
        self.strip_ansi = sd.strip_ansi
        self.childlogdir = sd.childlogdir
        self.identifier = sd.identifier

    # -- reread / add / remove -----------------------------------------------------------------

    def reread(self) -> tuple[list[str], list[str], list[str]]:
        """Load the config again and diff it against the active groups. Raises ValueError."""
        loaded = self.loader()
        if isinstance(loaded, list):
            raise ValueError("\n".join(loaded))
        self.group_configs = loaded.groups
        new = {g.name: g for g in loaded.groups}
        added = [n for n in new if n not in self.groups]
        removed = [n for n in self.groups if n not in new]
        changed = [n for n in new if n in self.groups
                   and comparable(new[n]) != comparable(self.groups[n].config)]
        return added, changed, removed

    def add_group(self, name: str) -> bool | None:
        """True when added, False when already active, None when no such group is configured."""
        for cfg in self.group_configs:
            if cfg.name == name:
                if name in self.groups:
                    return False
                if not self.supported(cfg):
                    return None
                new = self._new_group(cfg)
                if new is None:
                    return None
                group = new
                self.groups[name] = group
                self.events.group_added(name)
                self.deps = refreshed(self, self.deps)
                autostart(self.deps, group.sorted())
                create_logs(self.groups, self.loop, group.sorted())
                self.changed = True
                return True
        return None

    def remove_group(self, name: str) -> bool:
        group = self.groups[name]
        if group.unstopped():
            return False
        group.close()
        del self.groups[name]
        self.metrics.forget_group(name)
        self.deps = refreshed(self, self.deps)
        self.events.group_removed(name)
        self.changed = True
        return True

    def find(self, group: str, process: str | None) -> tuple[Group | None, Process | None]:
        g = self.groups.get(group)
        if g is None or process is None:
            return g, None
        return g, g.processes.get(process)

