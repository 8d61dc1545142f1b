"""How a program's `command` is split: by supervisord (POSIX shlex, no shell) and by a shell."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

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


class Word(NamedTuple):
    """One argument as supervisord splits a command, with how each character was written."""

    text: str
    # one letter per character of `text`: u(nquoted), s(ingle-quoted), d(ouble-quoted) or
    # e(scaped by a backslash outside quotes)
    how: str

    def bare(self, hidden: str = "sde") -> str:
        """`text` with the characters written in one of the ways `hidden` replaced by NUL."""
        if "u" not in self.how and hidden == "sde":
            return "\0" * len(self.text)
        return "".join("\0" if h in hidden else c for c, h in zip(self.text, self.how, strict=True))


_SPACE = " \t\r\n"  # shlex's whitespace (a vertical tab is part of a word)


def words(command: str) -> list[Word] | None:
    """`argv(command)` with how each character was quoted, or None when it cannot be split.

    The same cuts as supervisord's `shlex.split`: a shell construct inside quotes is an
    argument's text, one outside them is what the author meant a shell to read."""
    found = _words(command or "")
    return None if found is None else list(found)


@lru_cache(maxsize=1024)
def _words(command: str) -> tuple[Word, ...] | None:
    if _PLAIN.match(command):
        return tuple(Word(w, "u" * len(w)) for w in _WORDS(command))
    out: list[Word] = []
    text: list[str] = []
    how: list[str] = []
    started = False  # a word is open (quotes alone make an empty word)
    i, n = 0, len(command)
    while i < n:
        c = command[i]
        if c in _SPACE:
            if started:
                out.append(Word("".join(text), "".join(how)))
                text, how, started = [], [], False
            i += 1
        elif c == "\\":
            if i + 1 >= n:
                return None
            text.append(command[i + 1])
            how.append("e")
            started = True
            i += 2
        elif c in "'\"":
            end = i + 1
            while True:
                if end >= n:
                    return None
                d = command[end]
                if d == c:
                    break
                if c == '"' and d == "\\" and end + 1 < n and command[end + 1] in '"\\':
                    text.append(command[end + 1])
                    end += 2
                else:
                    text.append(d)
                    end += 1
                how.append("s" if c == "'" else "d")
            started = True
            i = end + 1
        else:
            text.append(c)
            how.append("u")
            started = True
            i += 1
    if started:
        out.append(Word("".join(text), "".join(how)))
    return tuple(out)


def basename(token: str) -> str:
    return os.path.basename(token)


def shell_script(args: list[str]) -> str | None:
    """The script of `sh -c '...'` (or bash, ...), or None if the command is not a shell -c."""
    at = _script_index(args)
    return None if at is None else args[at]


def _script_index(args: list[str], start: int = 0) -> int | None:
    """Where the script is when `args[start]` is a shell run with `-c`."""
    if len(args) <= start or basename(args[start]) not in SHELLS:
        return None
    for i in range(start + 1, len(args)):
        arg = args[i]
        if arg == "-c" or (arg.startswith("-") and not arg.startswith("--") and "c" in arg):
            return i + 1 if i + 1 < len(args) else None
        if not arg.startswith("-"):
            return None
    return None


# Programs whose `-c`/`--command` argument is a command line they hand to a shell.
SHELL_RUNNERS = frozenset({"su", "runuser", "flock", "script"})


def script_arguments(args: list[str]) -> set[int]:
    """The positions in `args` of arguments that a shell runs as a script: that of a shell's
    `-c` (`sh -c '...'`, also behind a wrapper such as `env`, `tini --`, `gosu user`) and of
    `su`/`runuser`/`flock`'s `-c`."""
    found: set[int] = set()
    for i, arg in enumerate(args):
        name = basename(arg)
        if name in SHELLS:
            at = _script_index(args, i)
            if at is not None:
                found.add(at)
        elif name in SHELL_RUNNERS:
            for j in range(i + 1, len(args) - 1):
                if args[j] in ("-c", "--command"):
                    found.add(j + 1)
    return found


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
