"""The fast line splitter is exactly the grammar's lexer, and the generated tables are lark's
parser.

syntax/lines.py cuts text into BLANK / COMMENT / TEXT lines without lark's lexer, for speed;
here lark builds the lexer from grammar/supervisor.lark's own terminals and both must agree.
syntax/parser.py drives LALR tables written out ahead of time; lark's own parser, fed the same
tokens, must build the same document.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st
from lark import Lark

from supervisor_tools.syntax import parser as syntax_parser
from supervisor_tools.syntax.lines import classify, split_lines
from supervisor_tools.syntax.parser import _End

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


# Lines a config is made of, so that every grammar rule is reached: headers, options,
# continuations with blank and comment lines inside, orphans and invalid lines.
CONFIG_LINES = ["[a]\n", " [b] ;c\n", "k = v\n", "k2: v ;c\n", "  more\n", "\n", "  \n", ";c\n",
                "  # c\n", "junk\n", "=v\n", "  cont ; x\n", "[DEFAULT]\n"]


_BUILDER = type(syntax_parser._transformer)()  # a separate node builder for lark to call
LARK_AST = Lark(GRAMMAR, parser="lalr", lexer="basic", postlex=_KeepText(), transformer=_BUILDER)


def _lark_parse(text: str, path: str) -> object:
    # lark's own LALR parser over the same tokens, building the same nodes
    _BUILDER.path = path
    state = LARK_AST.parse_interactive().parser_state
    for tok in classify(split_lines(text)):
        state.feed_token(tok)
    return state.feed_token(_End(), True)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(CONFIG_LINES), max_size=25).map("".join))
@example("[a]\nk = v\n\n  ;c\n  more\n[b]\n")
def test_parser_tables_match_larks_parser(text: str) -> None:
    if not text:
        return  # both give the empty document without parsing
    assert syntax_parser.parse(text, "x.conf") == _lark_parse(text, "x.conf")
