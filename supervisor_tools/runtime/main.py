"""`svtool run`: load and check a config, then supervise it in the foreground or as a daemon."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from supervisor_tools.errors import Span, SvtoolError
from supervisor_tools.model.model import Model, SupervisordConfig
from supervisor_tools.runtime import configpath
from supervisor_tools.runtime.supervisor import Supervisor
from supervisor_tools.runtime.supstate import SupervisorState

if TYPE_CHECKING:
    from supervisor_tools.runtime.http import Connection, HttpServer, Request
    from supervisor_tools.runtime.web.console import Console


@dataclass(frozen=True, slots=True)
class RunOptions:
    """Command-line overrides of `[supervisord]`, as supervisord's own flags give them."""

    # [supervisord] option name -> its converted value (nodaemon, user, umask, logfile...)
    overrides: Mapping[str, Any] = field(default_factory=dict)
    # Serve [inet_http_server] on a non-loopback address without a password (off: refuse).
    allow_insecure_http: bool = False
    # supervisord's --profile_options: run under cProfile and print the statistics at the end.
    profile_options: str | None = None


def find_config(config: str | None) -> str:
    if config:
        return config
    found = configpath.search()
    if found is not None:
        return found
    raise SvtoolError("no configuration file found; pass -c CONFIG")


def load_model(path: str) -> Model | list[str]:
    """The model of `path`, or its errors as `file:line:col: message` lines."""
    from supervisor_tools.model import load

    try:
        result = load(path, fragment=False)
    except SvtoolError as exc:
        return [str(exc)]
    if not result.ok:
        return [str(err) for err in result.errors]
    return result.model


def apply_options(model: Model, opts: RunOptions) -> Model:
    """The model with the command line's overrides, its two paths absolute as supervisord makes
    them at start (before a daemon changes directory)."""
    sd = model.supervisord or SupervisordConfig(source=Span.point(model.main_file))
    sd = dataclasses.replace(sd, **opts.overrides)
    paths: dict[str, Any] = {"pidfile": os.path.abspath(sd.pidfile)}
    if sd.logfile not in ("NONE", "", "syslog"):
        paths["logfile"] = os.path.abspath(sd.logfile)
    return dataclasses.replace(model, supervisord=dataclasses.replace(sd, **paths))


def server_settings(model: Model) -> list[tuple[object, ...]]:
    """What identifies the control servers, without source positions."""
    return [tuple(getattr(s, f) for f in ("file", "chmod", "chown", "host", "port", "username",
                                          "password") if hasattr(s, f))
            for s in model.servers]


def systemd_notifier() -> Callable[[SupervisorState], None]:
    """Report readiness to systemd when run as a Type=notify service (NOTIFY_SOCKET set)."""
    from supervisor_tools.runtime.notify import Notifier

    notifier = Notifier()

    def tell(state: SupervisorState) -> None:
        if state is SupervisorState.RUNNING:
            notifier.ready("supervising")
        elif state is SupervisorState.RESTARTING:
            notifier.reloading()
        elif state is SupervisorState.SHUTDOWN:
            notifier.stopping()

    return tell


def install_console(server: HttpServer) -> None:
    """Serve the web console at `/`, loading it with its first request.

    Most supervisors are only ever driven by supervisorctl; the console's modules (JSON,
    package resources) would otherwise cost every one of them start-up time and memory.
    """
    loaded: list[Console] = []

    def handle(conn: Connection, req: Request) -> None:
        if not loaded:
            from supervisor_tools.runtime.web.console import Console

            loaded.append(Console(server))
        loaded[0].handle(conn, req)

    server.routes.append(("/", handle))


def daemonize(directory: str | None, umask: int) -> None:
    if os.fork() != 0:
        os._exit(0)
    os.setsid()
    if directory:
        os.chdir(directory)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    os.umask(umask)


