"""Build the resolved model from config files, as supervisord 4.3.0 reads them.

supervisord stops at the first error; this loader records every error as a ConfigError with
the span of the offending value, substitutes the default, and goes on, so one run reports
everything. Reading order, expansion names and checks follow supervisord's own sequence.
"""

from __future__ import annotations

import contextlib
import glob
import importlib
import os
import platform
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from supervisor_tools.errors import ConfigError, Severity, Span, SvtoolError
from supervisor_tools.model.expand import ExpansionError, env_names, expand, expand_all
from supervisor_tools.model.model import (
    GroupConfig,
    HttpServerConfig,
    InetHttpServerConfig,
    Model,
    PluginConfig,
    ProcessConfig,
    SupervisorctlConfig,
    SupervisordConfig,
    UnixHttpServerConfig,
)
from supervisor_tools.model.raw import RawConfig
from supervisor_tools.options import types as t
from supervisor_tools.options.table import (
    GROUP,
    PROCESS,
    SERVER,
    UNIX_FILE,
    Expansion,
    OptionSpec,
    options_for,
    section_kind,
)
from supervisor_tools.syntax.ast import Document, Option
from supervisor_tools.syntax.parser import read_file

# Building a process costs time and memory; supervisord would hang on numprocs=100000000.
MAX_NUMPROCS = 10_000
HERE = "%(here)s"
_IMPORT_RE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?$")
# Factories svtool provides itself (its runtime serves the supervisor namespace).
BUILTIN_SPECS = frozenset({
    "supervisor.rpcinterface:make_main_rpcinterface",
    "supervisor.dispatchers:default_handler",
})


@dataclass(frozen=True, slots=True)
class LoadResult:
    model: Model
    errors: tuple[ConfigError, ...]
    warnings: tuple[ConfigError, ...]
    documents: tuple[Document, ...]
    raw: RawConfig = field(compare=False)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Skip(Exception):
    """A value failed; the error is recorded and the caller uses the default."""


def bad_line_message(kind: str, text: str) -> str:
    line = text.strip()
    if kind == "orphan":
        return f"text before the first section header: {line!r}"
    if line.startswith("=") or line.startswith(":"):
        return f"option without a name: {line!r}"
    return f"not a section header or 'key = value' line: {line!r}"


