"""Apply certain fixes through the syntax tree and print the file back, comments and layout
kept (files.py writes the result)."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable
from typing import TypeVar

from supervisor_tools.lint.rule import Edit, Finding, InsertLine, TextEdit
from supervisor_tools.syntax.ast import (
    BadLine,
    Blank,
    Comment,
    Document,
    Item,
    Option,
    Section,
    ValueLine,
)
from supervisor_tools.syntax.parser import parse
from supervisor_tools.syntax.printer import print_document

N = TypeVar("N", bound=Blank | Comment | BadLine | ValueLine)


def _splice(text: str, edits: list[TextEdit]) -> str:
    body = text.rstrip("\r\n")
    ending = text[len(body):]
    for e in sorted(edits, key=lambda e: e.col, reverse=True):
        body = body[: e.col - 1] + e.text + body[e.end_col - 1:]
    return body + ending


def _edit_node(node: N, by_line: dict[int, list[TextEdit]]) -> N:
    edits = by_line.get(node.span.line)
    if not edits:
        return node
    return dataclasses.replace(node, text=_splice(node.text, edits))


def _new_option(text: str, ending: str) -> Option:
    doc = parse(f"[x]\n{text}{ending}")
    opt = doc.sections[0].options()[0]
    return opt


def _edit_items(items: Iterable[Item], by_line: dict[int, list[TextEdit]],
                inserts: dict[int, list[str]]) -> list[Item]:
    out: list[Item] = []
    for item in items:
        if isinstance(item, Option):
            lines = tuple(_edit_node(ln, by_line) for ln in item.lines)
            item = dataclasses.replace(item, lines=lines)
            out.append(item)
            for text in inserts.get(item.span.end_line, []):
                last = item.lines[-1]
                ending = last.text[len(last.text.rstrip("\r\n")):]
                if not ending:  # the option ends the file without a newline
                    ending = "\n"
                    out[-1] = item = dataclasses.replace(
                        item, lines=(*item.lines[:-1],
                                     dataclasses.replace(last, text=last.text + ending)))
                out.append(_new_option(text, ending))
        else:
            out.append(_edit_node(item, by_line))
    return out


def _overlaps(edit: TextEdit, taken: list[TextEdit]) -> bool:
    return any(t.file == edit.file and t.line == edit.line
               and (t.col < edit.end_col and edit.col < t.end_col or t.col == edit.col)
               for t in taken)


def apply(doc: Document, edits: Iterable[Edit]) -> Document:
    """The document with the edits made; overlapping text edits after the first are skipped."""
    taken: list[TextEdit] = []
    inserts: dict[int, list[str]] = {}
    for e in edits:
        if isinstance(e, InsertLine):
            inserts.setdefault(e.line, []).append(e.text)
        elif not _overlaps(e, taken):
            taken.append(e)
    by_line: dict[int, list[TextEdit]] = {}
    for e in taken:
        by_line.setdefault(e.line, []).append(e)
    preamble = tuple(_edit_node(n, by_line) for n in doc.preamble)
    sections: list[Section] = []
    for section in doc.sections:
        header = section.header
        if header.span.line in by_line:
            header = dataclasses.replace(header, text=_splice(header.text,
                                                              by_line[header.span.line]))
        body = tuple(_edit_items(section.body, by_line, inserts))
        sections.append(dataclasses.replace(section, header=header, body=body))
    return dataclasses.replace(doc, preamble=preamble, sections=tuple(sections))


def planned(findings: Iterable[Finding], documents: dict[str, Document]) -> dict[str, str]:
    """New text for every file that the findings' fixes change."""
    by_file: dict[str, list[Edit]] = {}
    for f in findings:
        if f.fix is None:
            continue
        files = {e.file for e in f.fix.edits}
        if len(files) != 1 or next(iter(files)) not in documents:
            continue
        path = next(iter(files))
        known = by_file.setdefault(path, [])
        if any(isinstance(e, TextEdit) and _overlaps(e, [k for k in known
                                                         if isinstance(k, TextEdit)])
               for e in f.fix.edits):
            continue  # every edit of one fix or none of them
        known.extend(e for e in f.fix.edits if e not in known)
    out: dict[str, str] = {}
    for path, edits in by_file.items():
        doc = documents[path]
        new = print_document(apply(doc, edits))
        if new != print_document(doc):
            out[path] = new
    return out


def unified_diff(path: str, old: str, new: str) -> str:
    out = []
    for line in difflib.unified_diff(old.splitlines(keepends=True),
                                     new.splitlines(keepends=True),
                                     fromfile=f"a/{path}", tofile=f"b/{path}"):
        if not line.endswith(("\n", "\r")):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)

