"""How supervisord's config reader sees one physical line, and the postlexer that uses it.

This mirrors Python's RawConfigParser._read as supervisord configures it, rule for rule,
including its quirks: which ";"/"#" starts an inline comment, how deep a line must be indented
to continue a value, and where a section name ends.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

# Both patterns are configparser's own, applied to the comment-stripped, stripped line.
SECTION_RE = re.compile(r"\[(?P<header>.+)\]")
OPTION_RE = re.compile(r"(?P<option>.*?)\s*(?P<vi>[=:])\s*(?P<value>.*)$")


class LineInfo(NamedTuple):
    """Offsets into one physical line (0-based, relative to the line's first character).

    A NamedTuple: the parser builds one or two per line, and it is the cheapest immutable value.
    """

    indent: int  # index of the first non-whitespace character
    content_start: int  # the stripped, comment-free text is text[content_start:content_end]
    content_end: int
    comment_start: int | None  # where an inline or whole-line comment starts
    eol_start: int  # where the line terminator (or the end of text) starts
    key: str = ""  # OPTION lines: the key as written (not yet lower-cased)
    key_start: int = 0
    value_start: int = 0  # OPTION lines: the value part, stripped
    value_end: int = 0


def comment_start(line: str) -> int | None:
    """Where configparser starts the comment of `line`, or None.

    An inline prefix counts only when it opens the line or follows whitespace. configparser
    scans ";" and "#" in lock-step rounds and stops after the first round in which any of them
    qualifies, so `a;b;c;d ;e #f` is cut at "#", not at " ;": we do the same.
    """
    stripped = line.strip()
    if stripped.startswith(";") or stripped.startswith("#"):
        return 0
    start = -1
    positions = {";": -1, "#": -1}
    found = False
    while not found and positions:
        nxt: dict[str, int] = {}
        for prefix, index in positions.items():
            index = line.find(prefix, index + 1)
            if index == -1:
                continue
            nxt[prefix] = index
            if index == 0 or line[index - 1].isspace():
                start = index if not found else min(start, index)
                found = True
        positions = nxt
    return start if found else None


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


class LineToken:
    """One physical line as a parser token: the grammar's terminal name, text, line number.

    Lark's parser reads only `.type`; the transformer reads the rest.
    """

    __slots__ = ("type", "text", "line", "info")

    def __init__(self, type_: str, text: str, line: int, info: LineInfo | None = None) -> None:
        self.type = type_
        self.text = text
        self.line = line
        self.info = info

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"LineToken({self.type}, {self.text!r}, {self.line})"


def split_lines(text: str) -> list[LineToken]:
    """Cut text into BLANK / COMMENT / TEXT lines exactly as the grammar's terminals do.

    Equivalent to the grammar's lexer (a test checks it against lark's) but several times
    faster: one regex call for the whole text, then a look at each line's first character.
    """
    out = []
    for number, line in enumerate(_LINE.findall(text), start=1):
        body = line.lstrip()
        if not body or body[0] in "\r\n":
            kind = "BLANK"
        elif body[0] in ";#":
            kind = "COMMENT"
        else:
            kind = "TEXT"
        out.append(LineToken(kind, line, number))
    return out


def classify(tokens: list[LineToken]) -> Iterator[LineToken]:
    """Rename TEXT/BLANK/COMMENT tokens as configparser's reading loop would classify them.

    This is the postlexer of grammar/supervisor.lark: what a line means depends on the lines
    before it (indentation relative to the current option's key line).
    """
    in_section = False
    optname = ""  # configparser's `optname`: a continuation needs a non-empty one
    indent_level = 0
    pending: list[LineToken] = []  # blank/comment lines after an option, fate not yet known
    section_match = SECTION_RE.match
    option_match = OPTION_RE.match
    for tok in tokens:
        if tok.type != "TEXT":
            if in_section and optname:
                pending.append(tok)
            else:
                yield tok
            continue
        text = tok.text
        eol = len(text.rstrip("\r\n"))
        # most lines hold no comment character at all: skip configparser's scan for them
        cstart = comment_start(text) if ";" in text or "#" in text else None
        cut = text[:eol] if cstart is None or cstart > eol else text[:cstart]
        start = len(cut) - len(cut.lstrip())  # a TEXT line's indent, too
        end = len(cut.rstrip())
        if in_section and optname and start > indent_level:
            for p in pending:
                p.type = "VALUE_BLANK" if p.type == "BLANK" else "VALUE_COMMENT"
                yield p
            pending.clear()
            tok.type = "CONTINUATION"
            tok.info = LineInfo(start, start, end, cstart, eol)
            yield tok
            continue
        if pending:
            yield from pending
            pending.clear()
        indent_level = start
        if section_match(text, start, end):
            tok.type = "HEADER"
            in_section = True
            optname = ""
            tok.info = LineInfo(start, start, end, cstart, eol)
        elif not in_section:
            tok.type = "ORPHAN"
        else:
            m = option_match(text, start, end)
            if m is None:
                tok.type = "INVALID"
            else:
                key = m.group("option").rstrip()
                tok.info = LineInfo(start, start, end, cstart, eol, key, start,
                                    m.start("value"), m.end("value"))
                if key:
                    tok.type = "OPTION"
                    optname = key
                else:
                    # configparser records an empty key, reports it, and goes on with no option
                    tok.type = "INVALID"
                    optname = ""
        yield tok
    yield from pending
