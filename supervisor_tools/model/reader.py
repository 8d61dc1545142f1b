"""Read config files and option values as supervisord 4.3.0 does, recording every error.

The Reader owns the files (the main one and its includes), the merged sections, the textual
%(here)s pass, and reading one option: expand it with the names supervisord allows, convert it
with the option table's type, and on failure record a positioned ConfigError and fall back to
the default, so a single run reports every problem.
"""

from __future__ import annotations

import glob
import importlib
import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from supervisor_tools.errors import ConfigError, Severity, Span, SvtoolError
from supervisor_tools.model.expand import ExpansionError, env_names, expand_all
from supervisor_tools.model.raw import RawConfig
from supervisor_tools.options.table import Expansion, OptionSpec, options_for
from supervisor_tools.options.types import INVALID, ConversionError, ValueType
from supervisor_tools.syntax.ast import Document, Option
from supervisor_tools.syntax.parser import MAX_FILE_BYTES, decode, parse, read_file

HERE = "%(here)s"
_MISSING = object()
_IMPORT_RE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?$")
# Factories svtool provides itself (its runtime serves the supervisor namespace).
BUILTIN_SPECS = frozenset({
    "supervisor.rpcinterface:make_main_rpcinterface",
    "supervisor.dispatchers:default_handler",
})


# Parses the included files the loader asks for: each a Document, or the SvtoolError reading it
# raised, in the order asked. A command that reads many files passes one that parses them on two
# cores or has read them ahead (parallel/batch.py); the default parses them in turn.
ParseFiles = Callable[[Sequence[str]], Sequence[Document | SvtoolError]]


def parse_in_turn(paths: Sequence[str]) -> list[Document | SvtoolError]:
    out: list[Document | SvtoolError] = []
    for path in paths:
        try:
            out.append(read_file(path))
        except SvtoolError as exc:
            out.append(exc)
    return out


def include_matches(base: str, pattern: str) -> tuple[str, list[str]]:
    """An [include] pattern joined to the including file's directory, and what it matches in
    supervisord's order (sorted)."""
    joined = os.path.join(base, pattern)
    return joined, sorted(glob.glob(joined))


class Skip(Exception):
    """A value failed; the error is recorded and the caller uses the default."""


def bad_line_message(kind: str, text: str) -> str:
    line = text.strip()
    if kind == "orphan":
        return f"text before the first section header: {line!r}"
    if line.startswith("=") or line.startswith(":"):
        return f"option without a name: {line!r}"
    return f"not a section header or 'key = value' line: {line!r}"


