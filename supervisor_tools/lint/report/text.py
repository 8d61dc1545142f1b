"""Human output: `file:line:col: CODE severity message`, the line, and a caret under the span."""

from __future__ import annotations

import os
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TextIO

from supervisor_tools.errors import Severity
from supervisor_tools.lint import registry
from supervisor_tools.lint.report import display_path
from supervisor_tools.lint.rule import Finding
from supervisor_tools.syntax.parser import MAX_FILE_BYTES, read_bytes

COLOURS = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m",
           Severity.INFO: "\033[1;36m"}
BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"


def use_colour(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(prefix: str) -> str:
    """Blank space as wide as `prefix` on screen, keeping its tabs."""
    return "".join("\t" if ch == "\t" else " " * _width(ch) for ch in prefix)


class SourceCache:
    def __init__(self, sources: Mapping[str, str] | None = None) -> None:
        self._lines: dict[str, list[str]] = {}
        for path, text in (sources or {}).items():  # what was read from stdin
            self._lines[path] = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    def line(self, path: str, lineno: int) -> str | None:
        if path not in self._lines:
            try:
                data = read_bytes(path)[:MAX_FILE_BYTES]
                text = data.decode("utf-8", "replace")
                self._lines[path] = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            except OSError:
                self._lines[path] = []
        lines = self._lines[path]
        return lines[lineno - 1] if 0 < lineno <= len(lines) else None


def render(findings: Sequence[Finding], stream: TextIO, *, quiet: bool = False,
           stats: bool = False, colour: bool | None = None,
           sources: Mapping[str, str] | None = None) -> None:
    colour = use_colour(stream) if colour is None else colour
    cache = SourceCache(sources)

    def paint(code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if colour else text

    for f in findings:
        d = f.diagnostic
        s = d.span
        where = paint(BOLD, f"{display_path(s.file)}:{s.line}:{s.col}:")
        sev = paint(COLOURS[d.severity], f"{d.code} {d.severity.value}")
        stream.write(f"{where} {sev} {d.message}\n")
        if quiet:
            continue
        line = cache.line(s.file, s.line)
        if line is None or not line.strip():
            continue
        gutter = f"{s.line:>5} | "
        stream.write(paint(DIM, gutter) + line + "\n")
        start = max(s.col - 1, 0)
        end = s.end_col - 1 if s.end_line == s.line and s.end_col > s.col else len(line)
        end = max(min(end, len(line)), start + 1)
        caret = "^" * max(_width(line[start:end]), 1)
        stream.write(paint(DIM, " " * 5 + " | ") + _pad(line[:start])
                     + paint(COLOURS[d.severity], caret) + "\n")
    if stats:
        counts = Counter(f.diagnostic.code for f in findings)
        for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            rule = registry.BY_ID.get(code)
            name = rule.name if rule else ""
            mark = "[*] " if rule and rule.fixable else "    "
            stream.write(f"{n:>6}  {code}  {mark}{name}\n")
    if quiet:
        return
    if not findings:
        stream.write("All checks passed.\n")
        return
    by_sev = Counter(f.diagnostic.severity for f in findings)
    parts = [f"{by_sev[s]} {s.value}{'s' if by_sev[s] != 1 and s != Severity.INFO else ''}"
             for s in Severity if by_sev[s]]
    total = len(findings)
    stream.write(f"Found {total} problem{'s' if total != 1 else ''} ({', '.join(parts)}).\n")
    n_fixable = sum(1 for f in findings if f.fix is not None)
    if n_fixable:
        stream.write(f"{n_fixable} fixable with --fix (see them with --diff).\n")