class Loader:
    def __init__(self, environ: Mapping[str, str], host_checks: bool) -> None:
        self.environ = dict(environ)
        self.host = host_checks
        self.errors: list[ConfigError] = []
        self.warnings: list[ConfigError] = []
        self._seen: set[tuple[Span, str]] = set()
        self.raw = RawConfig()
        self.documents: list[Document] = []
        self.subst: dict[tuple[str, str], str] = {}  # %(here)s pre-substituted values
        self.env_os = env_names(self.environ)
        self.soft = False  # record errors as warnings: sections supervisord does not read
        self.env_sd = dict(self.env_os)
        self.sd_env: dict[str, str] = {}  # [supervisord] environment
        self.node = platform.node()
        self.main_path = ""
        self.here = ""

    # -- recording ------------------------------------------------------------------------

    def error(self, span: Span, message: str, code: str = "invalid") -> None:
        if self.soft:
            self.warn(span, message, code)
            return
        if (span, message) not in self._seen:
            self._seen.add((span, message))
            self.errors.append(ConfigError(span, message, code))

    def warn(self, span: Span, message: str, code: str) -> None:
        if (span, message) not in self._seen:
            self._seen.add((span, message))
            self.warnings.append(ConfigError(span, message, code, Severity.WARNING))

    # -- files ----------------------------------------------------------------------------

    def read(self, path: str) -> Document | None:
        try:
            doc = read_file(path)
        except SvtoolError as exc:
            assert exc.span is not None
            self.error(exc.span, exc.message, "unreadable")
            return None
        self.documents.append(doc)
        for bad in doc.bad_lines():
            self.error(bad.span, bad_line_message(bad.kind, bad.text), "syntax")
        return doc

    def add(self, doc: Document) -> list[str]:
        """Merge a file; returns the sections it created."""
        for section in doc.sections:
            for opt in section.options():
                self.subst.pop((section.name, opt.key), None)
        return self.raw.add(doc)

    def expand_here(self, doc: Document, created: list[str], here: str) -> None:
        """supervisord's textual %(here)s pass after reading `doc`.

        supervisord rewrites every value of every section still containing %(here)s; the only
        such values are the ones `doc` set, defaults leaking into sections `doc` created, and
        defaults `doc` set leaking into sections that have neither their own value nor an
        earlier substitution. Touching only those keeps loading linear in the number of files.
        """
        raw = self.raw
        for section in doc.sections:
            if section.name == "DEFAULT":
                continue
            for opt in section.options():
                text = opt.value
                if HERE in text and raw.sections[section.name].options.get(opt.key) is opt:
                    self.subst[(section.name, opt.key)] = text.replace(HERE, here)
        here_defaults = {k: o.value for k, o in raw.defaults.items() if HERE in o.value}
        if not here_defaults:
            return
        new_defaults = {opt.key for s in doc.sections if s.name == "DEFAULT"
                        for opt in s.options()}
        targets = raw.sections if new_defaults else created
        for name in targets:
            own = raw.sections[name].options
            for key, text in here_defaults.items():
                if key in own or (name, key) in self.subst:
                    continue
                if name in created or key in new_defaults:
                    self.subst[(name, key)] = text.replace(HERE, here)

    def text(self, section: str, key: str) -> str | None:
        if self.subst:
            sub = self.subst.get((section, key))
            if sub is not None:
                return sub
        return self.raw.value(section, key)

    def option(self, section: str, key: str) -> Option | None:
        return self.raw.get(section, key)

    def header_span(self, section: str) -> Span:
        return self.raw.sections[section].headers[0].header.name_span

    def value_span(self, section: str, key: str) -> Span:
        opt = self.option(section, key)
        return opt.value_span if opt is not None else self.header_span(section)

    # -- reading one option -----------------------------------------------------------------

    def get(self, section: str, spec: OptionSpec, names: Mapping[str, Any],
            default: Any = None, rule: Expansion | None = None,
            spans: dict[str, Span] | None = None) -> Any:
        """Read, expand and convert one option; on failure record it and raise _Skip."""
        text = self.text(section, spec.name)
        if text is None:
            return spec.default if default is None else default
        rule = rule or spec.expansion
        span = self.value_span(section, spec.name)
        if spans is not None:
            spans[spec.name] = span
        try:
            # no "%" means nothing to expand (and nothing that could fail to)
            value = expand_all(text, names, f"[{section}] {spec.name}", rule) if "%" in text \
                else text
            return spec.type.convert(value, self.host)
        except ValueError as exc:
            self.error(span, f"[{section}] {spec.name}: {exc}", _code(exc))
            raise _Skip from None

    def read_opt(self, section: str, kind: str, name: str, names: Mapping[str, Any],
                 spans: dict[str, Span], default: Any = None) -> Any:
        spec = options_for(kind)[name]
        try:
            return self.get(section, spec, names, default, spans=spans)
        except _Skip:
            return spec.default if default is None else default

    def names(self, env: Mapping[str, str], **extra: Any) -> dict[str, Any]:
        out: dict[str, Any] = dict(env)
        out.update(extra)
        return out

    def check_name(self, section: str, name: str) -> str:
        stripped = name.strip()
        for ch in " :/":
            if ch in stripped:
                self.error(self.header_span(section),
                           f"invalid name {name!r} in [{section}]: it contains {ch!r}", "name")
                break
        return stripped

    # -- the whole configuration ------------------------------------------------------------

    def load(self, path: str, fragment: bool | None) -> Model:
        self.main_path = path
        self.here = os.path.abspath(os.path.dirname(path))
        if not os.path.exists(path):
            raise SvtoolError(f"could not find config file {path}", Span.point(path))
        doc = self.read(path)
        if doc is None:
            return Model(path, (path,), None, ())
        created = self.add(doc)
        files = [path]
        if "include" in self.raw.sections:
            self.expand_here(doc, created, self.here)
            files.extend(self.includes(path))
        has_supervisord = "supervisord" in self.raw.sections
        if fragment is None:
            fragment = not has_supervisord
        if fragment and "include" not in self.raw.sections:
            # a conf.d fragment is read as an included file, which gets the %(here)s pass
            self.expand_here(doc, created, self.here)
        sd = None
        if has_supervisord:
            sd = self.supervisord()
        elif not fragment:
            span = doc.sections[0].header.name_span if doc.sections else Span.point(path)
            self.error(span, "no [supervisord] section (supervisord requires one; "
                             "lint conf.d files as fragments)", "missing-supervisord")
        rpc = self.plugins("rpcinterface", "supervisor.rpcinterface_factory")
        groups = self.groups()
        servers = self.servers()
        # supervisorctl's sections: supervisord never reads them, so they cannot make it fail
        self.soft = True
        ctl = self.supervisorctl()
        ctlplugins = self.plugins("ctlplugin", "supervisor.ctl_factory", check=False)
        self.soft = False
        return Model(path, tuple(files), sd, tuple(groups), tuple(servers), ctl, tuple(rpc),
                     tuple(ctlplugins), fragment, tuple(self.warnings))

    def includes(self, path: str) -> list[str]:
        span = self.header_span("include")
        text = self.text("include", "files")
        if text is None:
            self.error(span, "[include] has no files setting", "missing-required")
            return []
        names = self.names(self.env_os, here=self.here, host_node_name=self.node)
        spec = options_for("include")["files"]
        fspan = self.value_span("include", "files")
        try:
            text = expand(text, names, "[include] files", spec.expansion)
        except ExpansionError as exc:
            self.error(fspan, str(exc), "expansion")
            return []
        base = os.path.dirname(os.path.abspath(path))
        read: list[str] = []
        for pattern in text.split():
            joined = os.path.join(base, pattern)
            matches = sorted(glob.glob(joined))
            if not matches:
                self.warn(fspan, f'no file matches include pattern "{joined}"', "include-no-match")
                continue
            for filename in matches:
                read.append(filename)
                if os.path.isdir(filename):
                    self.warn(fspan, f"include pattern matches a directory: {filename}",
                              "include-directory")
                    continue
                if not os.access(filename, os.R_OK):
                    self.warn(fspan, f"included file is not readable: {filename}",
                              "include-unreadable")
                    continue
                doc = self.read(filename)
                if doc is not None:
                    created = self.add(doc)
                    self.expand_here(doc, created, os.path.abspath(os.path.dirname(filename)))
        return read

    # -- [supervisord] ------------------------------------------------------------------------

    def supervisord(self) -> SupervisordConfig:
        section = "supervisord"
        spans: dict[str, Span] = {}
        names = self.names(self.env_os, here=self.here)
        values: dict[str, Any] = {}
        for spec in options_for(section).values():
            if spec.name == "environment":
                continue
            values[spec.name] = self.read_opt(section, section, spec.name, names, spans)
        env_spec = options_for(section)["environment"]
        env: dict[str, str] = {}
        text = self.text(section, "environment")
        if text is not None:
            span = self.value_span(section, "environment")
            spans["environment"] = span
            try:
                text = expand(text, names, "[supervisord] environment", env_spec.expansion)
                text = expand(text, self.names(self.env_os, here=self.here,
                                               host_node_name=self.node),
                              "[supervisord] environment", env_spec.expansion)
                env = t.environment_pairs(text)
            except ValueError as exc:
                self.error(span, f"[supervisord] environment: {exc}", _code(exc))
        self.sd_env = env
        for k, v in env.items():
            self.env_sd["ENV_" + k] = v
        if self.host and values.get("user") is not None:
            try:
                t.user_exists(values["user"])
            except ValueError as exc:
                self.error(self.value_span(section, "user"), f"[supervisord] user: {exc}",
                           "host-user")
        return SupervisordConfig(source=self.header_span(section), environment=env,
                                 spans=spans, **values)

    # -- plugins ------------------------------------------------------------------------------

    def plugins(self, kind: str, key: str, check: bool = True) -> list[PluginConfig]:
        out = []
        env = self.env_sd if kind == "rpcinterface" else self.env_os
        for section in self.raw.sections:
            if not section.startswith(kind + ":"):
                continue
            name = section.split(":", 1)[1]
            spec_text = self.text(section, key)
            if spec_text is None:
                if check:
                    self.error(self.header_span(section),
                               f"[{section}] does not specify {key}", "missing-required")
                else:
                    # only supervisorctl reads [ctlplugin:x]; supervisord does not object
                    self.warn(self.header_span(section), f"[{section}] does not specify {key}; "
                              "supervisorctl will refuse it", "ctlplugin-no-factory")
                continue
            span = self.value_span(section, key)
            try:
                factory = expand(spec_text, env, f"[{section}] {key}", GROUP)
            except ExpansionError as exc:
                self.error(span, str(exc), "expansion")
                continue
            if check and self.host and not importable(factory):
                self.error(span, f"{factory} cannot be resolved within [{section}]", "import")
            extras: dict[str, str] = {}
            for k in self.raw.keys(section):
                if k == key:
                    continue
                value = self.text(section, k) or ""
                try:
                    extras[k] = expand(value, env, f"[{section}] {k}", GROUP)
                except ExpansionError as exc:
                    self.error(self.value_span(section, k), str(exc), "expansion")
            out.append(PluginConfig(kind, name, factory, extras,  # type: ignore[arg-type]
                                    self.header_span(section)))
        return out

    # -- groups -------------------------------------------------------------------------------

    def groups(self) -> list[GroupConfig]:
        groups: list[GroupConfig] = []
        sections = list(self.raw.sections)
        in_group: set[str] = set()
        group_names = self.names(self.env_sd, here=self.here)

        for section in sections:
            if not section.startswith("group:"):
                continue
            gname = self.check_name(section, section.split(":", 1)[1])
            spans: dict[str, Span] = {}
            programs = self.read_opt(section, "group", "programs", group_names, spans)
            priority = self.read_opt(section, "group", "priority", group_names, spans)
            processes: list[ProcessConfig] = []
            pspan = self.value_span(section, "programs")
            for program in programs:
                psec, fsec = f"program:{program}", f"fcgi-program:{program}"
                if psec not in self.raw.sections and fsec not in self.raw.sections:
                    self.error(pspan, f"[{section}] names unknown program or fcgi-program "
                                      f"{program!r}", "group-unknown-program")
                    continue
                if psec in self.raw.sections and fsec in self.raw.sections:
                    self.error(pspan, f"[{section}] name {program!r} is ambiguous (exists as "
                                      "program and fcgi-program)", "group-ambiguous")
                    continue
                member = psec if psec in self.raw.sections else fsec
                in_group.add(member)
                kind = "program" if member == psec else "fcgi-program"
                processes.extend(self.processes(member, kind, gname))
            groups.append(GroupConfig(gname, "group", priority, tuple(processes),
                                      self.header_span(section), spans=spans))

        for section in sections:
            if not section.startswith("program:") or section in in_group:
                continue
            name = self.check_name(section, section.split(":", 1)[1])
            spans = {}
            priority = self.read_opt(section, "program", "priority", group_names, spans)
            procs = self.processes(section, "program", name)
            groups.append(GroupConfig(name, "program", priority, tuple(procs),
                                      self.header_span(section), spans=spans))

        for section in sections:
            if section.startswith("eventlistener:"):
                groups.append(self.listener_pool(section, group_names))

        for section in sections:
            if section.startswith("fcgi-program:") and section not in in_group:
                groups.append(self.fcgi_group(section, group_names))

        groups.sort(key=lambda g: (g.priority, g.name))
        return groups

    def listener_pool(self, section: str, names: Mapping[str, Any]) -> GroupConfig:
        kind = "eventlistener"
        pool = section.split(":", 1)[1]
        spans: dict[str, Span] = {}
        priority = self.read_opt(section, kind, "priority", names, spans)
        buffer_size = self.read_opt(section, kind, "buffer_size", names, spans)
        handler = self.read_opt(section, kind, "result_handler", names, spans)
        if self.host and not importable(handler):
            self.error(self.value_span(section, "result_handler"),
                       f"{handler} cannot be resolved within [{section}]", "import")
        events: tuple[str, ...] = ()
        if not (self.text(section, "events") or "").strip(" ,") and \
                not self.text(section, "events"):
            self.error(self.header_span(section), f"[{section}] requires an events line",
                       "missing-required")
        else:
            events = self.read_opt(section, kind, "events", names, spans) or ()
        redirect = self.read_opt(section, kind, "redirect_stderr", names, spans)
        if redirect:
            self.error(self.value_span(section, "redirect_stderr"),
                       f"[{section}] sets redirect_stderr=true, which is not allowed for an "
                       "event listener (it would interfere with the protocol)",
                       "listener-redirect")
        procs = self.processes(section, kind, pool)
        return GroupConfig(pool, "eventlistener", priority, tuple(procs),
                           self.header_span(section), events=events,
                           buffer_size=buffer_size, result_handler=handler, spans=spans)

    def fcgi_group(self, section: str, names: Mapping[str, Any]) -> GroupConfig:
        kind = "fcgi-program"
        name = self.check_name(section, section.split(":", 1)[1])
        spans: dict[str, Span] = {}
        priority = self.read_opt(section, kind, "priority", names, spans)
        user_spec = options_for(kind)["user"]
        with contextlib.suppress(_Skip):
            self.get(section, user_spec, names, rule=GROUP)
        backlog = self.read_opt(section, kind, "socket_backlog", names, spans)
        owner = self.read_opt(section, kind, "socket_owner", names, spans)
        mode = self.read_opt(section, kind, "socket_mode", names, spans)
        socket: str | None = None
        sock_spec = options_for(kind)["socket"]
        try:
            socket = self.get(section, sock_spec, self.names(self.env_sd, here=self.here,
                                                              program_name=name), spans=spans)
        except _Skip:
            socket = None
        else:
            if not socket:
                self.error(self.header_span(section), f"[{section}] requires a socket line",
                           "missing-required")
            else:
                socket = self.fcgi_socket(section, socket, owner, mode)
                if socket and socket.startswith("unix://") and mode is None:
                    mode = 0o700  # supervisord's mode for a unix socket it creates
        procs = self.processes(section, kind, name)
        return GroupConfig(name, "fcgi-program", priority, tuple(procs),
                           self.header_span(section), socket=socket, socket_backlog=backlog,
                           socket_owner=owner, socket_mode=mode, spans=spans)

    def fcgi_socket(self, section: str, sock: str, owner: str | None,
                    mode: int | None) -> str | None:
        span = self.value_span(section, "socket")
        if sock.startswith("unix://"):
            path = sock[7:]
            if not os.path.isabs(path):
                self.error(span, f"[{section}] socket: unix socket path {path} is not absolute",
                           "fcgi-socket")
                return None
            return "unix://" + os.path.normpath(os.path.abspath(os.path.expanduser(path)))
        if owner is not None or mode is not None:
            self.error(span, f"[{section}] socket: socket_owner and socket_mode can only be "
                             "used with a unix socket", "fcgi-socket")
            return None
        m = re.match(r"tcp://([^\s:]+):(\d+)$", sock)
        if m:
            try:
                port = t.port_number(m.group(2))
            except ValueError as exc:
                self.error(span, f"[{section}] socket: {exc}", "fcgi-socket")
                return None
            return f"tcp://{m.group(1).lower()}:{port}"
        self.error(span, f"[{section}] socket: bad socket format {sock!r} (use "
                         "unix:///absolute/path or tcp://host:port)", "fcgi-socket")
        return None

    # -- processes of one section ---------------------------------------------------------------

    def processes(self, section: str, kind: str, group_name: str) -> list[ProcessConfig]:
        program = self.check_name(section, section.split(":", 1)[1])
        common = self.names(self.env_sd, here=self.here, program_name=program,
                            host_node_name=self.node, group_name=group_name)
        spans: dict[str, Span] = {}

        def opt(name: str, default: Any = None) -> Any:
            return self.read_opt(section, kind, name, common, spans, default)

        values: dict[str, Any] = {}
        # A listener pool's priority defaults to -1, but each process's to a program's 999.
        values["priority"] = opt("priority", options_for("program")["priority"].default)
        for name in ("autostart", "autorestart", "startsecs", "startretries",
                     "stopsignal", "stopwaitsecs", "stopasgroup"):
            values[name] = opt(name)
        values["killasgroup"] = opt("killasgroup", values["stopasgroup"])
        for name in ("exitcodes", "redirect_stderr", "numprocs", "numprocs_start",
                     "stdout_capture_maxbytes", "stdout_events_enabled",
                     "stderr_capture_maxbytes", "stderr_events_enabled"):
            values[name] = opt(name)
        serverurl = opt("serverurl")
        values["serverurl"] = None if serverurl.strip().upper() == "AUTO" else serverurl
        values["user"] = opt("user")
        values["umask"] = opt("umask")
        raw_name = self.text(section, "process_name")
        if raw_name is None:
            raw_name = "%(program_name)s"
        else:
            spans["process_name"] = self.value_span(section, "process_name")
            for ch in " :/":
                if ch in raw_name.strip():
                    self.error(spans["process_name"], f"[{section}] process_name "
                               f"{raw_name!r} contains {ch!r}", "name")
                    break
        raw_name = raw_name.strip()
        numprocs = values["numprocs"]
        if numprocs > 1 and "%(process_num)" not in raw_name:
            self.error(spans.get("process_name", spans.get("numprocs", self.header_span(section))),
                       f"[{section}] numprocs is {numprocs} but process_name does not contain "
                       "%(process_num)s", "numprocs-name")
        if values["stopasgroup"] and not values["killasgroup"]:
            self.error(spans.get("killasgroup", self.header_span(section)),
                       f"[{section}] cannot set stopasgroup=true and killasgroup=false",
                       "stopasgroup-killasgroup")
        if numprocs > MAX_NUMPROCS:
            self.error(spans.get("numprocs", self.header_span(section)),
                       f"[{section}] numprocs {numprocs} is more than svtool supports "
                       f"({MAX_NUMPROCS})", "numprocs-limit")
            return []
        env_text = self.text(section, "environment")
        start = values["numprocs_start"]
        procs = [self.process(section, kind, program, group_name, num, dict(common), values,
                              env_text, raw_name, dict(spans))
                 for num in range(start, start + numprocs)]
        procs.sort(key=lambda p: (p.priority, p.name))
        return procs

    def process(self, section: str, kind: str, program: str, group_name: str, num: int,
                names: dict[str, Any], values: dict[str, Any], env_text: str | None,
                raw_name: str, spans: dict[str, Span]) -> ProcessConfig:
        names.update(process_num=num, numprocs=values["numprocs"])
        env: dict[str, str] = {}
        if env_text is not None:
            span = self.value_span(section, "environment")
            spans["environment"] = span
            try:
                env = t.environment_pairs(expand(env_text, names, f"[{section}] environment",
                                                 options_for(kind)["environment"].expansion))
            except ValueError as exc:
                self.error(span, f"[{section}] environment: {exc}", _code(exc))
        for k, v in env.items():
            names["ENV_" + k] = v

        def opt(name: str) -> Any:
            return self.read_opt(section, kind, name, names, spans)

        proc: dict[str, Any] = dict(values)
        proc["directory"] = opt("directory")
        for stream in ("stdout", "stderr"):
            logfile = opt(f"{stream}_logfile")
            proc[f"{stream}_logfile_backups"] = opt(f"{stream}_logfile_backups")
            maxbytes = opt(f"{stream}_logfile_maxbytes")
            proc[f"{stream}_logfile_maxbytes"] = maxbytes
            proc[f"{stream}_syslog"] = opt(f"{stream}_syslog")
            span = spans.get(f"{stream}_logfile", self.header_span(section))
            if logfile == "syslog":
                self.warn(span, f"[{section}] {stream}_logfile=syslog is deprecated; use "
                                f"{stream}_syslog=true", "deprecated-syslog")
                logfile = "NONE"
                proc[f"{stream}_syslog"] = True
            if logfile == "AUTO" and not maxbytes:
                self.warn(span, f"[{section}] AUTO {stream}_logfile without rotation "
                                f"({stream}_logfile_maxbytes=0) can fill the disk",
                          "auto-log-no-rotation")
            proc[f"{stream}_logfile"] = logfile
        if values["redirect_stderr"]:
            if proc["stderr_logfile"] not in ("AUTO", "NONE"):
                self.warn(spans.get("stderr_logfile", self.header_span(section)),
                          f"[{section}] stderr_logfile is ignored because redirect_stderr=true",
                          "redirect-stderr-logfile")
            proc["stderr_logfile"] = "NONE"
        command = ""
        if self.text(section, "command") is None:
            self.error(self.header_span(section), f"[{section}] does not specify a command",
                       "missing-command")
        else:
            command = opt("command")
        name = raw_name
        try:
            name = expand(raw_name, names, f"[{section}] process_name", PROCESS)
        except ExpansionError as exc:
            self.error(spans.get("process_name", self.header_span(section)), str(exc),
                       "expansion")
        # supervisord hands every child [supervisord] environment, the program's own on top
        merged = dict(self.sd_env)
        merged.update(env)
        return ProcessConfig(name=name, program=program, group=group_name,
                             kind=kind,  # type: ignore[arg-type]
                             process_num=num, source=self.header_span(section), command=command,
                             environment=merged, spans=spans, **proc)

    # -- servers and supervisorctl ----------------------------------------------------------------

    def auth(self, section: str, spans: dict[str, Span]) -> tuple[str | None, str | None]:
        names = dict(self.env_sd)
        user = pw = None
        for key in ("username", "password"):
            text = self.text(section, key)
            if text is None:
                continue
            spans[key] = self.value_span(section, key)
            try:
                value = expand(text, names, f"[{section}] {key}", SERVER)
            except ExpansionError as exc:
                self.error(spans[key], str(exc), "expansion")
                value = text
            if key == "username":
                user = value
            else:
                pw = value
        if (user is None) != (pw is None):
            self.error(self.header_span(section), f"[{section}] has incomplete authentication: "
                       "set both username and password, or neither", "incomplete-auth")
        return user, pw

    def servers(self) -> list[HttpServerConfig]:
        out: list[HttpServerConfig] = []
        names = dict(self.env_sd)
        for section in self.raw.sections:
            if section_kind(section) != "inet_http_server":
                continue
            spans: dict[str, Span] = {}
            user, pw = self.auth(section, spans)
            if self.text(section, "port") is None:
                self.error(self.header_span(section), f"[{section}] has no port value",
                           "missing-required")
                continue
            try:
                host, port = self.get(section, options_for("inet_http_server")["port"], names,
                                      spans=spans)
            except _Skip:
                continue
            out.append(InetHttpServerConfig(section, self.header_span(section), host, port,
                                            user, pw, spans))
        for section in self.raw.sections:
            if section_kind(section) != "unix_http_server":
                continue
            spans = {}
            kind = "unix_http_server"
            text = self.text(section, "file")
            if text is None:
                self.error(self.header_span(section), f"[{section}] has no file value",
                           "missing-required")
                user, pw = self.auth(section, spans)
                continue
            spans["file"] = self.value_span(section, "file")
            try:
                path = expand(text, self.names(self.env_sd, here=self.here), f"[{section}] file",
                              UNIX_FILE).strip()
            except ExpansionError as exc:
                self.error(spans["file"], str(exc), "expansion")
                path = text.strip()
            path = os.path.normpath(os.path.abspath(os.path.expanduser(path)))
            user, pw = self.auth(section, spans)
            chown = self.read_opt(section, kind, "chown", names, spans)
            chmod = self.read_opt(section, kind, "chmod", names, spans)
            out.append(UnixHttpServerConfig(section, self.header_span(section), path, chmod,
                                            chown, user, pw, spans))
        return out

    def supervisorctl(self) -> SupervisorctlConfig | None:
        section = "supervisorctl"
        if section not in self.raw.sections:
            return None
        spans: dict[str, Span] = {}
        values: dict[str, Any] = {}
        for spec in options_for(section).values():
            names = self.names(self.env_os, here=self.here) if "here" in spec.expansion.names \
                else dict(self.env_os)
            values[spec.name] = self.read_opt(section, section, spec.name, names, spans)
        return SupervisorctlConfig(self.header_span(section), spans=spans, **values)


