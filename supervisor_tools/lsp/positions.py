"""Between svtool's spans (1-based lines and columns in code points, end exclusive) and LSP
positions (0-based lines, columns in the client's code units, UTF-16 unless agreed otherwise)."""

from __future__ import annotations

import re

from lsprotocol import types as lsp

from supervisor_tools.errors import Span

# The parser's line ends (syntax/lines.py), which are also the protocol's.
_EOL = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The lines of `text` without their ends; one more than there are line ends."""
    return _EOL.split(text)


def units(text: str, encoding: str) -> int:
    """How many code units `text` takes in the client's position encoding."""
    if encoding == lsp.PositionEncodingKind.Utf32:
        return len(text)
    if encoding == lsp.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class Lines:
    """A buffer's lines, for converting positions in one encoding."""

    def __init__(self, text: str, encoding: str = lsp.PositionEncodingKind.Utf16) -> None:
        self.lines = split_lines(text)
        self.encoding = encoding

    def line(self, index: int) -> str:
        return self.lines[index] if 0 <= index < len(self.lines) else ""

    def to_client(self, line: int, col: int) -> lsp.Position:
        """A 0-based line and 0-based code point column, as a client position (clamped)."""
        line = min(max(line, 0), len(self.lines) - 1)
        text = self.lines[line]
        col = min(max(col, 0), len(text))
        return lsp.Position(line=line, character=units(text[:col], self.encoding))

    def from_client(self, pos: lsp.Position) -> tuple[int, int]:
        """A client position as a 0-based line and 0-based code point column (clamped)."""
        line = min(max(pos.line, 0), len(self.lines) - 1)
        text = self.lines[line]
        col = used = 0
        while col < len(text) and used < pos.character:
            used += units(text[col], self.encoding)
            col += 1
        return line, col

    def span_range(self, span: Span) -> lsp.Range:
        start = self.to_client(span.line - 1, span.col - 1)
        end = self.to_client(span.end_line - 1, span.end_col - 1)
        if (end.line, end.character) < (start.line, start.character):
            end = start
        return lsp.Range(start=start, end=end)

    def end(self) -> lsp.Position:
        last = len(self.lines) - 1
        return lsp.Position(line=last, character=units(self.lines[last], self.encoding))

    def whole(self) -> lsp.Range:
        return lsp.Range(start=lsp.Position(line=0, character=0), end=self.end())
