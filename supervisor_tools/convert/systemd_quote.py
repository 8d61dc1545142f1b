"""Quoting for systemd unit files: command lines, environment assignments and paths.

systemd splits `ExecStart=` itself: words separated by whitespace, single or double quotes,
C-style escapes (also outside quotes), `%` specifiers everywhere and `$VAR` substitution in
command arguments. Each word supervisord would pass (POSIX shlex) is written so systemd's split
gives the same word back.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence

# Words made only of these characters mean the same to systemd quoted or not.
_SAFE_WORD = re.compile(r"^[A-Za-z0-9_@%+=:,./\-]+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_C_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\a": "\\a",
              "\b": "\\b", "\f": "\\f", "\v": "\\v"}

# systemd's default PATH for services. supervisord searches the program's PATH, or else its own;
# started by systemd, that is this one (and the unit will have it too).
SYSTEMD_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")

Which = Callable[[str], bool]


def is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def noncharacter(text: str) -> str | None:
    """A Unicode noncharacter in `text`: systemd refuses a unit line holding one, escaped or not."""
    for ch in text:
        code = ord(ch)
        if 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE:
            return ch
    return None


def specifiers(text: str) -> str:
    """Escape `%` so systemd's specifier expansion gives `text` back."""
    return text.replace("%", "%%")


def _quoted(text: str) -> str:
    out = []
    for ch in text:
        if ch in _C_ESCAPES:
            out.append(_C_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def exec_word(word: str, executable: bool = False) -> str:
    """One command word as systemd reads it back: specifiers, `$` and quotes escaped.

    systemd substitutes variables in the arguments but not in the executable's path.
    """
    text = specifiers(word) if executable else specifiers(word).replace("$", "$$")
    return text if _SAFE_WORD.fullmatch(text) else _quoted(text)


def exec_line(words: Sequence[str]) -> str:
    return " ".join(exec_word(w, executable=i == 0) for i, w in enumerate(words))


def env_name_valid(name: str) -> bool:
    return bool(_ENV_NAME.fullmatch(name))


def env_assignment(name: str, value: str) -> str:
    """`NAME=value` for one `Environment=` line (systemd substitutes no `$` there)."""
    text = specifiers(f"{name}={value}")
    return text if _SAFE_WORD.fullmatch(text) else _quoted(text)


def path_value(path: str) -> str:
    """A path for WorkingDirectory= or StandardOutput=append: normalized, specifiers escaped.

    Only `//` and `/./` go: they name the same file. A `..` is refused by path_problem, since
    removing it changes the meaning when a symlink comes before it.
    """
    return specifiers(_tidy(path))


def _tidy(path: str) -> str:
    parts = [p for p in path.split("/") if p not in ("", ".")]
    return "/" + "/".join(parts)


def path_problem(path: str) -> str | None:
    """Why systemd would refuse `path` (as path_value writes it), or None."""
    if not path.startswith("/"):
        return "is not an absolute path"
    if ".." in path.split("/"):
        return "has a '..' part (systemd wants a normalized path)"
    if path.endswith("\\"):
        return "ends with a backslash, which continues a unit file line"
    if any(ord(c) < 0x20 for c in path):
        return "contains control characters"
    if noncharacter(path):
        return "contains a Unicode noncharacter"
    return None


def resolve(program: str, search: Sequence[str], directory: str | None,
            which: Which) -> str | None:
    """The absolute path supervisord would execute for `program`, or None if not found.

    A name with a slash is used as written (relative to `directory`, where the child starts);
    a bare name is looked up in `search` as supervisord does, first match wins.
    """
    if "/" in program:
        if program.startswith("/"):
            return os.path.normpath(program)
        if directory and directory.startswith("/"):
            return os.path.normpath(os.path.join(directory, program))
        return None
    for d in search:
        if d.startswith("/") and which(os.path.join(d, program)):
            return os.path.normpath(os.path.join(d, program))
    return None
