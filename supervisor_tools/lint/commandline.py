"""How a program's `command` is split: by supervisord (POSIX shlex, no shell) and by a shell."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from functools import lru_cache

SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash"})
OPERATORS = frozenset({"|", "||", "&&", ";", ";;", ">", ">>", "<", "<<", ">&", "&>", "<&", "&",
                       "|&", "2>", "2>>"})


def argv(command: str) -> list[str] | None:
    """The argv supervisord would exec, or None when the command cannot be split."""
    split = _split(command or "")
    return None if split is None else list(split)


# Without quotes, backslashes or shell operators both splitters cut at shlex's whitespace only:
# a regex does that many times faster than shlex, which matters on a conf.d of thousands.
_PLAIN = re.compile(r"[^'\"\\;&|<>]*\Z")
_WORDS = re.compile(r"[^ \t\r\n]+").findall


@lru_cache(maxsize=4096)
def _split(command: str) -> tuple[str, ...] | None:
    # several rules look at the same command
    if _PLAIN.match(command):
        return tuple(_WORDS(command))
    try:
        return tuple(shlex.split(command))
    except ValueError:
        return None


def basename(token: str) -> str:
    return os.path.basename(token)


def shell_script(args: list[str]) -> str | None:
    """The script of `sh -c '...'` (or bash, ...), or None if the command is not a shell -c."""
    if not args or basename(args[0]) not in SHELLS:
        return None
    for i, arg in enumerate(args[1:], start=1):
        if arg == "-c" or (arg.startswith("-") and not arg.startswith("--") and "c" in arg):
            return args[i + 1] if i + 1 < len(args) else None
        if not arg.startswith("-"):
            return None
    return None


def shell_tokens(text: str) -> list[str] | None:
    """Words and operators as a shell would see them; quoted words keep their quotes."""
    tokens = _shell_tokens(text)
    return None if tokens is None else list(tokens)


@lru_cache(maxsize=4096)
def _shell_tokens(text: str) -> tuple[str, ...] | None:
    if _PLAIN.match(text):
        return tuple(_WORDS(text))
    lexer = shlex.shlex(text, posix=False, punctuation_chars=";&|<>")
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return tuple(lexer)
    except ValueError:
        return None


def simple_commands(text: str) -> Iterator[tuple[list[str], str | None]]:
    """Each simple command of a shell script (words unquoted) with the operator that ends it."""
    tokens = shell_tokens(text)
    if tokens is None:
        return
    words: list[str] = []
    for tok in tokens:
        if tok in OPERATORS or (tok and set(tok) <= set(";&|<>")):
            yield _unquote(words), tok
            words = []
        else:
            words.append(tok)
    if words:
        yield _unquote(words), None


def _unquote(words: list[str]) -> list[str]:
    out = []
    for w in words:
        try:
            parts = shlex.split(w)
        except ValueError:
            parts = [w]
        out.append(" ".join(parts))
    # `exec cmd`, `VAR=x cmd`: the command proper starts after them
    while out and (out[0] == "exec" or ("=" in out[0] and not out[0].startswith(("-", "/")))):
        out.pop(0)
    return out
