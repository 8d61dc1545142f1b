"""The syntax tree of one config file: what the file says, with a span on every node.

Nodes are frozen; edit with `dataclasses.replace`. Every node keeps its exact source text, so
printing a tree gives the file back byte for byte (see printer.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from supervisor_tools.errors import Span

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Blank:
    """A line of nothing but whitespace."""

    text: str
    span: Span
    in_value: bool = False  # between an option and a later continuation line of it


@dataclass(frozen=True, slots=True)
class Comment:
    """A whole-line comment (`; ...` or `# ...`)."""

    text: str
    span: Span
    in_value: bool = False

    @property
    def body(self) -> str:
        """The comment without its prefix and surrounding whitespace."""
        return self.text.strip()[1:].strip()


@dataclass(frozen=True, slots=True)
class Header:
    """`[name]`: the name runs from the first `[` to the last `]` of the comment-free line."""

    text: str
    name: str
    span: Span
    name_span: Span
    comment: str | None  # inline comment text (with its prefix), if any


@dataclass(frozen=True, slots=True)
class ValueLine:
    """The key line of an option or one of its continuation lines."""

    text: str
    span: Span
    value: str  # this line's part of the value, stripped, comment removed
    value_span: Span
    comment: str | None


@dataclass(frozen=True, slots=True)
class Option:
    """`key = value`, possibly continued on deeper-indented lines."""

    key: str  # lower-cased, as supervisord looks it up
    raw_key: str  # as written
    key_span: Span
    lines: tuple[ValueLine | Blank | Comment, ...]  # lines[0] is the key line
    span: Span

    @property
    def value(self) -> str:
        """The value exactly as configparser builds it: lines joined by newlines, right-stripped.

        A blank line inside the value stays as an empty line; comment lines are dropped.
        """
        if len(self.lines) == 1:
            return self.lines[0].value  # type: ignore[union-attr]
        parts: list[str] = []
        for line in self.lines:
            if isinstance(line, ValueLine):
                parts.append(line.value)
            elif isinstance(line, Blank):
                parts.append("")
        return "\n".join(parts).rstrip()

    @property
    def value_span(self) -> Span:
        lines = self.lines
        if len(lines) == 1:  # the common case, read for every option the loader converts
            return lines[0].value_span  # type: ignore[union-attr]
        first = lines[0]
        assert isinstance(first, ValueLine)
        last = first
        for line in self.lines:
            if isinstance(line, ValueLine) and line.value:
                last = line
        start = first.value_span if first.value else last.value_span
        return Span(start.file, start.line, start.col, last.value_span.end_line,
                    last.value_span.end_col)

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line supervisord refuses: text before the first header, or no `=`/`:` (or empty key)."""

    text: str
    span: Span
    kind: str  # "orphan" (before any section header) or "invalid"


Item = Option | Blank | Comment | BadLine


@dataclass(frozen=True, slots=True)
class Section:
    """A header and the lines up to the next one."""

    header: Header
    body: tuple[Item, ...]
    span: Span

    @property
    def name(self) -> str:
        return self.header.name

    def options(self) -> list[Option]:
        return [item for item in self.body if isinstance(item, Option)]


@dataclass(frozen=True, slots=True)
class Document:
    """One parsed file."""

    path: str
    preamble: tuple[Blank | Comment | BadLine, ...]
    sections: tuple[Section, ...]
    span: Span

    def bad_lines(self) -> list[BadLine]:
        out = [n for n in self.preamble if isinstance(n, BadLine)]
        for s in self.sections:
            out.extend(n for n in s.body if isinstance(n, BadLine))
        return out


def fast_constructor(cls: type[T]) -> Callable[..., T]:
    """A positional constructor for a frozen, slotted dataclass, for the parser's hot path.

    It fills every field in order, like the generated __init__, but stores through the slot
    descriptors instead of calling object.__setattr__ per field: about twice as fast, and the
    parser builds several nodes per line. The result is an ordinary, still frozen instance.
    """
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls}
    body = []
    for i, name in enumerate(names):
        scope[f"set{i}"] = cls.__dict__[name].__set__
        body.append(f"    set{i}(obj, {name})\n")
    src = f"def build({', '.join(names)}):\n    obj = new(cls)\n{''.join(body)}    return obj\n"
    exec(src, scope)  # the same technique dataclasses uses to build __init__
    build: Callable[..., T] = scope["build"]
    return build
