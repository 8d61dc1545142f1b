"""Parse supervisor config text into a Document (syntax/ast.py).

The LALR(1) tables are computed ahead of time from grammar/supervisor.lark (_tables.py, by
grammar/build_parser.py) and driven here by a small shift-reduce loop. Parsing never fails on
bad lines: they become BadLine nodes, so a caller can report every problem at once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from itertools import chain
from typing import Any

from supervisor_tools.errors import Span, SvtoolError
from supervisor_tools.syntax import _tables
from supervisor_tools.syntax.ast import (
    BadLine,
    Blank,
    Comment,
    Document,
    Header,
    Item,
    Option,
    Section,
    ValueLine,
    fast_constructor,
)
from supervisor_tools.syntax.lines import SECTION_RE, LineToken, classify, split_lines

MAX_FILE_BYTES = 64 * 1024 * 1024

# Span is a NamedTuple; building it through tuple.__new__ skips its generated __new__
_tuple_new = tuple.__new__
_blank = fast_constructor(Blank)
_comment = fast_constructor(Comment)
_value_line = fast_constructor(ValueLine)
_option = fast_constructor(Option)


class _ToAst:
    """Builds AST nodes as the parser reduces: one method per grammar rule, called with the
    rule's children (helper rules' children spliced in, as lark's tree builder would)."""

    def __init__(self) -> None:
        self.path = "<string>"

    def _span(self, tok: LineToken, start: int = 0, end: int | None = None) -> Span:
        stop = len(tok.text.rstrip("\r\n")) if end is None else end
        line = tok.line
        return _tuple_new(Span, (self.path, line, start + 1, line, stop + 1))

    def _value_line(self, tok: LineToken) -> ValueLine:
        info = tok.info
        assert info is not None
        text = tok.text
        if tok.type == "OPTION":
            vs, ve = info.value_start, info.value_end
        else:
            vs, ve = info.content_start, info.content_end
        comment = None if info.comment_start is None else text[info.comment_start:info.eol_start]
        path, line = self.path, tok.line
        return _value_line(text, _tuple_new(Span, (path, line, 1, line, info.eol_start + 1)),
                           text[vs:ve], _tuple_new(Span, (path, line, vs + 1, line, ve + 1)),
                           comment)

    def _trivia(self, tok: LineToken) -> Blank | Comment | BadLine:
        kind = tok.type
        text = tok.text
        span = self._span(tok)
        if kind == "BLANK":
            return _blank(text, span, False)
        if kind == "COMMENT":
            return _comment(text, span, False)
        if kind == "VALUE_BLANK":
            return _blank(text, span, True)
        if kind == "VALUE_COMMENT":
            return _comment(text, span, True)
        return BadLine(text, span, "orphan" if kind == "ORPHAN" else "invalid")

    def invalid(self, c: list[Any]) -> BadLine:
        tok = c[0]
        text = tok.text + "".join(line.text for cont in c[1:] for line in cont)
        return BadLine(text, self._span(tok), "invalid")

    def continuation(self, c: list[Any]) -> list[Any]:
        return [*(self._trivia(x) for x in c[:-1]), self._value_line(c[-1])]

    def option(self, c: list[Any]) -> Option:
        tok = c[0]
        info = tok.info
        if len(c) == 1:
            # most options are one line: build it inline, the parser's hottest path
            text, path, line = tok.text, self.path, tok.line
            vs, ve, eol, ks = info.value_start, info.value_end, info.eol_start, info.key_start
            cs = info.comment_start
            key = info.key
            value_line = _value_line(text, _tuple_new(Span, (path, line, 1, line, eol + 1)),
                                     text[vs:ve], _tuple_new(Span, (path, line, vs + 1, line,
                                                                    ve + 1)),
                                     None if cs is None else text[cs:eol])
            return _option(key.lower(), key,
                           _tuple_new(Span, (path, line, ks + 1, line, ks + len(key) + 1)),
                           (value_line,), _tuple_new(Span, (path, line, ks + 1, line, eol + 1)))
        lines: list[ValueLine | Blank | Comment] = [self._value_line(tok)]
        for cont in c[1:]:
            lines.extend(cont)
        key_span = self._span(tok, info.key_start, info.key_start + len(info.key))
        last = lines[-1].span
        span = _tuple_new(Span, (self.path, key_span.line, key_span.col, last.end_line,
                                 last.end_col))
        return _option(info.key.lower(), info.key, key_span, tuple(lines), span)

    def section(self, c: list[Any]) -> list[Any]:
        # c is [header token] for the first line, then [lines so far, next item]
        if len(c) == 1:
            return c
        acc: list[Any] = c[0]
        acc.append(c[1])
        return acc

    def _section(self, c: list[Any]) -> Section:
        tok = c[0]
        info = tok.info
        text = tok.text
        content = text[info.content_start:info.content_end]
        m = SECTION_RE.match(content)
        assert m is not None
        ns = info.content_start + m.start("header")
        ne = info.content_start + m.end("header")
        comment = None if info.comment_start is None else text[info.comment_start:info.eol_start]
        header = Header(text, m.group("header"), self._span(tok), self._span(tok, ns, ne), comment)
        body: tuple[Item, ...] = tuple(
            x if isinstance(x, (Option, BadLine)) else self._trivia(x) for x in c[1:])
        end = body[-1].span if body else header.span
        return Section(header, body,
                       Span(self.path, header.span.line, 1, end.end_line, end.end_col))

    def preamble(self, c: list[Any]) -> list[Any]:
        return [self._trivia(x) for x in c]

    def start(self, c: list[Any]) -> Document:
        preamble, sections = c[0], tuple(self._section(x) for x in c[1:])
        last_line = 1
        if sections:
            last_line = sections[-1].span.end_line
        elif preamble:
            last_line = preamble[-1].span.end_line
        return Document(self.path, tuple(preamble), sections,
                        Span(self.path, 1, 1, last_line, 1))


