"""Syntax trees as plain tuples of strings and ints, and back, for marshal between processes.

marshal reads such tuples in C, and rebuilding nodes from them skips splitting, classifying and
the shift-reduce loop, so a tree parsed in a forked child costs the parent a fraction of a parse.
Every span in a tree names the tree's own file, so spans travel without it.
"""

from __future__ import annotations

from typing import Any

from supervisor_tools.errors import Span
from supervisor_tools.syntax.ast import (
    BadLine,
    Blank,
    Comment,
    Document,
    Header,
    Option,
    Section,
    ValueLine,
    fast_constructor,
)

_BLANK, _COMMENT, _BAD, _OPTION, _VALUE = range(5)
_tuple_new = tuple.__new__
_blank = fast_constructor(Blank)
_comment = fast_constructor(Comment)
_bad = fast_constructor(BadLine)
_option = fast_constructor(Option)
_value = fast_constructor(ValueLine)
_header = fast_constructor(Header)
_section = fast_constructor(Section)
_document = fast_constructor(Document)


def _s(span: Span) -> tuple[int, int, int, int]:
    return span[1:]


def _item(node: Any) -> tuple[Any, ...]:
    kind = type(node)
    if kind is Option:
        return (_OPTION, node.key, node.raw_key, _s(node.key_span),
                tuple(_item(line) for line in node.lines), _s(node.span))
    if kind is ValueLine:
        return (_VALUE, node.text, _s(node.span), node.value, _s(node.value_span), node.comment)
    if kind is Blank:
        return (_BLANK, node.text, _s(node.span), node.in_value)
    if kind is Comment:
        return (_COMMENT, node.text, _s(node.span), node.in_value)
    if kind is BadLine:
        return (_BAD, node.text, _s(node.span), node.kind)
    raise TypeError(f"not a syntax node: {node!r}")


def encode(doc: Document) -> tuple[Any, ...]:
    sections = tuple(
        ((h.text, h.name, _s(h.span), _s(h.name_span), h.comment),
         tuple(_item(item) for item in s.body), _s(s.span))
        for s in doc.sections for h in (s.header,))
    return (doc.path, tuple(_item(node) for node in doc.preamble), sections, _s(doc.span))


def decode(data: tuple[Any, ...]) -> Document:
    path = data[0]
    file = (path,)
    new = _tuple_new

    def item(t: tuple[Any, ...]) -> Any:
        # spans are rebuilt inline: this runs for every line of every file sent
        tag = t[0]
        if tag == _OPTION:
            return _option(t[1], t[2], new(Span, file + t[3]), tuple(map(item, t[4])),
                           new(Span, file + t[5]))
        if tag == _VALUE:
            return _value(t[1], new(Span, file + t[2]), t[3], new(Span, file + t[4]), t[5])
        if tag == _BLANK:
            return _blank(t[1], new(Span, file + t[2]), t[3])
        if tag == _COMMENT:
            return _comment(t[1], new(Span, file + t[2]), t[3])
        return _bad(t[1], new(Span, file + t[2]), t[3])

    sections = tuple(
        _section(_header(h[0], h[1], new(Span, file + h[2]), new(Span, file + h[3]), h[4]),
                 tuple(map(item, body)), new(Span, file + s))
        for h, body, s in data[2])
    return _document(path, tuple(map(item, data[1])), sections, new(Span, file + data[3]))
