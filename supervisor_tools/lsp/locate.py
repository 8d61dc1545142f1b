"""What is at a position in a buffer: a section name, an option name, a value, an expansion."""

from __future__ import annotations

import re
from typing import NamedTuple

from supervisor_tools.syntax.ast import Document, Option, Section, ValueLine

# `%(name)s`, as supervisord's expansion writes it (any conversion letter)
EXPANSION = re.compile(r"%\(([^)\r\n]*)\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]?")


class Spot(NamedTuple):
    """What the cursor is on. `kind` is "header", "key", "value", "expansion" or "none"."""

    kind: str
    section: Section | None
    option: Option | None = None
    word: str = ""  # the expansion's name, or the value's word under the cursor
    start: int = 0  # the word's 0-based columns on its line
    end: int = 0
    token: str = ""  # in a value: its word (split at whitespace and commas) under the cursor


def section_at(doc: Document, line: int) -> Section | None:
    """The section whose header is at or above 1-based `line`."""
    found = None
    for section in doc.sections:
        if section.header.span.line <= line:
            found = section
        else:
            break
    return found


def option_at(section: Section, line: int) -> tuple[Option, ValueLine] | None:
    for option in section.options():
        if option.span.line <= line <= option.span.end_line:
            for value_line in option.lines:
                if isinstance(value_line, ValueLine) and value_line.span.line == line:
                    return option, value_line
    return None


def word_at(text: str, col: int, separators: str) -> tuple[str, int, int]:
    """The word of `text` around 0-based `col`, words split by whitespace and `separators`."""
    def sep(ch: str) -> bool:
        return ch.isspace() or ch in separators

    start = col
    while start > 0 and not sep(text[start - 1]):
        start -= 1
    end = col
    while end < len(text) and not sep(text[end]):
        end += 1
    return text[start:end], start, end


def spot(doc: Document, line: int, col: int) -> Spot:
    """What is at 1-based `line`, 0-based code point `col`."""
    section = section_at(doc, line)
    if section is None:
        return Spot("none", None)
    header = section.header
    if header.span.line == line:
        name = header.name_span
        if name.col - 2 <= col <= name.end_col:
            return Spot("header", section)
        return Spot("none", section)
    found = option_at(section, line)
    if found is None:
        return Spot("none", section)
    option, value_line = found
    if value_line is option.lines[0]:
        key = option.key_span
        if key.col - 1 <= col <= key.end_col - 1:
            return Spot("key", section, option)
    value = value_line.value_span
    if not value.col - 1 <= col <= value.end_col - 1:
        return Spot("none", section, option)
    first = value.col - 1
    token, start, end = word_at(value_line.text[first: value.end_col - 1], col - first, ",")
    for m in EXPANSION.finditer(value_line.text):
        if m.start() <= col < m.end():
            return Spot("expansion", section, option, m.group(1), m.start(), m.end(), token)
    return Spot("value", section, option, token, start + first, end + first, token)
