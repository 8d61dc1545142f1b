"""The resolved model to svtool's YAML form (see docs/yaml.md).

Values are the model's, written as supervisord would read them back: a literal `%` is doubled
once per expansion pass of its option. A value whose text uses %(here)s or %(ENV_X)s is written
as that expression, as the config says it (unless `resolved`): its value belongs to the machine
and the moment it is read, and an expanded secret must not land in a file. So is a value that
differs between the processes of one numprocs section (it uses %(process_num)s), and a section
that runs no process at all (numprocs=0), whose options the model cannot hold.
"""

from __future__ import annotations

import os
import re
from typing import Any

import yaml

from supervisor_tools.convert.schema import SCHEMA_ID
from supervisor_tools.convert.source import Lost
from supervisor_tools.convert.yaml_values import native
from supervisor_tools.errors import SvtoolError
from supervisor_tools.ini import percent_literal
from supervisor_tools.model import LoadResult
from supervisor_tools.model.model import (
    GroupConfig,
    InetHttpServerConfig,
    PluginConfig,
    ProcessConfig,
    UnixHttpServerConfig,
)
from supervisor_tools.options.table import OptionSpec, options_for

# References whose value depends on where and when the config is read.
MACHINE_REFERENCE = re.compile(r"%\((?:here|ENV_[^()]*)\)")

SECTION_KEY = {"program": "programs", "eventlistener": "eventlisteners",
               "fcgi-program": "fcgi-programs"}


def escape(row: OptionSpec, value: Any) -> Any:
    """A literal value as an expression of option `row`: `%` doubled per expansion pass."""
    if isinstance(value, str):
        return percent_literal(value, row)
    if isinstance(value, list):
        return [escape(row, v) for v in value]
    if isinstance(value, dict):
        return {k: escape(row, v) for k, v in value.items()}
    return value


