"""How supervisord 4.3.0 cuts a program's `command=` into the argv it execs: the one splitter.

supervisord calls `shlex.split(command)` (POSIX rules, no comments, no shell). This module
gives the same words and raises the same ValueError texts, and can also say how each character
of a word was written, which the linter needs to tell an argument's text from shell syntax.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Without quotes or backslashes shlex cuts at its whitespace only: a regex does that many times
# faster, which matters for a conf.d of thousands of programs and for numprocs copies.
_PLAIN = re.compile(r"[^'\"\\]*\Z")
_WORDS = re.compile(r"[^ \t\r\n]+").findall
_SPACE = " \t\r\n"  # shlex's whitespace (a vertical tab is part of a word)

# What shlex says when it cannot split.
NO_CLOSING_QUOTATION = "No closing quotation"
NO_ESCAPED_CHARACTER = "No escaped character"


def split_command(command: str) -> list[str]:
    """The argv supervisord builds from `command`; ValueError (shlex's text) if it cannot."""
    return list(_argv(command))


@lru_cache(maxsize=4096)
def _argv(command: str) -> tuple[str, ...]:
    # several lint rules, and every numprocs copy, split the same command line
    if _PLAIN.match(command):
        return tuple(_WORDS(command))
    return tuple(text for text, _ in _scan(command))


def quoted_words(command: str) -> tuple[tuple[str, str], ...]:
    """`split_command(command)` with, per word, one letter per character saying how it was
    written: u(nquoted), s(ingle-quoted), d(ouble-quoted) or e(scaped by a backslash outside
    quotes). ValueError (shlex's text) when the command cannot be split."""
    return _quoted(command)


@lru_cache(maxsize=1024)
def _quoted(command: str) -> tuple[tuple[str, str], ...]:
    if _PLAIN.match(command):
        return tuple((w, "u" * len(w)) for w in _WORDS(command))
    return _scan(command)


def _scan(command: str) -> tuple[tuple[str, str], ...]:
    # shlex.shlex(posix=True, whitespace_split=True, commenters="") one character at a time
    out: list[tuple[str, str]] = []
    text: list[str] = []
    how: list[str] = []
    started = False  # a word is open (quotes alone make an empty word)
    i, n = 0, len(command)
    while i < n:
        c = command[i]
        if c in _SPACE:
            if started:
                out.append(("".join(text), "".join(how)))
                text, how, started = [], [], False
            i += 1
        elif c == "\\":
            if i + 1 >= n:
                raise ValueError(NO_ESCAPED_CHARACTER)
            text.append(command[i + 1])
            how.append("e")
            started = True
            i += 2
        elif c in "'\"":
            end = i + 1
            while True:
                if end >= n:
                    raise ValueError(NO_CLOSING_QUOTATION)
                d = command[end]
                if d == c:
                    break
                if c == '"' and d == "\\":
                    # inside double quotes a backslash escapes only `"` and itself
                    if end + 1 >= n:
                        raise ValueError(NO_ESCAPED_CHARACTER)
                    if command[end + 1] in '"\\':
                        text.append(command[end + 1])
                        how.append("d")
                        end += 2
                        continue
                text.append(d)
                how.append("s" if c == "'" else "d")
                end += 1
            started = True
            i = end + 1
        else:
            text.append(c)
            how.append("u")
            started = True
            i += 1
    if started:
        out.append(("".join(text), "".join(how)))
    return tuple(out)
