"""A reader for systemd's unit file dialect, keeping the position of every directive.

Not supervisor's INI: `#` and `;` start comments only at the start of a line, a trailing
backslash joins the next line, a key may repeat (list settings accumulate, and an empty
assignment resets the list), and drop-ins in `NAME.d/*.conf` apply after the unit file.
Command lines split into words by systemd's own rules: whitespace, quotes and C escapes.
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field

from supervisor_tools.errors import Span, SvtoolError
from supervisor_tools.syntax.parser import read_text

_HEADER = re.compile(r"^\[([^\[\]]+)\]\s*$")
_WS = " \t\n\r"
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
                   "\\": "\\", '"': '"', "'": "'", "s": " "}


@dataclass(frozen=True, slots=True)
class Directive:
    section: str
    key: str
    value: str
    span: Span  # of the key
    value_span: Span


@dataclass(slots=True)
class UnitFile:
    """A unit and its drop-ins: every directive in the order systemd applies them."""

    path: str
    name: str
    directives: list[Directive] = field(default_factory=list)

    def assignments(self, section: str, key: str) -> list[Directive]:
        """A list setting's effective entries: an empty assignment drops the ones before it."""
        out: list[Directive] = []
        for d in self.directives:
            if d.section == section and d.key == key:
                if d.value == "":
                    out = []
                else:
                    out.append(d)
        return out

    def last(self, section: str, key: str) -> Directive | None:
        """A single-valued setting: the last assignment wins (empty means unset)."""
        found = [d for d in self.directives if d.section == section and d.key == key]
        if not found or found[-1].value == "":
            return None
        return found[-1]


def parse_unit_text(text: str, path: str) -> list[Directive]:
    out: list[Directive] = []
    section = ""
    text = text.removeprefix("\ufeff")  # systemd skips a byte order mark, as we do
    # Only "\n" ends a line for systemd (str.splitlines would also split at U+0085 and more).
    lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    i = 0
    while i < len(lines):
        start = i
        line = lines[i]
        i += 1
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        # A trailing backslash continues the line; comment lines inside are skipped.
        while line.rstrip().endswith("\\"):
            line = line.rstrip()[:-1] + " "
            while i < len(lines) and lines[i].strip()[:1] in ("#", ";"):
                i += 1  # a comment inside a continued value is skipped, the value goes on
            if i == len(lines):
                break
            line += lines[i]
            i += 1
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        m = _HEADER.match(stripped)
        if m:
            section = m.group(1)
            continue
        if "=" not in stripped:
            raise SvtoolError(f"not a [Section] header or Key=value line: {stripped!r}",
                              Span(path, start + 1, indent + 1, start + 1, len(line) + 1))
        if not section:
            raise SvtoolError("assignment outside of any section",
                              Span(path, start + 1, indent + 1, start + 1, len(line) + 1))
        key, _, value = stripped.partition("=")
        key = key.rstrip()
        vcol = line.index("=") + 2
        out.append(Directive(section, key, value.strip(),
                             Span(path, start + 1, indent + 1, start + 1, indent + 1 + len(key)),
                             Span(path, start + 1, vcol, i, vcol + len(value.strip()))))
    return out


def _read(path: str) -> str:
    return read_text(path)


def dropin_dirs(path: str) -> list[str]:
    """The drop-in directories of a unit: NAME.d, and TEMPLATE@.SUFFIX.d for an instance."""
    name = os.path.basename(path)
    base = os.path.dirname(path)
    dirs = [os.path.join(base, name + ".d")]
    m = re.fullmatch(r"(.+@)[^@]+(\.[a-z]+)", name)
    if m:
        dirs.insert(0, os.path.join(base, m.group(1) + m.group(2) + ".d"))
    return dirs


def read_unit(path: str) -> UnitFile:
    unit = UnitFile(path, os.path.basename(path))
    unit.directives.extend(parse_unit_text(_read(path), path))
    # Drop-ins sort by file name across all directories, later names winning.
    dropins: dict[str, str] = {}
    for d in dropin_dirs(path):
        for conf in glob.glob(os.path.join(glob.escape(d), "*.conf")):
            dropins[os.path.basename(conf)] = conf
    for name in sorted(dropins):
        unit.directives.extend(parse_unit_text(_read(dropins[name]), dropins[name]))
    return unit


# -- command lines ------------------------------------------------------------------------------


def _unescape(text: str, i: int) -> tuple[str, int]:
    """One C escape starting after the backslash at text[i-1]; returns (char, next index)."""
    if i >= len(text):
        raise ValueError("a backslash ends the line")
    c = text[i]
    if c in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[c], i + 1
    if c == "x" and re.match(r"[0-9a-fA-F]{2}", text[i + 1:i + 3]):
        return chr(int(text[i + 1:i + 3], 16)), i + 3
    if c in "01234567" and re.match(r"[0-7]{3}", text[i:i + 3]):
        return chr(int(text[i:i + 3], 8)), i + 3
    if c == "u" and re.match(r"[0-9a-fA-F]{4}", text[i + 1:i + 5]):
        return chr(int(text[i + 1:i + 5], 16)), i + 5
    if c == "U" and re.match(r"[0-9a-fA-F]{8}", text[i + 1:i + 9]):
        return chr(int(text[i + 1:i + 9], 16)), i + 9
    raise ValueError(f"invalid escape sequence \\{c}")


def split_commands(text: str) -> list[list[str]]:
    """The commands of `text`, each its words as systemd extracts them; raises ValueError.

    Words are unquoted and their C escapes decoded; a lone unquoted `;` ends one command and
    starts the next.
    """
    commands: list[list[str]] = [[]]
    i = 0
    n = len(text)
    while True:
        while i < n and text[i] in _WS:
            i += 1
        if i >= n:
            break
        if text[i] == ";" and (i + 1 == n or text[i + 1] in _WS):
            commands.append([])
            i += 1
            continue
        word: list[str] = []
        quote = ""
        while i < n:
            c = text[i]
            if quote:
                if c == quote:
                    quote = ""
                    i += 1
                elif c == "\\":
                    ch, i = _unescape(text, i + 1)
                    word.append(ch)
                else:
                    word.append(c)
                    i += 1
            elif c in _WS:
                break
            elif c in "'\"":
                quote = c
                i += 1
            elif c == "\\":
                ch, i = _unescape(text, i + 1)
                word.append(ch)
            else:
                word.append(c)
                i += 1
        if quote:
            raise ValueError("unbalanced quotes")
        commands[-1].append("".join(word))
    return [c for c in commands if c]
