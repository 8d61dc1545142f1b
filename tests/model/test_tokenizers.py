"""The fast paths of the tokenizers give exactly what shlex gives, errors included."""

from __future__ import annotations

import shlex

from hypothesis import example, given, settings
from hypothesis import strategies as st

from supervisor_tools.lint import commandline
from supervisor_tools.options import command
from supervisor_tools.options.command import quoted_words, split_command
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


def _posix(text: str) -> tuple[str, ...] | str:
    """What supervisord's `shlex.split` gives: the words, or the text of its error."""
    try:
        return tuple(shlex.split(text))
    except ValueError as exc:
        return str(exc)


def _one_splitter(text: str) -> tuple[str, ...] | str:
    try:
        return tuple(split_command(text))
    except ValueError as exc:
        return str(exc)


def _quoted_texts(text: str) -> tuple[str, ...] | str:
    try:
        found = quoted_words(text)
    except ValueError as exc:
        return str(exc)
    assert all(len(w) == len(how) and set(how) <= set("usde") for w, how in found)
    return tuple(w for w, _ in found)


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
@example("a \"b\\\\c\\\"d\\x\" 'e\\'f")
@example('"a\\')
@example("a\\")
@example("'' \"\"")
def test_command_splitters_match_shlex(text: str) -> None:
    command._argv.cache_clear()
    command._quoted.cache_clear()
    commandline._shell_tokens.cache_clear()
    assert _one_splitter(text) == _posix(text)
    assert _quoted_texts(text) == _posix(text)
    assert commandline.argv(text) == (None if isinstance(_posix(text), str) else list(_posix(text)))
    assert commandline._shell_tokens(text) == _shell(text)


def test_quoted_words_say_how_each_character_was_written() -> None:
    assert quoted_words(r"""a'b c'"d\"e"\ f""") == (("ab cd\"e f", "usssdddeu"),)
    assert quoted_words("x  ''") == (("x", "u"), ("", ""))
