"""The resolved model: what supervisord would run for a configuration.

Values are already expanded and converted. Every object remembers where it came from:
`source` is the span of its section header, `spans` maps option names to the span of the value
that set them (options left at their default are absent from `spans`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from supervisor_tools.errors import ConfigError, Span
from supervisor_tools.options.types import system_tempdir

AutoRestart = bool | Literal["unexpected"]
GroupKind = Literal["program", "group", "eventlistener", "fcgi-program"]
ProcessKind = Literal["program", "eventlistener", "fcgi-program"]


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
    directory: str | None = None
    user: str | None = None
    umask: int | None = None
    priority: int = 999
    autostart: bool = True
    autorestart: AutoRestart = "unexpected"
    startsecs: int = 1
    startretries: int = 3
    exitcodes: tuple[int, ...] = (0,)
    stopsignal: str = "TERM"
    stopwaitsecs: int = 10
    stopasgroup: bool = False
    killasgroup: bool = False
    redirect_stderr: bool = False
    environment: Mapping[str, str] = field(default_factory=dict)
    serverurl: str | None = None
    numprocs: int = 1
    numprocs_start: int = 0
    stdout_logfile: str = "AUTO"
    stdout_logfile_maxbytes: int = 50 * 1024 * 1024
    stdout_logfile_backups: int = 10
    stdout_capture_maxbytes: int = 0
    stdout_events_enabled: bool = False
    stdout_syslog: bool = False
    stderr_logfile: str = "AUTO"
    stderr_logfile_maxbytes: int = 50 * 1024 * 1024
    stderr_logfile_backups: int = 10
    stderr_capture_maxbytes: int = 0
    stderr_events_enabled: bool = False
    stderr_syslog: bool = False
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
    buffer_size: int = 10
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
    minfds: int = 1024
    minprocs: int = 200
    directory: str | None = None
    user: str | None = None
    umask: int = 0o22
    logfile: str = "supervisord.log"
    logfile_maxbytes: int = 50 * 1024 * 1024
    logfile_backups: int = 10
    loglevel: str = "info"
    pidfile: str = "supervisord.pid"
    identifier: str = "supervisor"
    nodaemon: bool = False
    silent: bool = False
    childlogdir: str = field(default_factory=system_tempdir)
    nocleanup: bool = False
    strip_ansi: bool = False
    environment: Mapping[str, str] = field(default_factory=dict)
    spans: Mapping[str, Span] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class UnixHttpServerConfig:
    """[unix_http_server]: the socket supervisorctl talks to."""

    section: str
    source: Span
    file: str
    chmod: int = 0o700
    chown: str | None = None
    username: str | None = None
    password: str | None = None
    spans: Mapping[str, Span] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class InetHttpServerConfig:
    """[inet_http_server]: the TCP port of the XML-RPC interface and web console."""

    section: str
    source: Span
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    spans: Mapping[str, Span] = field(default_factory=dict, compare=False)


HttpServerConfig = UnixHttpServerConfig | InetHttpServerConfig


@dataclass(frozen=True, slots=True)
class SupervisorctlConfig:
    """[supervisorctl]: where supervisorctl connects and how it logs in."""

    source: Span
    serverurl: str = "http://localhost:9001"
    username: str | None = None
    password: str | None = None
    prompt: str = "supervisor"
    history_file: str | None = None
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