class _Writer:
    def __init__(self, result: LoadResult, all_values: bool, resolved: bool = False) -> None:
        self.result = result
        self.model = result.model
        self.all = all_values
        self.resolved = resolved
        sd = self.model.supervisord
        self.sd_env: dict[str, str] = dict(sd.environment) if sd is not None else {}
        # what a program's exit_on_end is when it sets none
        self.sd_exit_on_end = sd is not None and sd.exit_on_end

    def put(self, out: dict[str, Any], row: OptionSpec, value: Any) -> None:
        if value is None:
            return  # unset: there is no value to write, even with --all
        if not self.all and value == row.default:
            return
        out[row.name] = escape(row, native(row, value))

    def simple(self, kind: str, obj: Any, skip: tuple[str, ...] = (),
               section: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, row in options_for(kind).items():
            if name in skip:
                continue
            expr = self.machine_expression(section or kind, name)
            if expr is not None:
                out[name] = expr
            else:
                self.put(out, row, getattr(obj, name))
        return out

    def machine_expression(self, section: str, option: str) -> Any:
        """The section's own text for `option` when it uses %(here)s or %(ENV_X)s (and the
        output is not `resolved`), else None."""
        if self.resolved:
            return None
        opt = self.result.raw.get(section, option)
        if opt is None or not MACHINE_REFERENCE.search(opt.value):
            return None
        return self.raw_expression(section, option)

    def raw_expression(self, section: str, option: str) -> Any:
        """The section's own text for `option` (None if unset), typed when it is a plain value.

        %(here)s stays an expression unless `resolved`, or the config has an [include]: then
        supervisord replaced it as text in every option, with the directory of the file that
        says it, which the YAML form (with the included sections merged) cannot say."""
        opt = self.result.raw.get(section, option)
        if opt is None:
            return None
        here = os.path.abspath(os.path.dirname(opt.key_span.file))
        row = options_for(section.split(":", 1)[0])[option]
        text = opt.value
        if self.resolved or "include" in self.result.raw.sections:
            text = text.replace("%(here)s", percent_literal(here, row))
        if "%" not in text:
            try:
                return native(row, row.type.convert(text, False))
            except ValueError:
                pass
        return text

    def process_value(self, p: ProcessConfig, name: str) -> Any:
        if name == "process_name":
            return p.name
        if name == "environment":
            return {k: v for k, v in p.environment.items() if self.sd_env.get(k) != v}
        if name == "serverurl":
            # None: computed by supervisord, which the row's default word asks for
            return options_for(p.kind)["serverurl"].default if p.serverurl is None \
                else p.serverurl
        return getattr(p, name)

    def section(self, g: GroupConfig, procs: list[ProcessConfig]) -> dict[str, Any]:
        first = procs[0]
        kind = first.kind
        section = f"{kind}:{first.program}"
        out: dict[str, Any] = {}
        for name, row in options_for(kind).items():
            if row.level == "group":
                if g.kind != kind:
                    # An fcgi-program inside a [group:x]: the model keeps no socket for it,
                    # so its own section's text is written.
                    expr = self.raw_expression(section, name)
                    if expr is not None:
                        out[name] = expr
                    continue
                expr = self.machine_expression(section, name)
                if expr is not None:
                    out[name] = expr
                    continue
                value = getattr(g, name)
                # a value the section does not write (a unix socket's 0700) is a default
                if value is not None and (self.all or value != row.default and name in g.spans):
                    out[name] = escape(row, native(row, value))
                continue
            if name == "priority" and g.kind == kind:
                # A listener pool or fcgi group reads `priority` for itself too, with its own
                # default: the two agree only when the section sets it, and then it is written.
                if g.priority == first.priority and (self.all or name in first.spans):
                    out[name] = g.priority
                continue
            machine = self.machine_expression(section, name)
            if machine is not None:
                out[name] = machine
                continue
            values = [self.process_value(p, name) for p in procs]
            if any(v != values[0] for v in values):
                expr = self.raw_expression(section, name)
                if expr is None:
                    raise SvtoolError(f"[{section}] {name} differs between processes but has no "
                                      "expression to write", first.span_of(name))
                out[name] = expr
                continue
            value = values[0]
            if row.follows is not None and value == getattr(first, row.follows) \
                    and not self.all:
                continue
            if name == "process_name" and value == row.default % {"program_name": first.program} \
                    and not self.all:
                continue
            if name == "environment" and not value and not self.all:
                continue
            if name == "exit_on_end" and kind != "eventlistener":
                if self.all or value != self.sd_exit_on_end:
                    out[name] = value
                continue
            if name == "stderr_logfile" and first.redirect_stderr and value == "NONE":
                continue  # redirect_stderr=true sends stderr to the stdout log anyway
            self.put(out, row, value)
        return out

    def idle_section(self, doc: dict[str, Any], kind: str, program: str) -> None:
        """A section that runs no process (numprocs=0): its own options, as written."""
        section = f"{kind}:{program}"
        raw = self.result.raw
        if section not in raw.sections or program in doc.get(SECTION_KEY[kind], {}):
            return
        rows = options_for(kind)
        doc.setdefault(SECTION_KEY[kind], {})[program] = {
            key: self.raw_expression(section, key) for key in raw.keys(section) if key in rows}

    def idle_members(self, g: GroupConfig) -> list[tuple[str, str]]:
        """The (kind, program) members of a [group:x] that run no process."""
        text = self.result.raw.value(f"group:{g.name}", "programs") or ""
        running = {p.program for p in g.processes}
        out = []
        for name in (n.strip() for n in text.split(",")):
            for kind in ("program", "fcgi-program"):
                if name and name not in running and f"{kind}:{name}" in self.result.raw.sections:
                    out.append((kind, name))
        return out

    def programs(self, doc: dict[str, Any]) -> None:
        for g in self.model.groups:
            by_program: dict[tuple[str, str], list[ProcessConfig]] = {}
            for p in g.processes:
                by_program.setdefault((p.kind, p.program), []).append(p)
            for (kind, program), procs in by_program.items():
                doc.setdefault(SECTION_KEY[kind], {})[program] = self.section(g, procs)
            idle = self.idle_members(g) if g.kind == "group" else []
            if not g.processes and g.kind in SECTION_KEY:
                self.idle_section(doc, g.kind, g.name)
            for kind, program in idle:
                self.idle_section(doc, kind, program)
            if g.kind == "group":
                members = list(dict.fromkeys([*(p.program for p in g.processes),
                                              *(name for _, name in idle)]))
                group: dict[str, Any] = {"programs": members}
                row = options_for("group")["priority"]
                if self.all or g.priority != row.default:
                    group["priority"] = g.priority
                doc.setdefault("groups", {})[g.name] = group

    def servers(self, doc: dict[str, Any]) -> None:
        for s in self.model.servers:
            if isinstance(s, UnixHttpServerConfig):
                key, kind = "unix_http_server", "unix_http_server"
                body = self.simple(kind, s, section=s.section)
            else:
                assert isinstance(s, InetHttpServerConfig)
                key, kind = "inet_http_server", "inet_http_server"
                body = self.simple(kind, s, skip=("port",), section=s.section)
                body = {"port": f"{s.host or '*'}:{s.port}", **body}
            if key in doc:
                raise SvtoolError(f"[{s.section}]: the YAML form holds one {key} section",
                                  s.source)
            doc[key] = body

    def plugins(self, doc: dict[str, Any], key: str, items: tuple[PluginConfig, ...],
                factory_key: str) -> None:
        for plugin in items:
            values = {factory_key: plugin.factory, **dict(plugin.extras)}
            # supervisord expands plugin values once, so a literal % is written %%.
            doc.setdefault(key, {})[plugin.name] = {k: percent_literal(v, None)
                                                    for k, v in values.items()}

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        if self.model.supervisord is not None:
            doc["supervisord"] = self.simple("supervisord", self.model.supervisord)
        self.servers(doc)
        if self.model.supervisorctl is not None:
            doc["supervisorctl"] = self.simple("supervisorctl", self.model.supervisorctl)
        self.plugins(doc, "rpcinterfaces", self.model.rpcinterfaces,
                     "supervisor.rpcinterface_factory")
        self.programs(doc)
        self.plugins(doc, "ctlplugins", self.model.ctlplugins, "supervisor.ctl_factory")
        return doc


def notes(result: LoadResult) -> list[Lost]:
    """What the YAML form does not keep as written: [include] is resolved, not copied."""
    opt = result.raw.get("include", "files")
    if opt is None:
        return []
    merged = len(result.model.files) - 1
    return [Lost(opt.value_span, f"[include] files = {opt.value}: the YAML holds the "
                 f"{merged} included file(s) merged in; the include itself is not kept")]


def to_yaml(result: LoadResult, *, all_values: bool = False, schema_url: str = SCHEMA_ID,
            resolved: bool = False) -> str:
    """The YAML form of a loaded config, starting with the editor's schema comment.

    `resolved` writes %(here)s and %(ENV_X)s expanded, as this machine reads them now."""
    doc = _Writer(result, all_values, resolved).document()
    body = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=100) if doc else ""
    return f"# yaml-language-server: $schema={schema_url}\n" + body
