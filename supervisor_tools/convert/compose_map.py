"""How each process option becomes Compose service keys: the mapping, as data.

Every option of [program:x], [eventlistener:x] and [fcgi-program:x] has one row (a test checks
it); docs/compose.md shows these rows. A row names the writer that fills its keys; a `lost`
row without one is reported, with its source position, whenever the config sets the option to
something other than its default. A new option is one more row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from supervisor_tools.convert.kubernetes_programs import Program, Report, set_by_config, shown
from supervisor_tools.model.model import ProcessConfig
from supervisor_tools.options.command import split_command
from supervisor_tools.options.table import READINESS_OPTIONS

Kind = Literal["mapped", "approximate", "structural", "lost"]


def escape(text: str) -> str:
    """`text` as a Compose value: Compose interpolates `$VAR` and `${VAR}`, `$$` is a `$`."""
    return text.replace("$", "$$")


@dataclass(slots=True)
class Service:
    """One service being written: what the writers fill in."""

    prog: Program
    p: ProcessConfig  # the process (every replica runs the same)
    keys: dict[str, Any]
    report: Report

    def lose(self, option: str, why: str) -> None:
        text = shown(self.p.kind, option, getattr(self.p, option))
        self.report.lose(self.p.span_of(option), f"{self.prog.section} {option}={text}: {why}",
                         key=option)


Writer = Callable[[Service], None]


def key_writer(key: str, value_of: Callable[[ProcessConfig], Any]) -> Writer:
    """A writer that sets the service's `key` to what `value_of` gives for its process, unless
    None: an option that maps to one key is one MAPPING row with such a writer."""

    def write(s: Service) -> None:
        value = value_of(s.p)
        if value is not None:
            s.keys[key] = value

    return write


@dataclass(frozen=True, slots=True)
class Decision:
    kind: Kind
    field: str  # the keys it becomes ("" when lost)
    note: str  # how, or why it is lost
    write: Writer | None = None


def _command(s: Service) -> None:
    words = split_command(s.p.command)  # checked by the caller, with its position
    s.keys["entrypoint"] = [escape(words[0])]
    if words[1:]:
        s.keys["command"] = [escape(w) for w in words[1:]]


def _environment(s: Service) -> None:
    if s.p.environment:
        s.keys["environment"] = {k: escape(v) for k, v in s.p.environment.items()}


def _user(s: Service) -> None:
    found = s.prog.user()
    if found is not None:
        s.keys["user"] = found[0]


def _autorestart(s: Service) -> None:
    p = s.p
    if p.autorestart is True:
        s.keys["restart"] = "always"
    elif p.autorestart is False:
        s.keys["restart"] = "no"
    else:
        s.keys["restart"] = "on-failure"
        if set(p.exitcodes) != {0} and (set_by_config(p, "exitcodes")
                                        or set_by_config(p, "autorestart")):
            s.lose("exitcodes", "Compose restarts on any non-zero exit (on-failure); it "
                                "cannot tell expected exit codes")


def _lost(note: str) -> Decision:
    return Decision("lost", "", note)


_LOGS = "a container's output goes to its logging driver (docker compose logs); no file"
_ROTATION = "the logging driver rotates (logging.options max-size, max-file)"
_EVENTS = "Compose has no supervisor event protocol"
_ORDER = "not yet carried to depends_on"
_PROBES = "not yet carried to healthcheck"
_BACKOFF = "Docker restarts with its own back-off (doubling from 100 ms); no service key sets it"

MAPPING: dict[str, Decision] = {
    "command": Decision("mapped", "entrypoint, command", "split as supervisord splits it (no "
                        "shell); the image's ENTRYPOINT and CMD are replaced; `$` written `$$`",
                        _command),
    "process_name": Decision("structural", "service names", "services are named by program; "
                             "processes that differ get one service each"),
    "numprocs": Decision("structural", "deploy.replicas", "processes that differ (by "
                         "%(process_num)s) become one service each"),
    "numprocs_start": Decision("structural", "service names", "numbers the per-process "
                               "services"),
    "priority": _lost("Compose starts services in no order without depends_on"),
    "backoffincrement": _lost(_BACKOFF),
    "backoffmultiplier": _lost(_BACKOFF),
    "maxbackoff": _lost(_BACKOFF),
    "backoffreset": _lost(_BACKOFF),
    "dependent_startup": _lost(_ORDER),
    "dependent_startup_wait_for": _lost(_ORDER),
    "dependent_startup_inherit_priority": _lost(_ORDER),
    "depends_on": _lost(_ORDER),
    **{row.name: _lost(_PROBES) for row in READINESS_OPTIONS},
    "exit_on_end": _lost("ending every service when one ends is `docker compose up "
                         "--abort-on-container-exit --exit-code-from SERVICE`, not a file key"),
    "autostart": Decision("structural", "deploy.replicas: 0", "autostart=false: scaled to 0"),
    "startsecs": _lost("Compose has no time after which a start counts as successful"),
    "startretries": _lost("Docker restarts by the restart policy, with its own back-off"),
    "autorestart": Decision("mapped", "restart", "true → always, false → no, unexpected → "
                            "on-failure", _autorestart),
    "exitcodes": Decision("approximate", "restart: on-failure", "on-failure restarts on every "
                          "non-zero exit: listed codes other than 0 are lost"),
    "stopsignal": Decision("mapped", "stop_signal", "SIGNAME, always written (an image's "
                           "STOPSIGNAL would win otherwise)",
                           key_writer("stop_signal", lambda p: f"SIG{p.stopsignal}")),
    "stopwaitsecs": Decision("mapped", "stop_grace_period", "always written (`10s`)",
                             key_writer("stop_grace_period", lambda p: f"{p.stopwaitsecs}s")),
    "stopasgroup": _lost("Docker signals the container's main process only"),
    "killasgroup": Decision("approximate", "—", "the runtime kills every process of the "
                            "container when the grace period ends"),
    "user": Decision("mapped", "user", "also taken from [supervisord] user when the program "
                     "sets none; a name is looked up in the image", _user),
    "redirect_stderr": Decision("approximate", "—", "stdout and stderr both go to the "
                                "logging driver"),
    "childlog_format": _lost(_LOGS),
    "stdout_logfile": _lost(_LOGS),
    "stdout_logfile_maxbytes": _lost(_ROTATION),
    "stdout_logfile_backups": _lost(_ROTATION),
    "stdout_capture_maxbytes": _lost(_EVENTS),
    "stdout_events_enabled": _lost(_EVENTS),
    "stdout_syslog": _lost(_LOGS),
    "stderr_logfile": _lost(_LOGS),
    "stderr_logfile_maxbytes": _lost(_ROTATION),
    "stderr_logfile_backups": _lost(_ROTATION),
    "stderr_capture_maxbytes": _lost(_EVENTS),
    "stderr_events_enabled": _lost(_EVENTS),
    "stderr_syslog": _lost(_LOGS),
    "environment": Decision("mapped", "environment", "[supervisord] environment included; `$` "
                            "written `$$`", _environment),
    "directory": Decision("mapped", "working_dir", "the directory the process starts in",
                          key_writer("working_dir", lambda p: p.directory)),
    "umask": _lost("Compose sets no umask"),
    "serverurl": _lost("there is no supervisord to talk to (SUPERVISOR_SERVER_URL)"),
    "events": _lost(_EVENTS + "; the listener runs as a plain service"),
    "buffer_size": _lost(_EVENTS),
    "result_handler": _lost(_EVENTS),
    "socket": _lost("Compose passes no listening socket as stdin; publish a port instead"),
    "socket_backlog": _lost("no socket is created"),
    "socket_owner": _lost("no socket is created"),
    "socket_mode": _lost("no socket is created"),
}

GROUP_MAPPING: dict[str, Decision] = {
    "programs": Decision("structural", "label app.kubernetes.io/part-of", "on every member's "
                         "service"),
    "priority": _lost("Compose starts services in no order without depends_on"),
}


def markdown_table() -> str:
    """The mapping as the Markdown table docs/compose.md shows (one row per option)."""
    rows = ["| option | becomes | kind | how / why |", "|---|---|---|---|"]
    for name, d in [*MAPPING.items(), *((f"[group] {k}", v) for k, v in GROUP_MAPPING.items())]:
        note = d.note.replace("|", "\\|")
        fields = d.field.replace("|", "\\|") or "—"
        rows.append(f"| `{name}` | {fields} | {d.kind} | {note} |")
    return "\n".join(rows) + "\n"
