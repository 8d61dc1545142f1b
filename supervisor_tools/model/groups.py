"""Process groups and their processes: [group:x], [program:x], [eventlistener:x], [fcgi-program:x].

Each program section becomes one process per process_num (numprocs), with supervisord's
expansion names and checks, in supervisord's order.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any

from supervisor_tools.errors import Span
from supervisor_tools.model.expand import ExpansionError
from supervisor_tools.model.model import GroupConfig, ProcessConfig
from supervisor_tools.model.reader import Reader, Skip, code_of, importable
from supervisor_tools.options import types as t
from supervisor_tools.options.table import GROUP, PROCESS, options_for

# Building a process costs time and memory; supervisord would hang on numprocs=100000000.
MAX_NUMPROCS = 10_000


def build_groups(r: Reader) -> list[GroupConfig]:
    groups: list[GroupConfig] = []
    sections = list(r.raw.sections)
    in_group: set[str] = set()
    group_names = r.names(r.env_sd, here=r.here)

    for section in sections:
        if not section.startswith("group:"):
            continue
        gname = r.check_name(section, section.split(":", 1)[1])
        spans: dict[str, Span] = {}
        programs = r.read_opt(section, "group", "programs", group_names, spans)
        priority = r.read_opt(section, "group", "priority", group_names, spans)
        processes: list[ProcessConfig] = []
        pspan = r.value_span(section, "programs")
        for program in programs:
            psec, fsec = f"program:{program}", f"fcgi-program:{program}"
            if psec not in r.raw.sections and fsec not in r.raw.sections:
                r.error(pspan, f"[{section}] names unknown program or fcgi-program "
                                  f"{program!r}", "group-unknown-program")
                continue
            if psec in r.raw.sections and fsec in r.raw.sections:
                r.error(pspan, f"[{section}] name {program!r} is ambiguous (exists as "
                                  "program and fcgi-program)", "group-ambiguous")
                continue
            member = psec if psec in r.raw.sections else fsec
            in_group.add(member)
            kind = "program" if member == psec else "fcgi-program"
            processes.extend(program_processes(r, member, kind, gname))
        groups.append(GroupConfig(gname, "group", priority, tuple(processes),
                                  r.header_span(section), spans=spans))

    for section in sections:
        if not section.startswith("program:") or section in in_group:
            continue
        name = r.check_name(section, section.split(":", 1)[1])
        spans = {}
        priority = r.read_opt(section, "program", "priority", group_names, spans)
        procs = program_processes(r, section, "program", name)
        groups.append(GroupConfig(name, "program", priority, tuple(procs),
                                  r.header_span(section), spans=spans))

    for section in sections:
        if section.startswith("eventlistener:"):
            groups.append(listener_pool(r, section, group_names))

    for section in sections:
        if section.startswith("fcgi-program:") and section not in in_group:
            groups.append(fcgi_group(r, section, group_names))

    groups.sort(key=lambda g: (g.priority, g.name))
    return groups


def listener_pool(r: Reader, section: str, names: Mapping[str, Any]) -> GroupConfig:
    kind = "eventlistener"
    pool = section.split(":", 1)[1]
    spans: dict[str, Span] = {}
    priority = r.read_opt(section, kind, "priority", names, spans)
    buffer_size = r.read_opt(section, kind, "buffer_size", names, spans)
    handler = r.read_opt(section, kind, "result_handler", names, spans)
    if r.host and not importable(handler):
        r.error(r.value_span(section, "result_handler"),
                   f"{handler} cannot be resolved within [{section}]", "import")
    events: tuple[str, ...] = ()
    if not (r.text(section, "events") or "").strip(" ,") and \
            not r.text(section, "events"):
        r.error(r.header_span(section), f"[{section}] requires an events line",
                   "missing-required")
    else:
        events = r.read_opt(section, kind, "events", names, spans) or ()
    redirect = r.read_opt(section, kind, "redirect_stderr", names, spans)
    if redirect:
        r.error(r.value_span(section, "redirect_stderr"),
                   f"[{section}] sets redirect_stderr=true, which is not allowed for an "
                   "event listener (it would interfere with the protocol)",
                   "listener-redirect")
    procs = program_processes(r, section, kind, pool)
    return GroupConfig(pool, "eventlistener", priority, tuple(procs),
                       r.header_span(section), events=events,
                       buffer_size=buffer_size, result_handler=handler, spans=spans)


def fcgi_group(r: Reader, section: str, names: Mapping[str, Any]) -> GroupConfig:
    kind = "fcgi-program"
    name = r.check_name(section, section.split(":", 1)[1])
    spans: dict[str, Span] = {}
    priority = r.read_opt(section, kind, "priority", names, spans)
    user_spec = options_for(kind)["user"]
    with contextlib.suppress(Skip):
        r.get(section, user_spec, names, rule=GROUP)
    backlog = r.read_opt(section, kind, "socket_backlog", names, spans)
    owner = r.read_opt(section, kind, "socket_owner", names, spans)
    mode = r.read_opt(section, kind, "socket_mode", names, spans)
    socket: str | None = None
    sock_spec = options_for(kind)["socket"]
    try:
        socket = r.get(section, sock_spec, r.names(r.env_sd, here=r.here,
                                                          program_name=name), spans=spans)
    except Skip:
        socket = None
    else:
        if not socket:
            r.error(r.header_span(section), f"[{section}] requires a socket line",
                       "missing-required")
        elif (section, "socket") in r.stood_in:
            pass  # its form depends on a variable not set here: kept as written
        else:
            socket = fcgi_socket(r, section, socket, owner, mode)
            if socket and socket.startswith("unix://") and mode is None:
                mode = 0o700  # supervisord's mode for a unix socket it creates
    procs = program_processes(r, section, kind, name)
    return GroupConfig(name, "fcgi-program", priority, tuple(procs),
                       r.header_span(section), socket=socket, socket_backlog=backlog,
                       socket_owner=owner, socket_mode=mode, spans=spans)


def fcgi_socket(r: Reader, section: str, sock: str, owner: str | None,
                mode: int | None) -> str | None:
    span = r.value_span(section, "socket")
    if sock.startswith("unix://"):
        path = sock[7:]
        if not os.path.isabs(path):
            r.error(span, f"[{section}] socket: unix socket path {path} is not absolute",
                       "fcgi-socket")
            return None
        return "unix://" + os.path.normpath(os.path.abspath(os.path.expanduser(path)))
    if owner is not None or mode is not None:
        r.error(span, f"[{section}] socket: socket_owner and socket_mode can only be "
                         "used with a unix socket", "fcgi-socket")
        return None
    m = re.match(r"tcp://([^\s:]+):(\d+)$", sock)
    if m:
        try:
            port = t.port_number(m.group(2))
        except ValueError as exc:
            r.error(span, f"[{section}] socket: {exc}", "fcgi-socket")
            return None
        return f"tcp://{m.group(1).lower()}:{port}"
    r.error(span, f"[{section}] socket: bad socket format {sock!r} (use "
                     "unix:///absolute/path or tcp://host:port)", "fcgi-socket")
    return None


def program_processes(r: Reader, section: str, kind: str, group_name: str) -> list[ProcessConfig]:
    program = r.check_name(section, section.split(":", 1)[1])
    common = r.names(r.env_sd, here=r.here, program_name=program,
                        host_node_name=r.node, group_name=group_name)
    spans: dict[str, Span] = {}
    opt, many = _option_reader(r, section, kind, common, spans)

    values: dict[str, Any] = {}
    # A listener pool's priority defaults to -1, but each process's to a program's 999.
    values["priority"] = opt("priority", options_for("program")["priority"].default)
    rows = options_for(kind)
    for name in ("autostart", "autorestart", "startsecs", "startretries",
                 "stopsignal", "stopwaitsecs", "stopasgroup", "killasgroup",
                 "exitcodes", "redirect_stderr", "numprocs", "numprocs_start",
                 "stdout_capture_maxbytes", "stdout_events_enabled",
                 "stderr_capture_maxbytes", "stderr_events_enabled"):
        follows = rows[name].follows
        values[name] = opt(name) if follows is None else opt(name, values[follows])
    values.update(many(_SECTION_EXTENSIONS))
    values["exit_on_end"] = opt("exit_on_end", kind != "eventlistener" and sd_exit_on_end(r))
    serverurl = opt("serverurl")
    # the row's default word (AUTO) asks supervisord to compute the URL: the model says None
    auto = rows["serverurl"].default
    values["serverurl"] = None if serverurl.strip().upper() == auto else serverurl
    values["user"] = opt("user")
    values["umask"] = opt("umask")
    raw_name = r.text(section, "process_name")
    if raw_name is None:
        raw_name = rows["process_name"].default
    else:
        spans["process_name"] = r.value_span(section, "process_name")
        for ch in " :/":
            if ch in raw_name.strip():
                r.error(spans["process_name"], f"[{section}] process_name "
                           f"{raw_name!r} contains {ch!r}", "name")
                break
    raw_name = raw_name.strip()
    numprocs = values["numprocs"]
    if numprocs > 1 and "%(process_num)" not in raw_name:
        r.error(spans.get("process_name", spans.get("numprocs", r.header_span(section))),
                   f"[{section}] numprocs is {numprocs} but process_name does not contain "
                   "%(process_num)s", "numprocs-name")
    if values["stopasgroup"] and not values["killasgroup"]:
        r.error(spans.get("killasgroup", r.header_span(section)),
                   f"[{section}] cannot set stopasgroup=true and killasgroup=false",
                   "stopasgroup-killasgroup")
    if numprocs > MAX_NUMPROCS:
        r.error(spans.get("numprocs", r.header_span(section)),
                   f"[{section}] numprocs {numprocs} is more than svtool supports "
                   f"({MAX_NUMPROCS})", "numprocs-limit")
        return []
    env_text = r.text(section, "environment")
    start = values["numprocs_start"]
    procs = [process(r, section, kind, program, group_name, num, dict(common), values,
                          env_text, raw_name, dict(spans))
             for num in range(start, start + numprocs)]
    procs.sort(key=lambda p: (p.priority, p.name))
    return procs


# svtool's extension rows (restart policy, readiness, dependencies, log format), read together:
# most programs write none of them. exit_on_end is read on its own: unset, it is the
# [supervisord] value.
_EXTENSIONS = [row for row in options_for("program").values()
               if row.extension and row.name != "exit_on_end"]
_SECTION_EXTENSIONS = tuple(row.name for row in _EXTENSIONS if row.level != "process")
_PROCESS_EXTENSIONS = tuple(row.name for row in _EXTENSIONS if row.level == "process")


Many = Callable[[tuple[str, ...]], Iterable[tuple[str, Any]]]


@cache
def _row_defaults(kind: str, names: tuple[str, ...]) -> tuple[tuple[str, Any], ...]:
    specs = options_for(kind)
    return tuple((name, specs[name].default) for name in names)


def sd_exit_on_end(r: Reader) -> bool:
    """[supervisord] exit_on_end: what a program's exit_on_end is when it sets none."""
    own = r.raw.sections.get("supervisord")
    if own is None or ("exit_on_end" not in own.options and "exit_on_end" not in r.raw.defaults):
        return False
    names = r.names(r.env_os, here=r.here)
    return bool(r.read_opt("supervisord", "supervisord", "exit_on_end", names, {}))


