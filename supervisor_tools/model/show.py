"""Render the model for people (`svtool show`) and as JSON (`svtool show --json`).

The JSON shape is a contract (docs/show-json.md): converters, the runtime and the tests use it.
"""

from __future__ import annotations

from typing import Any

from supervisor_tools.model.model import (
    GroupConfig,
    InetHttpServerConfig,
    Model,
    ProcessConfig,
    SupervisordConfig,
)
from supervisor_tools.options.table import options_for

# The per-process keys of the JSON shape, in the order shown: every [program:x] option
# supervisord keeps per process, except process_name (it is the process's "name").
PROCESS_KEYS = tuple(
    name for name in options_for("program") if name not in ("process_name",)
)
SUPERVISORD_KEYS = tuple(options_for("supervisord"))


def process_json(p: ProcessConfig) -> dict[str, Any]:
    out: dict[str, Any] = {"name": p.name, "program": p.program, "group": p.group,
                           "source": f"{p.source.file}:{p.source.line}"}
    for key in PROCESS_KEYS:
        value = getattr(p, key)
        if key == "exitcodes":
            value = list(value)
        elif key == "environment":
            value = dict(value)
        out[key] = value
    return out


def group_json(g: GroupConfig) -> dict[str, Any]:
    out: dict[str, Any] = {"name": g.name, "kind": g.kind, "priority": g.priority,
                           "source": f"{g.source.file}:{g.source.line}",
                           "processes": [process_json(p) for p in g.processes]}
    if g.kind == "eventlistener":
        out.update(events=sorted(g.events), buffer_size=g.buffer_size,
                   result_handler=g.result_handler)
    if g.kind == "fcgi-program":
        out.update(socket=g.socket, socket_backlog=g.socket_backlog, socket_mode=g.socket_mode)
    return out


def supervisord_json(sd: SupervisordConfig) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in SUPERVISORD_KEYS:
        value = getattr(sd, key)
        out[key] = dict(value) if key == "environment" else value
    return out


def model_json(model: Model) -> dict[str, Any]:
    servers: list[dict[str, Any]] = []
    for s in model.servers:
        if isinstance(s, InetHttpServerConfig):
            servers.append({"section": s.section, "kind": "inet", "host": s.host, "port": s.port,
                            "username": s.username, "password": s.password})
        else:
            servers.append({"section": s.section, "kind": "unix", "file": s.file,
                            "chmod": s.chmod, "username": s.username, "password": s.password})
    return {
        "supervisord": None if model.supervisord is None else supervisord_json(model.supervisord),
        "groups": [group_json(g) for g in model.groups],
        "servers": servers,
    }


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def _log(p: ProcessConfig, stream: str) -> str:
    path: str = getattr(p, f"{stream}_logfile")
    if stream == "stderr" and p.redirect_stderr:
        return "(redirected to stdout)"
    if path in ("AUTO", "NONE"):
        return path
    size = getattr(p, f"{stream}_logfile_maxbytes")
    backups = getattr(p, f"{stream}_logfile_backups")
    return f"{path} (rotate at {size} bytes, keep {backups})"


def model_text(model: Model) -> str:
    """A readable summary: each group, its processes, and what they will run."""
    lines: list[str] = []
    sd = model.supervisord
    if sd is not None:
        lines.append(f"supervisord: log {sd.logfile} ({sd.loglevel}), pid {sd.pidfile}, "
                     f"{'foreground' if sd.nodaemon else 'daemon'}")
    for s in model.servers:
        if isinstance(s, InetHttpServerConfig):
            where = f"http://{s.host or '*'}:{s.port}"
        else:
            where = f"unix://{s.file}"
        auth = "auth" if s.username else "no auth"
        lines.append(f"server [{s.section}]: {where} ({auth})")
    if model.fragment:
        lines.append("(fragment: no [supervisord] section)")
    for g in model.groups:
        lines.append("")
        lines.append(f"{g.kind} group {g.name!r} (priority {g.priority}, "
                     f"{len(g.processes)} process{'es' if len(g.processes) != 1 else ''})")
        if g.kind == "eventlistener":
            lines.append(f"  events: {', '.join(g.events)}; buffer_size {g.buffer_size}")
        if g.socket:
            lines.append(f"  socket: {g.socket}")
        for p in g.processes:
            lines.append(f"  {p.group}:{p.name}  [{p.source}]")
            lines.append(f"    command:     {p.command}")
            lines.append(f"    directory:   {_fmt(p.directory)}")
            lines.append(f"    user:        {_fmt(p.user)}")
            lines.append(f"    autostart:   {_fmt(p.autostart)}   autorestart: "
                         f"{_fmt(p.autorestart)}   exitcodes: {_fmt(p.exitcodes)}")
            lines.append(f"    stop:        SIG{p.stopsignal}, wait {p.stopwaitsecs}s"
                         f"{', as group' if p.stopasgroup else ''}")
            lines.append(f"    stdout log:  {_log(p, 'stdout')}")
            lines.append(f"    stderr log:  {_log(p, 'stderr')}")
            lines += _health(p)
            if p.environment:
                lines.append("    environment: " + ", ".join(
                    f"{k}={v}" for k, v in p.environment.items()))
    return "\n".join(lines).lstrip("\n") + "\n"


def _probe(p: ProcessConfig, kind: str) -> str | None:
    for method, words in (("exec", "command"), ("http_get", "GET"), ("tcp_socket", "connect")):
        target = getattr(p, f"{kind}_probe_{method}")
        if target is not None:
            period = getattr(p, f"{kind}_probe_period_seconds")
            return f"{kind} probe: {words} {target} every {period}s"
    return None


def _health(p: ProcessConfig) -> list[str]:
    """The readiness and liveness lines of a process (none for one without those options)."""
    ready = [w for w in ("READY=1 (sd_notify)" if p.sd_notify else None,
                         f"a line matching {p.ready_log_line!r}" if p.ready_log_line else None,
                         _probe(p, "readiness")) if w]
    alive = [w for w in (f"WATCHDOG=1 every {p.watchdogsecs}s" if p.sd_notify and p.watchdogsecs
                         else None, _probe(p, "liveness")) if w]
    lines = []
    if ready:
        timeout = f"{p.readytimeoutsecs}s" if p.readytimeoutsecs else "no limit"
        lines.append(f"    ready when:  {' or '.join(ready)} (timeout {timeout})")
    if alive:
        lines.append(f"    alive while: {' and '.join(alive)}")
    return lines
