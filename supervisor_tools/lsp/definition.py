"""Go to definition: from an `[include] files=` pattern to the files it matches, and from a
`[group:x] programs=` member to that program's section."""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Iterable, Mapping

from supervisor_tools.errors import Span, SvtoolError
from supervisor_tools.lint.surroundings import CONFIG_SUFFIXES, is_supervisor_config
from supervisor_tools.lsp.locate import EXPANSION, Spot
from supervisor_tools.model.reader import include_matches
from supervisor_tools.syntax.ast import Document
from supervisor_tools.syntax.parser import decode, parse, read_bytes

MEMBER_KINDS = ("program", "fcgi-program")  # what a [group:x] programs= may name


def targets(found: Spot, path: str, documents: Mapping[str, Document],
            environ: Mapping[str, str]) -> list[Span]:
    section = found.section
    if section is None or found.option is None or not found.token:
        return []
    if section.name == "include" and found.option.key == "files":
        return include_targets(found.token, path, environ)
    if section.name.startswith("group:") and found.option.key == "programs":
        return member_targets(found.token, path, documents)
    return []


def include_targets(pattern: str, path: str, environ: Mapping[str, str]) -> list[Span]:
    """The files an [include] pattern matches, its %(here)s, %(host_node_name)s and ENV_
    expanded as the loader expands them on this machine."""
    here = os.path.dirname(os.path.abspath(path))
    names = {"here": here, "host_node_name": platform.node(),
             **{"ENV_" + k: v for k, v in environ.items()}}

    def value(m: re.Match[str]) -> str:
        return names.get(m.group(1), m.group(0))

    expanded = EXPANSION.sub(value, pattern).replace("%%", "%")
    _, matches = include_matches(here, expanded)
    return [Span.point(m) for m in matches if os.path.isfile(m)]


def member_targets(name: str, path: str, documents: Mapping[str, Document]) -> list[Span]:
    """Where `[program:name]` (or `[fcgi-program:name]`) is: in the files the lint read, else
    in the supervisor configs beside this one."""
    wanted = {f"{kind}:{name}" for kind in MEMBER_KINDS}
    found = _headers(documents.values(), wanted)
    if found:
        return found
    return _headers(_siblings(os.path.dirname(path), set(documents)), wanted)


def _headers(docs: Iterable[Document], wanted: set[str]) -> list[Span]:
    return [s.header.name_span for doc in docs for s in doc.sections if s.name in wanted]


def _siblings(directory: str, known: set[str]) -> Iterable[Document]:
    try:
        entries = sorted(os.listdir(directory))
    except OSError:
        return
    for entry in entries:
        sibling = os.path.join(directory, entry)
        if not entry.endswith(CONFIG_SUFFIXES) or sibling in known:
            continue
        try:
            data = read_bytes(sibling)
            if is_supervisor_config(data):
                yield parse(decode(data, sibling), sibling)
        except (OSError, SvtoolError):
            continue
