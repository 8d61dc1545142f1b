"""The fast line splitter is exactly the grammar's lexer.

syntax/lines.py cuts text into BLANK / COMMENT / TEXT lines without lark's lexer, for speed;
here lark builds the lexer from grammar/supervisor.lark's own terminals and both must agree.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st
from lark import Lark

from supervisor_tools.syntax.lines import split_lines

GRAMMAR = (Path(__file__).resolve().parents[2] / "grammar/supervisor.lark").read_text()


class _KeepText:
    always_accept = ("TEXT",)

    def process(self, stream: object) -> object:
        return stream


LARK = Lark(GRAMMAR, parser="lalr", lexer="basic", postlex=_KeepText())

ALPHABET = [" ", "\t", "\n", "\r", "\r\n", ";", "#", "[", "]", "=", "a", "\u3000", "\x0c",
            "\x0b", "\x1c", "\x85", "\u2028", "é"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), max_size=30).map("".join))
@example("a\r\n\r b \n;c")
@example("\u2028x\x85y\n")
def test_split_lines_matches_grammar_terminals(text: str) -> None:
    ours = [(t.type, t.text) for t in split_lines(text)]
    theirs = [(t.type, str(t)) for t in LARK.lex(text)]
    assert ours == theirs
