"""Completion: section kinds after `[`, the options of the current section before `=`, and the
values of options whose type is closed (booleans, signals, autorestart, log levels, events)."""

from __future__ import annotations

import re

from lsprotocol import types as lsp

from supervisor_tools.lsp.hover import option_text
from supervisor_tools.lsp.locate import section_at
from supervisor_tools.lsp.values import closed_values
from supervisor_tools.options.table import (
    BARE_KINDS,
    NAMED_KINDS,
    PREFIX_KINDS,
    SECTION_DOCS,
    options_for,
    section_kind,
    spec,
)
from supervisor_tools.syntax.ast import Document

_KEY_PREFIX = re.compile(r"^([A-Za-z0-9_.\-]*)$")
_KEY_VALUE = re.compile(r"^([^=:\s;#][^=:]*?)\s*[=:]\s*(.*)$")


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
