"""How a program's `command` is split: by supervisord (POSIX shlex, no shell) and by a shell."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from supervisor_tools.options.command import quoted_words, split_command

SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash"})
OPERATORS = frozenset({"|", "||", "&&", ";", ";;", ">", ">>", "<", "<<", ">&", "&>", "<&", "&",
                       "|&", "2>", "2>>"})


def argv(command: str) -> list[str] | None:
    """The argv supervisord would exec, or None when the command cannot be split."""
    try:
        return split_command(command or "")
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


def words(command: str) -> list[Word] | None:
    """`argv(command)` with how each character was quoted, or None when it cannot be split.

    The same cuts as supervisord's `shlex.split`: a shell construct inside quotes is an
    argument's text, one outside them is what the author meant a shell to read."""
    try:
        found = quoted_words(command or "")
    except ValueError:
        return None
    return [Word(text, how) for text, how in found]


# Without quotes, backslashes or shell operators a shell cuts at whitespace only: a regex does
# that many times faster than shlex, which matters on a conf.d of thousands.
_PLAIN = re.compile(r"[^'\"\\;&|<>]*\Z")
_WORDS = re.compile(r"[^ \t\r\n]+").findall


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
    import shlex  # here: a plain command (most of them) is cut without it

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
            parts = split_command(w)
        except ValueError:
            parts = [w]
        out.append(" ".join(parts))
    # `exec cmd`, `VAR=x cmd`: the command proper starts after them
    while out and (out[0] == "exec" or ("=" in out[0] and not out[0].startswith(("-", "/")))):
        out.pop(0)
    return out
