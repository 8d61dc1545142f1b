"""Suppression comments: `; svtool: disable=SV204` on a line (or alone on the line above it),
and `; svtool: disable-file=SV204,SV210` for a whole file (conventionally at its top)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from supervisor_tools.errors import Span
from supervisor_tools.lint import registry
from supervisor_tools.syntax.ast import Comment, Document, Option, ValueLine

DIRECTIVE = re.compile(r"svtool:\s*(disable-file|disable)\s*=\s*([\w\-]+(?:\s*,\s*[\w\-]+)*)")


class Suppressions:
    """What one file suppresses: per line, and for the whole file. "ALL" suppresses all."""

    def __init__(self) -> None:
        self.lines: dict[int, set[str]] = {}
        self.whole_file: set[str] = set()
        self.unknown: list[tuple[str, Span]] = []

    def covers(self, span: Span, code: str) -> bool:
        if code in self.whole_file or "ALL" in self.whole_file:
            return True
        for line in range(span.line, span.end_line + 1):
            ids = self.lines.get(line)
            if ids and (code in ids or "ALL" in ids):
                return True
        return False


def _comments(doc: Document) -> Iterator[tuple[str, int, Span, bool]]:
    """(comment text, its offset in its line, the line's span, whether it is alone there)."""
    for node in doc.preamble:
        if isinstance(node, Comment):
            yield node.text, 0, node.span, True
    for section in doc.sections:
        header = section.header
        if header.comment:
            yield header.comment, header.text.rfind(header.comment), header.span, False
        for item in section.body:
            if isinstance(item, Comment):
                yield item.text, 0, item.span, True
            elif isinstance(item, Option):
                for line in item.lines:
                    if isinstance(line, Comment):
                        yield line.text, 0, line.span, True
                    elif isinstance(line, ValueLine) and line.comment:
                        yield line.comment, line.text.rfind(line.comment), line.span, False


def collect(doc: Document) -> Suppressions:
    out = Suppressions()
    for text, offset, span, alone in _comments(doc):
        for m in DIRECTIVE.finditer(text):
            ids: set[str] = set()
            for sel in m.group(2).split(","):
                sel = sel.strip()
                if sel.upper() == "ALL":
                    ids.add("ALL")
                    continue
                rules = registry.matching(sel)
                if not rules:
                    col = 1 + offset + max(text.find(sel, m.start(2)), 0)
                    out.unknown.append((sel, Span(span.file, span.line, col, span.line,
                                                  col + len(sel))))
                ids.update(r.id for r in rules)
            if m.group(1) == "disable-file":
                out.whole_file |= ids
            else:
                # alone on its line, a directive applies to the next line
                target = span.line + 1 if alone else span.line
                out.lines.setdefault(target, set()).update(ids)
    return out
