"""The parser agrees with configparser, configured as supervisord configures it, on any text."""

from __future__ import annotations

import configparser
import io

from hypothesis import example, given, settings
from hypothesis import strategies as st

from supervisor_tools.model.raw import merge
from supervisor_tools.syntax.parser import parse
from supervisor_tools.syntax.printer import print_document

PIECES = ["[", "]", "program:a", "supervisord", "DEFAULT", "=", ":", ";", "#", " ", "\t", "  ",
          "\u3000", "\xa0", "\n", "\r\n", "\r", "a", "Key", "x y", "%(here)s", "'", '"', "\x0c",
          "\ufeff", "é", "command", "=v ;c", " #c", "[x] junk", "\n  ", "\n\n  "]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def configparser_view(text: str) -> tuple[str, dict[str, dict[str, str]]] | str:
    cp = configparser.RawConfigParser(inline_comment_prefixes=(";", "#"), strict=False)
    try:
        # universal newlines, as supervisord's open() reads files
        cp.read_file(io.StringIO(text, newline=None))
    except configparser.Error as exc:
        return type(exc).__name__
    return "ok", {s: dict(cp.items(s)) for s in cp.sections()}


def our_view(text: str) -> tuple[str, dict[str, dict[str, str]]] | str:
    doc = parse(text, "t.conf")
    bad = doc.bad_lines()
    if any(b.kind == "orphan" for b in bad):
        first_orphan = min(b.span.line for b in bad if b.kind == "orphan")
        if not any(b.kind == "invalid" and b.span.line < first_orphan for b in bad):
            return "MissingSectionHeaderError"
    if bad:
        return "ParsingError"
    raw = merge([doc])
    return "ok", {name: {k: raw.get(name, k).value for k in raw.keys(name)}  # type: ignore[union-attr]
                  for name in raw.sections}


@settings(max_examples=3000, deadline=None)
@given(texts)
@example("[a]\nk=v ;c\n  cont\n\n  ; x\n  more\n")
@example("[a]\nk=a;b;c;d ;e #f\n")
@example("[a]\n=x\n  y\n")
@example("[a]\nk=1\r\n  2\r3\n")
@example("[a]\nk=1\njunk\n  cont\n")
def test_same_sections_and_values(text: str) -> None:
    assert our_view(text) == configparser_view(text)


@settings(max_examples=1000, deadline=None)
@given(texts)
def test_round_trip(text: str) -> None:
    assert print_document(parse(text, "t.conf")) == text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_parses(text: str) -> None:
    assert print_document(parse(text, "t.conf")) == text
