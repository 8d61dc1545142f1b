"""THE option table: every option of every section kind supervisord reads.

One row says an option's name, value type, default, which %(name)s expansions it may use, and
what it does. The loader, the linter, echo-conf, the JSON Schema, the YAML form and the docs all
read these rows; nothing else spells an option's type or default.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from supervisor_tools.options import dependencies as deps
from supervisor_tools.options import types as t
from supervisor_tools.options.readiness import readiness_rows
from supervisor_tools.options.types import ValueType

# startretries=-1: never give up (FATAL); supervisord itself gives up at the first failure.
UNLIMITED = -1

# -- which %(name)s names an option may use ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expansion:
    """The names an option's value may expand.

    `env` says which ENV_* names exist: "os" (the reader's environment), "sd" (plus
    [supervisord] environment), "own" (plus the program's own environment). `passes` is how
    often supervisord expands the value (2 means a literal % must be written %%%%).
    """

    names: tuple[str, ...]
    env: str = "sd"
    passes: int = 1

    def describe(self) -> str:
        if self.env == "none":
            return "nothing (not expanded)"
        env = {"os": "ENV_* (environment variables)",
               "sd": "ENV_* (environment variables and [supervisord] environment)",
               "own": "ENV_* (environment variables, [supervisord] environment and the "
                      "program's own environment)"}[self.env]
        return ", ".join([*self.names, env])


NO_EXPANSION = Expansion((), env="none")
SUPERVISORD = Expansion(("here",), env="os")
SUPERVISORD_ENV = Expansion(("here", "host_node_name"), env="os", passes=2)
INCLUDE = Expansion(("here", "host_node_name"), env="os")
UNIX_FILE = Expansion(("here",))
SERVER = Expansion(())
PLUGIN = Expansion(())
GROUP = Expansion(("here",))
SECTION = Expansion(("here", "program_name", "group_name", "host_node_name"))
PROCESS_ENV = Expansion(("here", "program_name", "group_name", "host_node_name",
                         "process_num", "numprocs"))
PROCESS = Expansion(PROCESS_ENV.names, env="own")
LOGFILE_NAME = Expansion(PROCESS_ENV.names, env="own", passes=2)
FCGI_SOCKET = Expansion(("here", "program_name"))
CTL_URL = Expansion(("here",), env="os")
CTL = Expansion((), env="os")


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One row of the table."""

    name: str
    type: ValueType
    default: Any  # the effective default, already converted; None means unset
    doc: str
    expansion: Expansion = SECTION
    required: bool = False
    example: str | None = None  # a sample value for echo-conf when there is no default
    level: str = "section"  # when supervisord reads it: "group", "section" or "process"
    # Left unset, the option takes the value this option of the same section has; `default`
    # is then what it is when that one is left at its own default.
    follows: str | None = None
    # Left unset (or set to the default word), supervisord computes the value: this says how.
    computed: str | None = None
    # An svtool extension: supervisord 4.3.0 ignores the key, so a config that must behave
    # the same under plain supervisord cannot rely on it (`svtool lint --target supervisord`).
    extension: bool = False
    # Values of a supervisord option that only svtool reads as meant (startretries=-1 retries
    # for ever under svtool; supervisord gives up at the first failure).
    extension_values: tuple[Any, ...] = ()

    @property
    def default_text(self) -> str | None:
        if self.default is None:
            return None
        return self.type.format(self.default)

    @property
    def default_doc(self) -> str | None:
        """What an unset option is, in words for docs and comments; None if it stays unset."""
        if self.default is None:
            return None
        text = self.default_text or "empty"
        if self.follows is not None:
            return f"the value of {self.follows}, {text} when that is unset"
        return f"{text}: {self.computed}" if self.computed is not None else text


def _o(name: str, type_: ValueType, default: Any, doc: str, **kw: Any) -> OptionSpec:
    return OptionSpec(name, type_, default, doc, **kw)


# -- [supervisord] ----------------------------------------------------------------------------

SUPERVISORD_OPTIONS = (
    _o("logfile", t.MAIN_LOGFILE, "supervisord.log",
       "supervisord's own activity log; `syslog` sends it to syslog", expansion=SUPERVISORD),
    _o("logfile_maxbytes", t.BYTES, 50 * t.MB,
       "size at which the activity log rotates; 0 never rotates", expansion=SUPERVISORD),
    _o("logfile_backups", t.INTEGER, 10,
       "rotated activity logs to keep; 0 keeps none", expansion=SUPERVISORD),
    _o("loglevel", t.LOGLEVEL, "info", "activity log level", expansion=SUPERVISORD),
    _o("pidfile", t.DIRPATH, "supervisord.pid", "where supervisord writes its pid",
       expansion=SUPERVISORD),
    _o("nodaemon", t.BOOLEAN, False, "run in the foreground", expansion=SUPERVISORD),
    _o("silent", t.BOOLEAN, False, "in the foreground, do not copy the log to stdout",
       expansion=SUPERVISORD),
    _o("minfds", t.INTEGER, 1024, "file descriptors that must be available at start",
       expansion=SUPERVISORD),
    _o("minprocs", t.INTEGER, 200, "process slots that must be available at start",
       expansion=SUPERVISORD),
    _o("umask", t.OCTAL, 0o22, "umask of supervisord", expansion=SUPERVISORD),
    _o("user", t.STRING, None, "switch to this user at start (needs root)",
       expansion=SUPERVISORD, example="supervisord"),
    _o("identifier", t.STRING, "supervisor", "identifier reported over RPC",
       expansion=SUPERVISORD),
    _o("directory", t.DIRECTORY, None, "directory to change into when daemonizing",
       expansion=SUPERVISORD, example="/tmp"),
    _o("nocleanup", t.BOOLEAN, False, "keep old AUTO child logs at start",
       expansion=SUPERVISORD),
    _o("childlogdir", t.DIRECTORY, t.system_tempdir(),
       "directory for AUTO child log files (default: the system's temporary directory)",
       expansion=SUPERVISORD),
    _o("strip_ansi", t.BOOLEAN, False, "remove ANSI escape sequences from child logs",
       expansion=SUPERVISORD),
    _o("childlog_format", t.CHILDLOG_FORMAT, "raw",
       "svtool: how child log files are written, unless a program says: raw, prefix "
       "(timestamp and process name before each line) or json (JSON lines); supervisord "
       "ignores it", expansion=SUPERVISORD, extension=True),
    _o("environment", t.ENVIRONMENT, {}, "KEY=\"value\" pairs added to every child's environment",
       expansion=SUPERVISORD_ENV, example='KEY="value"'),
    _o("exit_on_end", t.BOOLEAN, False,
       "container mode for every program: the exit_on_end of each [program:x] and "
       "[fcgi-program:x] that does not set its own", expansion=SUPERVISORD, extension=True),
)

# -- http servers, supervisorctl, plugins, include ----------------------------------------------

UNIX_HTTP_SERVER_OPTIONS = (
    _o("file", t.STRING, None, "path of the control socket", expansion=UNIX_FILE, required=True,
       example="/run/supervisor/supervisor.sock"),
    _o("chmod", t.OCTAL, 0o700, "permission bits of the socket file", expansion=SERVER),
    _o("chown", t.USERGROUP, None, "owner of the socket file: user or user:group",
       expansion=SERVER, example="nobody:nogroup"),
    _o("username", t.STRING, None, "user name clients must send", expansion=SERVER,
       example="user"),
    _o("password", t.STRING, None, "password clients must send (clear text or {SHA} + sha1 hex)",
       expansion=SERVER, example="123"),
)

INET_HTTP_SERVER_OPTIONS = (
    _o("port", t.INET_ADDRESS, None, "host:port to listen on (web console and XML-RPC)",
       expansion=SERVER, required=True, example="127.0.0.1:9001"),
    _o("username", t.STRING, None, "user name clients must send", expansion=SERVER,
       example="user"),
    _o("password", t.STRING, None, "password clients must send (clear text or {SHA} + sha1 hex)",
       expansion=SERVER, example="123"),
)

SUPERVISORCTL_OPTIONS = (
    _o("serverurl", t.URL, "http://localhost:9001",
       "URL of supervisord: unix:///path/to.sock or http://host:port", expansion=CTL_URL),
    _o("username", t.STRING, None, "user name sent to the server", expansion=CTL,
       example="chris"),
    _o("password", t.STRING, None, "password sent to the server", expansion=CTL, example="123"),
    _o("prompt", t.STRING, "supervisor", "interactive prompt", expansion=CTL),
    _o("history_file", t.STRING, None, "readline history file", expansion=CTL_URL,
       example="~/.sc_history"),
)

RPCINTERFACE_OPTIONS = (
    _o("supervisor.rpcinterface_factory", t.IMPORT_SPEC, None,
       "module:callable that builds the RPC namespace", expansion=PLUGIN, required=True,
       example="supervisor.rpcinterface:make_main_rpcinterface"),
)

CTLPLUGIN_OPTIONS = (
    _o("supervisor.ctl_factory", t.IMPORT_SPEC, None,
       "module:callable that builds the supervisorctl plugin", expansion=CTL, required=True,
       example="mypackage.ctl:make_plugin"),
)

INCLUDE_OPTIONS = (
    _o("files", t.STRING, None,
       "space-separated glob patterns of more config files, relative to this file",
       expansion=INCLUDE, required=True, example="conf.d/*.conf"),
)

GROUP_OPTIONS = (
    _o("programs", t.COMMA_LIST, (), "comma-separated program names in this group",
       expansion=GROUP, example="bar,baz"),
    _o("priority", t.INTEGER, 999, "start order of the group (lower starts first)",
       expansion=GROUP),
)

# -- [program:x] and the kinds built on it ------------------------------------------------------

PROGRAM_OPTIONS: tuple[OptionSpec, ...] = (
    _o("command", t.STRING, None, "the command to run (split like a shell, but no shell)",
       expansion=PROCESS, required=True, level="process", example="/bin/cat"),
    _o("process_name", t.STRING, "%(program_name)s",
       "process name expression; needs %(process_num) when numprocs > 1",
       expansion=PROCESS, level="process", computed="the program's name"),
    _o("numprocs", t.INTEGER, 1, "how many processes to start from this section"),
    _o("numprocs_start", t.INTEGER, 0, "first process_num"),
    _o("priority", t.INTEGER, 999, "start order (lower starts first, stops last)"),
    _o("autostart", t.BOOLEAN, True, "start when supervisord starts"),
    _o("startsecs", t.INTEGER, 1, "seconds a process must stay up to count as started"),
    _o("startretries", t.INTEGER, 3,
       "failed start attempts before giving up (FATAL); -1 retries for ever (svtool)",
       extension_values=(UNLIMITED,)),
    _o("backoffincrement", t.SECONDS, 1.0,
       "the first wait before a retry, and the seconds each next wait adds (supervisord's "
       "1 s, 2 s, 3 s...)",
       extension=True),
    _o("backoffmultiplier", t.FACTOR, 1.0,
       "above 1, each wait is the previous one times this instead of plus backoffincrement "
       "(2: 1 s, 2 s, 4 s...)",
       extension=True),
    _o("maxbackoff", t.SECONDS, 0.0, "the longest wait before a retry, in seconds; 0: no limit",
       extension=True),
    _o("backoffreset", t.SECONDS, 0.0,
       "seconds a process must stay up for the waits to start again from the first; an exit "
       "sooner after RUNNING waits like a failed start; 0: every RUNNING process is stable",
       extension=True),
    _o("autorestart", t.AUTORESTART, "unexpected",
       "restart after an exit from RUNNING: false, true or unexpected "
       "(exit code not in exitcodes)"),
    _o("exitcodes", t.EXITCODES, (0,), "exit codes that count as expected"),
    _o("stopsignal", t.SIGNAL, "TERM", "signal that asks the process to stop"),
    _o("stopwaitsecs", t.INTEGER, 10, "seconds to wait after stopsignal before SIGKILL"),
    _o("stopasgroup", t.BOOLEAN, False, "send stopsignal to the whole process group"),
    _o("killasgroup", t.BOOLEAN, False, "send SIGKILL to the whole process group",
       follows="stopasgroup"),
    _o("user", t.USER, None, "run as this user (supervisord must run as root)",
       example="chrism"),
    _o("redirect_stderr", t.BOOLEAN, False, "send stderr to the stdout log"),
    _o("stdout_logfile", t.LOGFILE, "AUTO", "stdout log: a path, AUTO or NONE",
       expansion=LOGFILE_NAME, level="process"),
    _o("stdout_logfile_maxbytes", t.BYTES, 50 * t.MB, "size at which the stdout log rotates",
       expansion=PROCESS, level="process"),
    _o("stdout_logfile_backups", t.INTEGER, 10, "rotated stdout logs to keep",
       expansion=PROCESS, level="process"),
    _o("stdout_capture_maxbytes", t.BYTES, 0,
       "buffer size of stdout capture mode; 0 disables it"),
    _o("stdout_events_enabled", t.BOOLEAN, False, "emit PROCESS_LOG_STDOUT events"),
    _o("stdout_syslog", t.BOOLEAN, False, "also send stdout to syslog",
       expansion=PROCESS, level="process"),
    _o("stderr_logfile", t.LOGFILE, "AUTO", "stderr log: a path, AUTO or NONE",
       expansion=LOGFILE_NAME, level="process"),
    _o("stderr_logfile_maxbytes", t.BYTES, 50 * t.MB, "size at which the stderr log rotates",
       expansion=PROCESS, level="process"),
    _o("stderr_logfile_backups", t.INTEGER, 10, "rotated stderr logs to keep",
       expansion=PROCESS, level="process"),
    _o("stderr_capture_maxbytes", t.BYTES, 0,
       "buffer size of stderr capture mode; 0 disables it"),
    _o("stderr_events_enabled", t.BOOLEAN, False, "emit PROCESS_LOG_STDERR events"),
    _o("stderr_syslog", t.BOOLEAN, False, "also send stderr to syslog",
       expansion=PROCESS, level="process"),
    _o("childlog_format", t.CHILDLOG_FORMAT, None,
       "svtool: how this program's log files are written: raw, prefix or json (default: "
       "[supervisord] childlog_format); supervisord ignores it", example="json", extension=True),
    _o("environment", t.ENVIRONMENT, {}, "KEY=\"value\" pairs added to the process environment",
       expansion=PROCESS_ENV, level="process", example='A="1",B="2"'),
    _o("directory", t.STRING, None, "directory to change into before exec",
       expansion=PROCESS, level="process", example="/tmp"),
    _o("umask", t.OCTAL, None, "umask of the process (default: inherit)", example="022"),
    _o("serverurl", t.STRING, "AUTO",
       "URL passed to the process as SUPERVISOR_SERVER_URL; AUTO computes it",
       computed="the first [unix_http_server] socket, else the last [inet_http_server]"),
    _o("exit_on_end", t.BOOLEAN, False,
       "container mode: when this process ends for good (exits without a restart, or goes "
       "FATAL), stop everything in order and exit with its exit code; unset: the value of "
       "[supervisord] exit_on_end", extension=True),
    # svtool's dependencies (docs/dependencies.md); supervisord 4.3.0 ignores these keys
    _o("dependent_startup", t.BOOLEAN, False,
       "svtool: start only once every dependent_startup_wait_for condition holds (the "
       "supervisord-dependent-startup plugin's switch)", extension=True),
    _o("dependent_startup_wait_for", deps.WAIT_FOR, (),
       "svtool: name:state words this program waits for before it is spawned (state: "
       "started, running/ready, exited; name: a program or group)",
       example="db:running migrate:exited", extension=True),
    _o("dependent_startup_inherit_priority", t.BOOLEAN, False,
       "svtool: order among programs ready at once by the lowest priority of this program "
       "and those it waits for", extension=True),
    _o("depends_on", deps.NAME_LIST, (),
       "svtool: programs or groups to spawn before this one (ochinchina/supervisord's key; "
       "order only, it never waits for them to run)", example="db, cache", extension=True),
)
# sd_notify, ready_log_line and the probes: options/readiness.py
READINESS_OPTIONS = readiness_rows(_o, PROCESS)
PROGRAM_OPTIONS += READINESS_OPTIONS

EVENTLISTENER_EXTRA = (
    _o("events", t.EVENTS, None, "event types the listener subscribes to",
       expansion=GROUP, required=True, level="group", example="PROCESS_STATE"),
    _o("buffer_size", t.IntegerType(minimum=1), 10, "events queued per pool before the oldest "
       "is dropped", expansion=GROUP, level="group"),
    _o("result_handler", t.IMPORT_SPEC, "supervisor.dispatchers:default_handler",
       "module:callable that interprets listener results", expansion=GROUP, level="group"),
)

FCGI_EXTRA = (
    _o("socket", t.STRING, None, "unix:///absolute/path or tcp://host:port shared by the pool",
       expansion=FCGI_SOCKET, required=True, level="group", example="unix:///var/run/app.sock"),
    _o("socket_backlog", t.IntegerType(minimum=1, maximum=65535), None,
       "listen() backlog of the socket", expansion=GROUP, level="group", example="1024"),
    _o("socket_owner", t.USERGROUP, None, "owner of a unix socket: user or user:group",
       expansion=GROUP, level="group", example="chrism:wheel"),
    _o("socket_mode", t.OCTAL, None, "permission bits of a unix socket (default 0700)",
       expansion=GROUP, level="group", example="0700"),
)


def _with_priority(rows: tuple[OptionSpec, ...], default: int) -> tuple[OptionSpec, ...]:
    out = []
    for r in rows:
        if r.name == "priority":
            r = replace(r, default=default)
        out.append(r)
    return tuple(out)


EVENTLISTENER_OPTIONS = _with_priority(PROGRAM_OPTIONS, -1) + EVENTLISTENER_EXTRA
FCGI_PROGRAM_OPTIONS = PROGRAM_OPTIONS + FCGI_EXTRA

TABLE: dict[str, tuple[OptionSpec, ...]] = {
    "supervisord": SUPERVISORD_OPTIONS,
    "unix_http_server": UNIX_HTTP_SERVER_OPTIONS,
    "inet_http_server": INET_HTTP_SERVER_OPTIONS,
    "supervisorctl": SUPERVISORCTL_OPTIONS,
    "program": PROGRAM_OPTIONS,
    "group": GROUP_OPTIONS,
    "eventlistener": EVENTLISTENER_OPTIONS,
    "fcgi-program": FCGI_PROGRAM_OPTIONS,
    "rpcinterface": RPCINTERFACE_OPTIONS,
    "include": INCLUDE_OPTIONS,
    "ctlplugin": CTLPLUGIN_OPTIONS,
}

SECTION_DOCS = {
    "supervisord": "global settings of the supervisord process (required)",
    "unix_http_server": "XML-RPC and web console on a unix socket",
    "inet_http_server": "XML-RPC and web console on a TCP port",
    "supervisorctl": "settings of the supervisorctl client",
    "program": "a program to run, as one or more processes",
    "group": "a named group of programs, controlled together",
    "eventlistener": "a pool of event listener processes",
    "fcgi-program": "a FastCGI program whose processes share one socket",
    "rpcinterface": "an XML-RPC namespace plugin",
    "include": "more config files to read",
    "ctlplugin": "a supervisorctl plugin",
}

_INDEX: dict[str, dict[str, OptionSpec]] = {
    kind: {row.name: row for row in rows} for kind, rows in TABLE.items()
}

# Section kinds written with a name after a colon, and those written bare.
NAMED_KINDS = ("program", "group", "eventlistener", "fcgi-program", "rpcinterface", "ctlplugin")
BARE_KINDS = ("supervisord", "supervisorctl", "include")
PREFIX_KINDS = ("unix_http_server", "inet_http_server")  # any name starting with these


def section_kind(section_name: str) -> str | None:
    """The kind of a section name as supervisord recognizes it, or None if it ignores it."""
    if section_name in BARE_KINDS:
        return section_name
    for kind in PREFIX_KINDS:
        if section_name.startswith(kind):
            return kind
    for kind in NAMED_KINDS:
        if section_name.startswith(kind + ":"):
            return kind
    return None


def options_for(kind: str) -> dict[str, OptionSpec]:
    return _INDEX[kind]


def spec(kind: str, name: str) -> OptionSpec | None:
    return _INDEX.get(kind, {}).get(name)