class Reader:
    """Reads config files and option values as supervisord does, recording every error."""

    def __init__(self, environ: Mapping[str, str], host_checks: bool,
                 conversions: dict[Any, Any] | None = None,
                 parse_files: ParseFiles = parse_in_turn,
                 overlay: Mapping[str, bytes] | None = None) -> None:
        self.environ = dict(environ)
        self.parse_files = parse_files
        # absolute path -> bytes read instead of the file (an editor's unsaved buffer)
        self.overlay = overlay or {}
        self.host = host_checks
        self.errors: list[ConfigError] = []
        self.warnings: list[ConfigError] = []
        self._seen: set[tuple[Span, str]] = set()
        # (type, text) -> value or the error converting it: a conf.d of hundreds of programs
        # repeats the same few values ("true", "30", "TERM"), and a host check such as a
        # log directory's existence answers the same within one load (or within the loads of
        # one lint run, which pass the same dict)
        self._converted: dict[tuple[ValueType, str], Any] = \
            {} if conversions is None else conversions
        self.raw = RawConfig()
        self.documents: list[Document] = []
        self.subst: dict[tuple[str, str], str] = {}  # %(here)s pre-substituted values
        self.env_os = env_names(self.environ)
        self.soft = False  # record errors as warnings: sections supervisord does not read
        # (section, option) whose value holds a variable not set here: what it means is for
        # the target machine to say, so checks of its form are left out
        self.stood_in: set[tuple[str, str]] = set()
        self.env_sd = dict(self.env_os)
        self.sd_env: dict[str, str] = {}  # [supervisord] environment
        # platform.node() is this on POSIX; importing platform cost every start a millisecond
        self.node = os.uname().nodename
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
        return self.accept(parse_in_turn([path])[0])

    def _parse(self, files: Sequence[str]) -> Sequence[Document | SvtoolError]:
        """The included files parsed: an overlaid one from its bytes, the rest by parse_files."""
        if not self.overlay:
            return self.parse_files(files)
        mine = {f: data for f in files
                if (data := self.overlay.get(os.path.abspath(f))) is not None
                and len(data) <= MAX_FILE_BYTES}  # too big: read as the file, which says so
        done = dict(zip(rest := [f for f in files if f not in mine],
                        self.parse_files(rest), strict=True))
        out: list[Document | SvtoolError] = []
        for f in files:
            if f in done:
                out.append(done[f])
                continue
            try:
                out.append(parse(decode(mine[f], f), f))
            except SvtoolError as exc:
                out.append(exc)
        return out

    def accept(self, doc: Document | SvtoolError) -> Document | None:
        """Record a file read (or the error reading it raised)."""
        if isinstance(doc, SvtoolError):
            assert doc.span is not None
            self.error(doc.span, doc.message, "unreadable")
            return None
        self.documents.append(doc)
        for bad in doc.bad_lines():
            self.error(bad.span, bad_line_message(bad.kind, bad.text), "syntax")
        return doc

    def add(self, doc: Document) -> list[str]:
        """Merge a file; returns the sections it created."""
        if self.subst:  # a value set again replaces its %(here)s substitution
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
            merged = raw.sections[section.name]
            for opt in section.options():
                # the merged value, computed when the file was added, if this line set it
                if merged.options.get(opt.key) is opt:
                    text = merged.values[opt.key]
                    if HERE in text:
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
        """Read, expand and convert one option; on failure record it and raise Skip."""
        # self.text and self.value_span, inlined: this runs for every option of every process
        key = spec.name
        raw = self.raw
        own = raw.sections.get(section)
        if own is not None and key in own.options:
            opt = own.options[key]
            text = own.values[key]
        else:
            found = raw.defaults.get(key)
            if found is None:
                return spec.default if default is None else default
            opt, text = found, raw.default_values[key]
        if self.subst:
            text = self.subst.get((section, key), text)
        rule = rule or spec.expansion
        span = opt.value_span
        if spans is not None:
            spans[spec.name] = span
        value: str | None = None
        stood_in = False
        try:
            # no "%" means nothing to expand (and nothing that could fail to)
            if "%" in text:
                value, stood_in = self.expand(text, names, f"[{section}] {spec.name}", rule,
                                              span)
                if stood_in:
                    self.stood_in.add((section, key))
            else:
                value = text
            kind = spec.type
            if not kind.immutable:
                return kind.convert(value, self.host)
            memo = (kind, value)
            converted = self._converted.get(memo, _MISSING)
            if converted is _MISSING:
                try:
                    converted = kind.convert(value, self.host)
                except ValueError as exc:
                    converted = exc
                self._converted[memo] = converted
            if isinstance(converted, ValueError):
                raise converted
            return converted
        except ValueError as exc:
            code = code_of(exc)
            # a value holding a variable that is not set here is not known here: what it
            # would convert to is for the target machine to say
            if not stood_in:
                self.error(span, f"[{section}] {spec.name}: {exc}", code)
            if code.startswith("host-") and value is not None:
                # this machine lacks the user or directory; the value is still what the
                # config says, and the model keeps it for every later check
                try:
                    return spec.type.convert(value, False)
                except ValueError:
                    pass
            raise Skip from None

    def expand(self, text: str, names: Mapping[str, Any], where: str, rule: Expansion,
               span: Span) -> tuple[str, bool]:
        """Expand `text` as supervisord does (`rule.passes` times); returns the text and
        whether it holds the stand-in of an ENV_ variable not set here. Raises ExpansionError.

        An unset variable is a fact about this machine, not the config: it is recorded with
        its own code ("env-unset", which only the linter's opt-in host rule reports; a
        converter or the runtime refuses it as supervisord here would), the value keeps a
        StandIn, and the model is built as if the variable were set.
        """
        unset: list[str] = []
        text = expand_all(text, names, where, rule, unset)
        if unset:
            for name in dict.fromkeys(unset):
                self.error(span, f"{where}: {name} is not set here, so %(ENV_{name})s "
                                 "cannot be expanded", "env-unset")
        return text, bool(unset)

    def read_opt(self, section: str, kind: str, name: str, names: Mapping[str, Any],
                 spans: dict[str, Span], default: Any = None) -> Any:
        spec = options_for(kind)[name]
        try:
            return self.get(section, spec, names, default, spans=spans)
        except Skip:
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
            text, stood_in = self.expand(text, names, "[include] files", spec.expansion, fspan)
        except ExpansionError as exc:
            self.error(fspan, str(exc), "expansion")
            return []
        base = os.path.dirname(os.path.abspath(path))
        read: list[str] = []
        files: list[str] = []  # the ones to parse, in order (a file matched twice, twice)
        for pattern in text.split():
            joined, matches = include_matches(base, pattern)
            if not matches:
                # a pattern relative to the config (or to %(here)s) names files that ship
                # with it; an absolute one names files of the machine supervisord will run
                # on, which this one need not have (and one built from a variable not set
                # here is already recorded as such)
                absolute = os.path.isabs(os.path.expanduser(pattern)) \
                    and not joined.startswith(self.here + os.sep)
                if not stood_in and (self.host or not absolute):
                    self.warn(fspan, f'no file matches include pattern "{joined}"',
                              "include-no-match")
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
                files.append(filename)
        # parsing is independent per file (and may use a second core); merging is in order
        for filename, parsed in zip(files, self._parse(files), strict=True):
            doc = self.accept(parsed)
            if doc is not None:
                created = self.add(doc)
                self.expand_here(doc, created, os.path.abspath(os.path.dirname(filename)))
        return read


def code_of(exc: Exception) -> str:
    """The finding code of a value that failed: its expansion, or the kind its type gave."""
    if isinstance(exc, ExpansionError):
        return "expansion"
    if isinstance(exc, ConversionError):
        return exc.kind
    return INVALID


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