def _option_reader(r: Reader, section: str, kind: str, names: Mapping[str, Any],
                   spans: dict[str, Span]) -> tuple[Callable[..., Any], Many]:
    """Reader.read_opt for one section, with its lookups done once: every process reads some
    sixty options this way; and the same for several options at once."""
    specs = options_for(kind)
    get = r.get
    own = r.raw.sections[section].options
    defaults = r.raw.defaults

    def opt(name: str, default: Any = None) -> Any:
        spec = specs[name]
        if name not in own and name not in defaults:
            # not written: what Reader.get would answer, without the call (about half of the
            # options of a typical program are left out)
            return spec.default if default is None else default
        try:
            return get(section, spec, names, default, spans=spans)
        except Skip:
            return spec.default if default is None else default

    def many(option_names: tuple[str, ...]) -> Iterable[tuple[str, Any]]:
        """(name, opt(name)) for each name: the rows' defaults at once when none is written."""
        if own.keys().isdisjoint(option_names) and defaults.keys().isdisjoint(option_names):
            return _row_defaults(kind, option_names)
        return [(name, opt(name)) for name in option_names]

    return opt, many


def process(r: Reader, section: str, kind: str, program: str, group_name: str, num: int,
            names: dict[str, Any], values: dict[str, Any], env_text: str | None,
            raw_name: str, spans: dict[str, Span]) -> ProcessConfig:
    names.update(process_num=num, numprocs=values["numprocs"])
    env: dict[str, str] = {}
    if env_text is not None:
        span = r.value_span(section, "environment")
        spans["environment"] = span
        stood_in = False
        try:
            text, stood_in = r.expand(env_text, names, f"[{section}] environment",
                                      options_for(kind)["environment"].expansion, span)
            env = t.environment_pairs(text)
        except ValueError as exc:
            if not stood_in:  # else the text is not known here
                r.error(span, f"[{section}] environment: {exc}", code_of(exc))
    for k, v in env.items():
        names["ENV_" + k] = v

    opt, many = _option_reader(r, section, kind, names, spans)

    proc: dict[str, Any] = dict(values)
    proc["directory"] = opt("directory")
    proc.update(many(_PROCESS_EXTENSIONS))
    for stream in ("stdout", "stderr"):
        logfile = opt(f"{stream}_logfile")
        proc[f"{stream}_logfile_backups"] = opt(f"{stream}_logfile_backups")
        maxbytes = opt(f"{stream}_logfile_maxbytes")
        proc[f"{stream}_logfile_maxbytes"] = maxbytes
        proc[f"{stream}_syslog"] = opt(f"{stream}_syslog")
        span = spans.get(f"{stream}_logfile", r.header_span(section))
        if logfile == "syslog":
            r.warn(span, f"[{section}] {stream}_logfile=syslog is deprecated; use "
                            f"{stream}_syslog=true", "deprecated-syslog")
            logfile = "NONE"
            proc[f"{stream}_syslog"] = True
        # with redirect_stderr=true there is no stderr log, AUTO or not
        redirected = stream == "stderr" and values["redirect_stderr"]
        if logfile == "AUTO" and not maxbytes and not redirected:
            r.warn(span, f"[{section}] AUTO {stream}_logfile without rotation "
                            f"({stream}_logfile_maxbytes=0) can fill the disk",
                      "auto-log-no-rotation")
        proc[f"{stream}_logfile"] = logfile
    if values["redirect_stderr"]:
        if proc["stderr_logfile"] not in ("AUTO", "NONE"):
            r.warn(spans.get("stderr_logfile", r.header_span(section)),
                      f"[{section}] stderr_logfile is ignored because redirect_stderr=true",
                      "redirect-stderr-logfile")
        proc["stderr_logfile"] = "NONE"
    command = ""
    if r.text(section, "command") is None:
        r.error(r.header_span(section), f"[{section}] does not specify a command",
                   "missing-command")
    else:
        command = opt("command")
    name = raw_name
    try:
        name, _ = r.expand(raw_name, names, f"[{section}] process_name", PROCESS,
                           spans.get("process_name", r.header_span(section)))
    except ExpansionError as exc:
        r.error(spans.get("process_name", r.header_span(section)), str(exc),
                   "expansion")
    # supervisord hands every child [supervisord] environment, the program's own on top
    merged = dict(r.sd_env)
    merged.update(env)
    return ProcessConfig(name=name, program=program, group=group_name,
                         kind=kind,  # type: ignore[arg-type]
                         process_num=num, source=r.header_span(section), command=command,
                         environment=merged, spans=spans, **proc)
