"""How each process option becomes Compose service keys: the mapping, as data.

Every option of [program:x], [eventlistener:x] and [fcgi-program:x] has one row (a test checks
it); docs/compose.md shows these rows. A row names the writer that fills its keys; a `lost`
row without one is reported, with its source position, whenever the config sets the option to
something other than its default. A new option is one more row here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from supervisor_tools.convert import compose_probes as probes
from supervisor_tools.convert.compose_service import Service, Writer, escape, key_writer
from supervisor_tools.convert.container_rows import output_rows
from supervisor_tools.convert.kubernetes_programs import set_by_config
from supervisor_tools.options.command import split_command
from supervisor_tools.options.readiness import PROBE_TIMING, probe_key

Kind = Literal["mapped", "approximate", "structural", "lost"]


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
_BACKOFF = "Docker restarts with its own back-off (doubling from 100 ms); no service key sets it"


def _probe_rows() -> dict[str, Decision]:
    """The readiness probe becomes the healthcheck (its exec row writes it); a liveness probe
    is lost whole."""
    how = ("Docker keeps checking a healthy container and only marks it unhealthy: the check "
           "never fails the start or restarts it, as svtool's failure_threshold does")
    rows = {
        "readiness_probe_exec": Decision("approximate", "healthcheck.test: [CMD-SHELL, command]",
                                         f"run by the image's /bin/sh, `$` written `$$`; {how}",
                                         probes.write_healthcheck),
        "readiness_probe_http_get": _lost(probes.NEEDS_CLIENT),
        "readiness_probe_tcp_socket": _lost(probes.NEEDS_CLIENT),
    }
    keys = {"initial_delay_seconds": ("healthcheck.start_period", "failures in this time do "
                                      "not count (Docker checks during it too); 0 is not "
                                      "written"),
            "period_seconds": ("healthcheck.interval", "`Ns`"),
            "timeout_seconds": ("healthcheck.timeout", "`Ns`"),
            "success_threshold": ("healthcheck", "one success makes a container healthy: "
                                  "another value is reported"),
            "failure_threshold": ("healthcheck.retries", "consecutive failures that make it "
                                  "unhealthy")}
    for field, _default, _minimum in PROBE_TIMING:
        key, note = keys[field]
        kind: Kind = "approximate" if field == "success_threshold" else "mapped"
        rows[probe_key("readiness", field)] = Decision(
            kind, key, f"{note}; with an exec probe (else reported with it)")
    for field in ("exec", "http_get", "tcp_socket", *keys):
        rows[probe_key("liveness", field)] = Decision("lost", "", probes.NO_RESTART,
                                                      probes.write_liveness)
    return rows


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
    "dependent_startup": Decision("structural", "deploy.replicas", "the program starts "
                                  "(replicas = numprocs) even with autostart=false, as svtool "
                                  "starts it once its waits hold"),
    "dependent_startup_wait_for": Decision(
        "mapped", "depends_on: condition", "with dependent_startup=true: started → "
        "service_started, running or ready → service_healthy when every service of the target "
        "has a healthcheck (else service_started, reported), exited → "
        "service_completed_successfully; a group → each of its programs; backoff, stopping, "
        "fatal, a choice of several states (one condition per service) and cycles are "
        "reported"),
    "dependent_startup_inherit_priority": Decision("lost", "", "Compose starts services in no "
                                                   "order beyond depends_on (reported only "
                                                   "with dependent_startup=true)",
                                                   probes.write_inherit_priority),
    "depends_on": Decision("mapped", "depends_on: condition: service_started, required: "
                           "false", "each named program (each program of a named group); "
                           "required: false, as svtool never waits for a program that is not "
                           "going to start"),
    "sd_notify": _lost("Compose passes no NOTIFY_SOCKET: a container without a healthcheck "
                       "counts as started once it runs"),
    "watchdogsecs": _lost("Docker has no watchdog, and restarts no unhealthy container"),
    "ready_log_line": _lost("Docker reads no container output for health"),
    "readytimeoutsecs": _lost("a healthcheck never fails a start: the container just stays "
                              "starting or unhealthy"),
    **_probe_rows(),
    "exit_on_end": _lost("ending every service when one ends is `docker compose up "
                         "--abort-on-container-exit --exit-code-from SERVICE`, not a file key"),
    "autostart": Decision("structural", "deploy.replicas: 0", "autostart=false (without "
                          "dependent_startup): scaled to 0"),
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
    **output_rows(_lost, _LOGS, _ROTATION, _EVENTS),
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
