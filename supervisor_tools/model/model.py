"""The resolved model: what supervisord would run for a configuration.

Values are already expanded and converted. Every object remembers where it came from:
`source` is the span of its section header, `spans` maps option names to the span of the value
that set them (options left at their default are absent from `spans`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from supervisor_tools.errors import ConfigError, Span
from supervisor_tools.options.table import options_for
from supervisor_tools.options.types import system_tempdir

AutoRestart = bool | Literal["unexpected"]
GroupKind = Literal["program", "group", "eventlistener", "fcgi-program"]
ProcessKind = Literal["program", "eventlistener", "fcgi-program"]


def _default(kind: str, option: str) -> Any:
    """A field's default: the option's row says it (a test holds every field to its row)."""
    return options_for(kind)[option].default


@dataclass(frozen=True, slots=True)
class ProcessConfig:
    """One process, as supervisord would spawn it.

    Field names are the option names of `[program:x]`; log files are a path, "AUTO" or "NONE";
    `stopsignal` is a signal name without "SIG" ("TERM"); `autorestart` is True, False or
    "unexpected"; `environment` already includes `[supervisord] environment`.
    """

    name: str
    program: str
    group: str
    kind: ProcessKind
    process_num: int
    source: Span
    command: str
    directory: str | None = _default("program", "directory")
    user: str | None = _default("program", "user")
    umask: int | None = _default("program", "umask")
    priority: int = _default("program", "priority")
    autostart: bool = _default("program", "autostart")
    autorestart: AutoRestart = _default("program", "autorestart")
    startsecs: int = _default("program", "startsecs")
    startretries: int = _default("program", "startretries")
    exitcodes: tuple[int, ...] = _default("program", "exitcodes")
    stopsignal: str = _default("program", "stopsignal")
    stopwaitsecs: int = _default("program", "stopwaitsecs")
    stopasgroup: bool = _default("program", "stopasgroup")
    killasgroup: bool = _default("program", "killasgroup")
    redirect_stderr: bool = _default("program", "redirect_stderr")
    environment: Mapping[str, str] = field(default_factory=dict)
    serverurl: str | None = None
    numprocs: int = _default("program", "numprocs")
    numprocs_start: int = _default("program", "numprocs_start")
    stdout_logfile: str = _default("program", "stdout_logfile")
    stdout_logfile_maxbytes: int = _default("program", "stdout_logfile_maxbytes")
    stdout_logfile_backups: int = _default("program", "stdout_logfile_backups")
    stdout_capture_maxbytes: int = _default("program", "stdout_capture_maxbytes")
    stdout_events_enabled: bool = _default("program", "stdout_events_enabled")
    stdout_syslog: bool = _default("program", "stdout_syslog")
    stderr_logfile: str = _default("program", "stderr_logfile")
    stderr_logfile_maxbytes: int = _default("program", "stderr_logfile_maxbytes")
    stderr_logfile_backups: int = _default("program", "stderr_logfile_backups")
    stderr_capture_maxbytes: int = _default("program", "stderr_capture_maxbytes")
    stderr_events_enabled: bool = _default("program", "stderr_events_enabled")
    stderr_syslog: bool = _default("program", "stderr_syslog")
    # svtool's restart policy and container mode (docs/restart.md)
    backoffincrement: float = _default("program", "backoffincrement")
    backoffmultiplier: float = _default("program", "backoffmultiplier")
    maxbackoff: float = _default("program", "maxbackoff")
    backoffreset: float = _default("program", "backoffreset")
    exit_on_end: bool = _default("program", "exit_on_end")
    # dependencies (svtool's keys; docs/dependencies.md): canonical "name:state" words
    dependent_startup: bool = _default("program", "dependent_startup")
    dependent_startup_wait_for: tuple[str, ...] = _default("program",
                                                           "dependent_startup_wait_for")
    dependent_startup_inherit_priority: bool = _default("program",
                                                        "dependent_startup_inherit_priority")
    depends_on: tuple[str, ...] = _default("program", "depends_on")
    # readiness and liveness (options/readiness.py); unset, startsecs decides as before
    sd_notify: bool = _default("program", "sd_notify")
    watchdogsecs: int = _default("program", "watchdogsecs")
    ready_log_line: str | None = _default("program", "ready_log_line")
    readytimeoutsecs: int = _default("program", "readytimeoutsecs")
    readiness_probe_exec: str | None = _default("program", "readiness_probe_exec")
    readiness_probe_http_get: str | None = _default("program", "readiness_probe_http_get")
    readiness_probe_tcp_socket: str | None = _default("program", "readiness_probe_tcp_socket")
    readiness_probe_initial_delay_seconds: int = _default(
        "program", "readiness_probe_initial_delay_seconds")
    readiness_probe_period_seconds: int = _default(
        "program", "readiness_probe_period_seconds")
    readiness_probe_timeout_seconds: int = _default(
        "program", "readiness_probe_timeout_seconds")
    readiness_probe_success_threshold: int = _default(
        "program", "readiness_probe_success_threshold")
    readiness_probe_failure_threshold: int = _default(
        "program", "readiness_probe_failure_threshold")
    liveness_probe_exec: str | None = _default("program", "liveness_probe_exec")
    liveness_probe_http_get: str | None = _default("program", "liveness_probe_http_get")
    liveness_probe_tcp_socket: str | None = _default("program", "liveness_probe_tcp_socket")
    liveness_probe_initial_delay_seconds: int = _default(
        "program", "liveness_probe_initial_delay_seconds")
    liveness_probe_period_seconds: int = _default(
        "program", "liveness_probe_period_seconds")
    liveness_probe_timeout_seconds: int = _default(
        "program", "liveness_probe_timeout_seconds")
    liveness_probe_success_threshold: int = _default(
        "program", "liveness_probe_success_threshold")
    liveness_probe_failure_threshold: int = _default(
        "program", "liveness_probe_failure_threshold")
    childlog_format: str | None = _default("program", "childlog_format")
    spans: Mapping[str, Span] = field(default_factory=dict, compare=False)

    def span_of(self, option: str) -> Span:
        """The span of the value that set `option`, or of the section header."""
        return self.spans.get(option, self.source)


@dataclass(frozen=True, slots=True)
class GroupConfig:
    """A process group: a homogeneous program group, a `[group:x]`, a listener pool or fcgi."""

    name: str
    kind: GroupKind
    priority: int
    processes: tuple[ProcessConfig, ...]
    source: Span
    # event listener pools
    events: tuple[str, ...] = ()
    buffer_size: int = _default("eventlistener", "buffer_size")
    result_handler: str | None = None
    # fcgi-program groups
    socket: str | None = None
    socket_backlog: int | None = None
    socket_owner: str | None = None
    socket_mode: int | None = None
    spans: Mapping[str, Span] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class SupervisordConfig:
    """The effective `[supervisord]` section (defaults filled in)."""

    source: Span
    minfds: int = _default("supervisord", "minfds")
    minprocs: int = _default("supervisord", "minprocs")
    directory: str | None = _default("supervisord", "directory")
    user: str | None = _default("supervisord", "user")
    umask: int = _default("supervisord", "umask")
    logfile: str = _default("supervisord", "logfile")
    logfile_maxbytes: int = _default("supervisord", "logfile_maxbytes")
    logfile_backups: int = _default("supervisord", "logfile_backups")
    loglevel: str = _default("supervisord", "loglevel")
    pidfile: str = _default("supervisord", "pidfile")
    identifier: str = _default("supervisord", "identifier")
    nodaemon: bool = _default("supervisord", "nodaemon")
    silent: bool = _default("supervisord", "silent")
    childlogdir: str = field(default_factory=system_tempdir)
    nocleanup: bool = _default("supervisord", "nocleanup")
    strip_ansi: bool = _default("supervisord", "strip_ansi")
    exit_on_end: bool = _default("supervisord", "exit_on_end")
    childlog_format: str = _default("supervisord", "childlog_format")
    environment: Mapping[str, str] = field(default_factory=dict)
    spans: Mapping[str, Span] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class UnixHttpServerConfig:
    """[unix_http_server]: the socket supervisorctl talks to."""

    section: str
    source: Span
    file: str
    chmod: int = _default("unix_http_server", "chmod")
    chown: str | None = _default("unix_http_server", "chown")
    username: str | None = _default("unix_http_server", "username")
    password: str | None = _default("unix_http_server", "password")
    spans: Mapping[str, Span] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class InetHttpServerConfig:
    """[inet_http_server]: the TCP port of the XML-RPC interface and web console."""

    section: str
    source: Span
    host: str
    port: int
    username: str | None = _default("inet_http_server", "username")
    password: str | None = _default("inet_http_server", "password")
    spans: Mapping[str, Span] = field(default_factory=dict, compare=False)


HttpServerConfig = UnixHttpServerConfig | InetHttpServerConfig


@dataclass(frozen=True, slots=True)
class SupervisorctlConfig:
    """[supervisorctl]: where supervisorctl connects and how it logs in."""

    source: Span
    serverurl: str = _default("supervisorctl", "serverurl")
    username: str | None = _default("supervisorctl", "username")
    password: str | None = _default("supervisorctl", "password")
    prompt: str = _default("supervisorctl", "prompt")
    history_file: str | None = _default("supervisorctl", "history_file")
    spans: Mapping[str, Span] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class PluginConfig:
    """An `[rpcinterface:x]` or `[ctlplugin:x]` section: a factory and its keyword arguments."""

    kind: Literal["rpcinterface", "ctlplugin"]
    name: str
    factory: str
    extras: Mapping[str, str]
    source: Span


@dataclass(frozen=True, slots=True)
class Model:
    """Everything supervisord would build from one configuration (or a conf.d fragment)."""

    main_file: str
    files: tuple[str, ...]
    supervisord: SupervisordConfig | None
    groups: tuple[GroupConfig, ...]
    servers: tuple[HttpServerConfig, ...] = ()
    supervisorctl: SupervisorctlConfig | None = None
    rpcinterfaces: tuple[PluginConfig, ...] = ()
    ctlplugins: tuple[PluginConfig, ...] = ()
    fragment: bool = False
    warnings: tuple[ConfigError, ...] = ()

    def processes(self) -> list[ProcessConfig]:
        return [p for g in self.groups for p in g.processes]

    def group(self, name: str) -> GroupConfig | None:
        for g in self.groups:
            if g.name == name:
                return g
        return None

    def server_url(self) -> str | None:
        """The URL supervisord exports as SUPERVISOR_SERVER_URL when a program sets none.

        The first unix server wins; otherwise the last inet server.
        """
        for s in self.servers:
            if isinstance(s, UnixHttpServerConfig):
                return "unix://" + s.file
        inet = [s for s in self.servers if isinstance(s, InetHttpServerConfig)]
        if inet:
            host = inet[-1].host or "localhost"
            return f"http://{host}:{inet[-1].port}"
        return None
