"""The HTTP servers supervisord listens on, and the [supervisorctl] section supervisorctl reads."""

from __future__ import annotations

import os
from typing import Any

from supervisor_tools.errors import Span
from supervisor_tools.model.expand import ExpansionError
from supervisor_tools.model.model import (
    HttpServerConfig,
    InetHttpServerConfig,
    SupervisorctlConfig,
    UnixHttpServerConfig,
)
from supervisor_tools.model.reader import Reader, Skip
from supervisor_tools.options.table import SERVER, UNIX_FILE, options_for, section_kind


def auth(r: Reader, section: str, spans: dict[str, Span]) -> tuple[str | None, str | None]:
    names = dict(r.env_sd)
    user = pw = None
    for key in ("username", "password"):
        text = r.text(section, key)
        if text is None:
            continue
        spans[key] = r.value_span(section, key)
        try:
            value, _ = r.expand(text, names, f"[{section}] {key}", SERVER, spans[key])
        except ExpansionError as exc:
            r.error(spans[key], str(exc), "expansion")
            value = text
        if key == "username":
            user = value
        else:
            pw = value
    if (user is None) != (pw is None):
        r.error(r.header_span(section), f"[{section}] has incomplete authentication: "
                   "set both username and password, or neither", "incomplete-auth")
    return user, pw


def build_servers(r: Reader) -> list[HttpServerConfig]:
    out: list[HttpServerConfig] = []
    names = dict(r.env_sd)
    for section in r.raw.sections:
        if section_kind(section) != "inet_http_server":
            continue
        spans: dict[str, Span] = {}
        user, pw = auth(r, section, spans)
        if r.text(section, "port") is None:
            r.error(r.header_span(section), f"[{section}] has no port value",
                       "missing-required")
            continue
        try:
            host, port = r.get(section, options_for("inet_http_server")["port"], names,
                                  spans=spans)
        except Skip:
            continue
        out.append(InetHttpServerConfig(section, r.header_span(section), host, port,
                                        user, pw, spans))
    for section in r.raw.sections:
        if section_kind(section) != "unix_http_server":
            continue
        spans = {}
        kind = "unix_http_server"
        text = r.text(section, "file")
        if text is None:
            r.error(r.header_span(section), f"[{section}] has no file value",
                       "missing-required")
            user, pw = auth(r, section, spans)
            continue
        spans["file"] = r.value_span(section, "file")
        try:
            path = r.expand(text, r.names(r.env_sd, here=r.here), f"[{section}] file",
                            UNIX_FILE, spans["file"])[0].strip()
        except ExpansionError as exc:
            r.error(spans["file"], str(exc), "expansion")
            path = text.strip()
        path = os.path.normpath(os.path.abspath(os.path.expanduser(path)))
        user, pw = auth(r, section, spans)
        chown = r.read_opt(section, kind, "chown", names, spans)
        chmod = r.read_opt(section, kind, "chmod", names, spans)
        out.append(UnixHttpServerConfig(section, r.header_span(section), path, chmod,
                                        chown, user, pw, spans))
    return out


def build_supervisorctl(r: Reader) -> SupervisorctlConfig | None:
    section = "supervisorctl"
    if section not in r.raw.sections:
        return None
    spans: dict[str, Span] = {}
    values: dict[str, Any] = {}
    for spec in options_for(section).values():
        names = r.names(r.env_os, here=r.here) if "here" in spec.expansion.names \
            else dict(r.env_os)
        values[spec.name] = r.read_opt(section, section, spec.name, names, spans)
    return SupervisorctlConfig(r.header_span(section), spans=spans, **values)
