"""Completion: section kinds after `[`, the options of the current section before `=`, and the
values of options whose type is closed (booleans, signals, autorestart, log levels, events)."""

from __future__ import annotations

import re
import signal
from typing import Any

from lsprotocol import types as lsp

from supervisor_tools.lsp.hover import option_text
from supervisor_tools.lsp.locate import section_at
from supervisor_tools.options import types as t
from supervisor_tools.options.signals import SIGNAL_NUMBERS
from supervisor_tools.options.table import (
    BARE_KINDS,
    NAMED_KINDS,
    PREFIX_KINDS,
    SECTION_DOCS,
    options_for,
    section_kind,
    spec,
)
from supervisor_tools.options.valuetype import ValueType
from supervisor_tools.syntax.ast import Document

_KEY_PREFIX = re.compile(r"^([A-Za-z0-9_.\-]*)$")
_KEY_VALUE = re.compile(r"^([^=:\s;#][^=:]*?)\s*[=:]\s*(.*)$")


def closed_values(value_type: ValueType) -> list[str]:
    """The values a closed type takes, in the words its own module names them (its format of
    True and False, its constants, its JSON Schema's enum); [] for an open type (a path, a
    number, a command)."""
    if isinstance(value_type, t.BooleanType):
        return [value_type.format(True), value_type.format(False)]
    if isinstance(value_type, t.AutoRestartType):
        return [value_type.format(True), value_type.format(False), t.UNEXPECTED]
    if isinstance(value_type, t.SignalType):
        return sorted({value_type.convert(str(n)) for n in SIGNAL_NUMBERS
                       if n > 0 and _named(n)})
    if isinstance(value_type, t.EventsType):
        return list(t.EVENT_TYPES)
    return _enum(value_type.schema())


def _named(num: int) -> bool:
    try:
        signal.Signals(num)
    except ValueError:
        return False
    return True


def _enum(schema: dict[str, Any]) -> list[str]:
    if "enum" in schema:
        return [str(v) for v in schema["enum"]]
    for branch in schema.get("oneOf", []) + schema.get("anyOf", []):
        found = _enum(branch)
        if found:
            return found
    return []


def _section_items(prefix: str) -> list[lsp.CompletionItem]:
    items = []
    for kind in (*BARE_KINDS, *PREFIX_KINDS, *NAMED_KINDS):
        label = kind + ":" if kind in NAMED_KINDS else kind
        if label.startswith(prefix):
            items.append(lsp.CompletionItem(label=label, kind=lsp.CompletionItemKind.Module,
                                            detail=SECTION_DOCS[kind]))
    return items


def complete(doc: Document, lines: list[str], line: int, col: int) -> list[lsp.CompletionItem]:
    """Completions at 0-based `line` and code point `col` of the buffer."""
    text = lines[line][:col] if line < len(lines) else ""
    stripped = text.lstrip()
    if stripped.startswith("["):
        return _section_items(stripped[1:])
    if text[:1].isspace() or stripped.startswith((";", "#")):
        return []  # a continuation line or a comment
    section = section_at(doc, line + 1)
    kind = section_kind(section.name) if section is not None else None
    if kind is None or section is None:
        return []
    pair = _KEY_VALUE.match(stripped)
    if pair is not None:
        row = spec(kind, pair.group(1).strip().lower())
        if row is None:
            return []
        word = re.split(r"[\s,]", pair.group(2))[-1]
        return [lsp.CompletionItem(label=value, kind=lsp.CompletionItemKind.EnumMember,
                                   detail=f"{row.name}: {row.type.name}")
                for value in closed_values(row.type) if value.lower().startswith(word.lower())]
    if _KEY_PREFIX.match(stripped) is None:
        return []
    present = {o.key for o in section.options() if o.span.line != line + 1}
    return [lsp.CompletionItem(
        label=row.name, kind=lsp.CompletionItemKind.Property, detail=row.type.name,
        documentation=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown,
                                        value=option_text(row, kind)),
        insert_text=row.name + "=")
        for row in options_for(kind).values()
        if row.name not in present and row.name.startswith(stripped.lower())]
