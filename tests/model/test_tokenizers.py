"""The fast paths of the tokenizers give exactly what shlex gives, errors included."""

from __future__ import annotations

import shlex

from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_tools.lint import commandline
from supervisor_tools.options.types import environment_tokens

# the characters that decide how the tokenizers cut, and a few that do not
ENV_TEXT = st.text(alphabet="ab_:./-=,\"' \t\x0b#;é", max_size=16)
CMD_TEXT = st.text(alphabet="ab/-=\"' \t\r\n\x0b\\;&|<>é", max_size=16)


def _shlex_env(text: str) -> list[str] | None:
    lexer = shlex.shlex(text)
    lexer.wordchars += "/.+-():"
    try:
        return list(lexer)
    except ValueError:
        return None


def _tokens(text: str) -> list[str] | None:
    try:
        return environment_tokens(text)
    except ValueError:
        return None


@settings(max_examples=1500, deadline=None)
@given(ENV_TEXT)
def test_environment_tokens_match_supervisords_tokenizer(text: str) -> None:
    assert _tokens(text) == _shlex_env(text)


def test_environment_fast_path_is_taken_for_the_usual_forms() -> None:
    # word-quote runs are one token, as in shlex; a token may start right after a quote
    assert environment_tokens('A="x y",B=c"d"e') == ["A", "=", '"x y"', ",", "B", "=", 'c"d"e']
    assert environment_tokens('A="x"b') == ["A", "=", '"x"', "b"]


def _posix(text: str) -> tuple[str, ...] | None:
    try:
        return tuple(shlex.split(text))
    except ValueError:
        return None


def _shell(text: str) -> tuple[str, ...] | None:
    lexer = shlex.shlex(text, posix=False, punctuation_chars=";&|<>")
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return tuple(lexer)
    except ValueError:
        return None


@settings(max_examples=1500, deadline=None)
@given(CMD_TEXT)
def test_command_splitters_match_shlex(text: str) -> None:
    commandline._split.cache_clear()
    commandline._shell_tokens.cache_clear()
    assert commandline._split(text) == _posix(text)
    assert commandline._shell_tokens(text) == _shell(text)
