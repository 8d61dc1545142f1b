"""Build the resolved model from config files, as supervisord 4.3.0 reads them.

supervisord stops at the first error; svtool records every error as a ConfigError with the span
of the offending value, substitutes the default, and goes on, so one run reports everything.
Reading order, expansion names and checks follow supervisord's own sequence: the main file, its
includes, [supervisord], rpcinterfaces, groups and programs, listeners, fcgi programs, servers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from supervisor_tools.boundary import PausedCollector
from supervisor_tools.errors import ConfigError, Span, SvtoolError
from supervisor_tools.model.groups import build_groups
from supervisor_tools.model.model import Model
from supervisor_tools.model.raw import RawConfig
from supervisor_tools.model.reader import ParseFiles, Reader, parse_in_turn
from supervisor_tools.model.sections import build_plugins, build_supervisord
from supervisor_tools.model.servers import build_servers, build_supervisorctl
from supervisor_tools.syntax.ast import Document


@dataclass(frozen=True, slots=True)
class LoadResult:
    """A loaded configuration: its model, what went wrong, and the files behind it."""

    model: Model
    errors: tuple[ConfigError, ...]
    warnings: tuple[ConfigError, ...]
    documents: tuple[Document, ...]
    raw: RawConfig = field(compare=False)

    @property
    def ok(self) -> bool:
        return not self.errors


def build(r: Reader, path: str, fragment: bool | None,
          parsed: Document | SvtoolError | None = None) -> Model:
    """Read `path` and its includes and build the model, in supervisord's order."""
    r.main_path = path
    r.here = os.path.abspath(os.path.dirname(path))
    if parsed is None and not os.path.exists(path):  # stdin: no file needed
        raise SvtoolError(f"could not find config file {path}", Span.point(path))
    doc = r.read(path) if parsed is None else r.accept(parsed)
    if doc is None:
        return Model(path, (path,), None, ())
    created = r.add(doc)
    files = [path]
    if "include" in r.raw.sections:
        r.expand_here(doc, created, r.here)
        files.extend(r.includes(path))
    has_supervisord = "supervisord" in r.raw.sections
    if fragment is None:
        fragment = not has_supervisord
    if fragment and "include" not in r.raw.sections:
        # a conf.d fragment is read as an included file, which gets the %(here)s pass
        r.expand_here(doc, created, r.here)
    sd = None
    if has_supervisord:
        sd = build_supervisord(r)
    elif not fragment:
        span = doc.sections[0].header.name_span if doc.sections else Span.point(path)
        r.error(span, "no [supervisord] section (supervisord requires one; "
                         "lint conf.d files as fragments)", "missing-supervisord")
    rpc = build_plugins(r, "rpcinterface", "supervisor.rpcinterface_factory")
    groups = build_groups(r)
    servers = build_servers(r)
    # supervisorctl's sections: supervisord never reads them, so they cannot make it fail
    r.soft = True
    ctl = build_supervisorctl(r)
    ctlplugins = build_plugins(r, "ctlplugin", "supervisor.ctl_factory", check=False)
    r.soft = False
    return Model(path, tuple(files), sd, tuple(groups), tuple(servers), ctl, tuple(rpc),
                 tuple(ctlplugins), fragment, tuple(r.warnings))


def load(path: str, *, fragment: bool | None = None, environ: Mapping[str, str] | None = None,
         host_checks: bool = True, parsed: Document | SvtoolError | None = None,
         conversions: dict[Any, Any] | None = None,
         parse_files: ParseFiles = parse_in_turn,
         overlay: Mapping[str, bytes] | None = None) -> LoadResult:
    """Load a config file and everything it includes.

    fragment: True for a conf.d file (no [supervisord] needed), False to require
    [supervisord] as supervisord does, None to decide by whether the file has one.
    parsed: the main file already parsed (or the error reading it raised), if it was.
    conversions: a dict to remember converted values in, shared by loads that run together
    with the same host_checks (such as the conf.d fragments of one lint run).
    parse_files: how included files are parsed (a command's parallel.batch.Batch.read_files
    parses them on two cores, or takes what it read ahead).
    overlay: bytes to read instead of an included file, by absolute path (an unsaved buffer).
    Raises SvtoolError only when the main file does not exist.
    """
    reader = Reader(os.environ if environ is None else environ, host_checks, conversions,
                    parse_files, overlay)
    with PausedCollector():
        model = build(reader, path, fragment, parsed)
    return LoadResult(model, tuple(reader.errors), tuple(reader.warnings),
                      tuple(reader.documents), reader.raw)