def write_pidfile(sup: Supervisor, path: str) -> str:
    """Write our pid to `path`; the path written, or "" when it could not be."""
    try:
        with open(path, "w") as f:
            f.write(f"{os.getpid()}\n")
    except OSError as exc:
        sup.log.critical(f"could not write pidfile {path}: {exc}")
        return ""
    return path


def remove_pidfile(path: str) -> None:
    if path:
        with contextlib.suppress(OSError):
            os.unlink(path)


def run(config: str | None, opts: RunOptions | None = None) -> int:
    """Run supervisord's job for `config`; returns the exit code (2 for an invalid config)."""
    if opts is not None and opts.profile_options is not None:
        from supervisor_tools.runtime.profiling import profiled

        plain = dataclasses.replace(opts, profile_options=None)
        return profiled(lambda: run(config, plain), opts.profile_options)
    from supervisor_tools.runtime.http import HttpServer
    from supervisor_tools.runtime.rpc import make_dispatcher

    opts = opts or RunOptions()
    path = os.path.abspath(find_config(config))
    loaded = load_model(path)
    if isinstance(loaded, list):
        for line in loaded:
            print(line, file=sys.stderr)
        return 2

    from supervisor_tools.runtime.web.exposure import check_exposure

    def reload() -> Model | list[str]:
        again = load_model(path)
        if isinstance(again, list):
            return again
        try:
            check_exposure(again, opts.allow_insecure_http)
        except SvtoolError as exc:
            return [str(exc)]
        return apply_options(again, opts)

    check_exposure(loaded, opts.allow_insecure_http)
    model = apply_options(loaded, opts)
    sd = model.supervisord
    assert sd is not None
    from supervisor_tools.runtime.limits import raise_limits
    from supervisor_tools.runtime.privileges import drop_privileges

    notes = [("info", line) for line in raise_limits(sd.minfds, sd.minprocs)]
    notes += drop_privileges(sd.user)
    sup = Supervisor(model, reload)
    for level, line in notes:
        sup.log.log(level, line)
    server = HttpServer(sup, make_dispatcher(sup))
    install_console(server)
    try:
        server.open(model.servers)
    except OSError as exc:
        server.close()
        raise SvtoolError(f"cannot open the control socket: {exc}") from exc

    current = [server_settings(model)]
    serving = [model.servers]

    def reopen_servers(new: Model) -> None:
        # Like supervisord's restart: a changed [unix_http_server]/[inet_http_server] applies.
        if server_settings(new) != current[0]:
            server.close()
            try:
                server.open(new.servers)
            except SvtoolError as exc:
                # A socket the new config names cannot be opened (a file in the way, a port
                # taken): keep the control path, on the servers that worked until now.
                server.close()
                sup.log.error(f"cannot open the control servers of the new configuration: "
                              f"{exc}; serving on the previous ones")
                server.open(serving[0])
                return
            current[0], serving[0] = server_settings(new), new.servers

    sup.on_reload.append(reopen_servers)
    sup.on_state.append(systemd_notifier())
    if not sd.nodaemon:
        sup.log.echo = False
        daemonize(sd.directory, sd.umask)
    pidfile = [write_pidfile(sup, sd.pidfile)]
    from supervisor_tools.runtime.custody import Custody

    # The children's record lives next to the pidfile the configuration names.
    sup.custody = Custody(sup.log, os.path.abspath(sd.pidfile))

    def rewrite_pidfile(new: Model) -> None:
        # As supervisord: a run removes its pidfile when it ends and the next one writes the
        # pidfile its configuration names, so a reload can move it.
        remove_pidfile(pidfile[0])
        assert new.supervisord is not None
        pidfile[0] = write_pidfile(sup, new.supervisord.pidfile)
        if sup.custody is not None:
            sup.custody.moved(os.path.abspath(new.supervisord.pidfile))

    sup.on_reload.append(rewrite_pidfile)

    def on_exit() -> None:
        server.flush()
        server.close()
        remove_pidfile(pidfile[0])

    sup.on_exit.append(on_exit)
    return sup.run()