class _End:
    """The end-of-input token."""

    type = "$END"


_END = (_End(),)


class _Unexpected(Exception):
    pass


_lock = threading.Lock()
_transformer = _ToAst()
# per rule: the method building its node (None for helper rules, whose value is the list of
# their children), how many symbols it reduces, which of those are spliced helper lists, and
# whether the reduction only appends its last symbol to the list its first one already is:
# a helper list growing by one (`_x: _x item`) or a section growing by one line. Those are
# done in place, so a file of n lines costs n appends rather than n list copies.
_REDUCE: tuple[tuple[str, Any, int, tuple[int, ...], bool], ...] = tuple(
    (name, None if name.startswith("_") else getattr(_transformer, name), size, splice,
     size == 2 and (splice == (0,) if name.startswith("_") else name == "section"))
    for name, size, splice in _tables.RULES)


def _drive(tokens: Iterable[Any]) -> Any:
    """The LALR(1) shift-reduce loop over the generated tables."""
    actions = _tables.ACTIONS
    end_state = _tables.END
    reduce_by = _REDUCE
    top = _tables.START
    states = [top]
    values: list[Any] = []
    push_state = states.append
    push_value = values.append
    for tok in tokens:
        kind = tok.type
        while True:
            act = actions[top].get(kind)
            if act is None:
                raise _Unexpected(f"line {getattr(tok, 'line', '?')}: unexpected {kind}")
            if act >= 0:
                push_state(act)
                push_value(tok)
                top = act
                break
            name, build, size, splice, append = reduce_by[~act]
            if append:
                item = values.pop()
                values[-1].append(item)
                del states[-2:]
                top = actions[states[-1]][name]
                push_state(top)
                continue
            if size == 1 and not splice:
                children = [values.pop()]
                states.pop()
            elif size:
                children = values[-size:]
                del values[-size:]
                del states[-size:]
                if splice:
                    flat: list[Any] = []
                    for i, child in enumerate(children):
                        if i in splice:
                            flat.extend(child)
                        else:
                            flat.append(child)
                    children = flat
            else:
                children = []
            top = actions[states[-1]][name]
            push_state(top)
            push_value(children if build is None else build(children))
            if top == end_state and kind == "$END":
                return values[-1]
    raise _Unexpected("input ended before the end token")


def parse(text: str, path: str = "<string>") -> Document:
    """Parse config text. Never raises for bad lines; see Document.bad_lines().

    Lines come from syntax/lines.py (the grammar's lexer and postlexer) and are fed straight
    to the LALR(1) tables generated from grammar/supervisor.lark.
    """
    if not text:
        return Document(path, (), (), Span(path, 1, 1, 1, 1))
    with _lock:
        _transformer.path = path
        doc: Document = _drive(chain(classify(split_lines(text)), _END))
        return doc


def decode(data: bytes, path: str) -> str:
    """Decode file bytes as supervisord does on a UTF-8 system, with a positioned error."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        raise SvtoolError(
            f"file is not valid UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded",
            Span(path, line, col, line, col + 1),
        ) from None


def read_bytes(path: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """A file's bytes, at least `limit` + 1 of them when it is longer; OSError as open() raises.

    Plain descriptor reads: a buffered file's read(limit) sets aside `limit` bytes first, which
    made reading a small file about six times slower than this.
    """
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        chunks = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_text(path: str) -> str:
    """Read a text file as svtool reads configs: UTF-8, size-limited, errors positioned."""
    try:
        data = read_bytes(path)
    except IsADirectoryError:
        raise SvtoolError("is a directory, not a file", Span.point(path)) from None
    except FileNotFoundError:
        raise SvtoolError("no such file", Span.point(path)) from None
    except OSError as exc:
        raise SvtoolError(f"cannot read file: {exc.strerror}", Span.point(path)) from None
    if len(data) > MAX_FILE_BYTES:
        raise SvtoolError(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB",
                          Span.point(path))
    return decode(data, path)


def read_file(path: str) -> Document:
    """Read and parse one config file; unreadable or undecodable files raise SvtoolError."""
    return parse(read_text(path), path)