def _code(exc: Exception) -> str:
    if isinstance(exc, ExpansionError):
        return "expansion"
    msg = str(exc)
    if msg.startswith(("Invalid user", "Invalid group")):
        return "host-user"
    if "does not exist" in msg or "is not an existing directory" in msg:
        return "host-path"
    return "invalid-value"


def importable(spec: str) -> bool:
    """Whether `module:attr` resolves, as supervisord's entry-point loading would."""
    if spec in BUILTIN_SPECS:
        return True
    m = _IMPORT_RE.match(spec)
    if m is None:
        return False
    try:
        obj: Any = importlib.import_module(m.group("module"))
        for attr in filter(None, (m.group("attr") or "").split(".")):
            obj = getattr(obj, attr)
    except Exception:
        return False
    return True


def load(path: str, *, fragment: bool | None = None, environ: Mapping[str, str] | None = None,
         host_checks: bool = True) -> LoadResult:
    """Load a config file and everything it includes.

    fragment: True for a conf.d file (no [supervisord] needed), False to require
    [supervisord] as supervisord does, None to decide by whether the file has one.
    Raises SvtoolError only when the main file does not exist.
    """
    loader = Loader(os.environ if environ is None else environ, host_checks)
    model = loader.load(path, fragment)
    return LoadResult(model, tuple(loader.errors), tuple(loader.warnings),
                      tuple(loader.documents), loader.raw)
