"""Writing option values and lines so that supervisord reads back exactly what was meant.

supervisord's reader has traps a generator must not fall into: an inline comment starts at any
`;` or `#` preceded by whitespace (quotes do not protect it), values are stripped, a line break
starts a new line, and every `%` is a format character unless doubled (twice per expansion pass).
`value_text` either returns text that survives all of these or raises SvtoolError saying why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from supervisor_tools.errors import SvtoolError
from supervisor_tools.options.table import OptionSpec

# %(name)s with any flags, width, precision and conversion Python's % operator accepts.
REFERENCE_RE = re.compile(r"%\((?P<name>[^()]*)\)(?P<flags>[#0 +-]*\d*(?:\.\d+)?)"
                          r"(?P<conv>[diouxXeEfFgGcrsa])")
# Names whose value is an integer; every other name expands to text.
INTEGER_NAMES = frozenset({"process_num", "numprocs"})
TEXT_CONVERSIONS = frozenset("sra")
COMMENT_CUT_RE = re.compile(r"\s[;#]")
# Characters Python's line splitting treats as line ends.
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
COMMENT_COLUMN = 32  # where inline comments line up, when the value leaves room


def check_line_safe(text: str, what: str) -> None:
    """Refuse text that supervisord's line reader would cut, split or strip."""
    if any(ch in LINE_BREAKS for ch in text):
        raise SvtoolError(f"{what} must be a single line: {text!r}")
    if text != text.strip():
        raise SvtoolError(f"{what} must not start or end with whitespace (supervisord strips "
                          f"it): {text!r}")
    cut = COMMENT_CUT_RE.search(text)
    if cut:
        raise SvtoolError(f"{what} contains {cut.group()!r}, which supervisord reads as the start "
                          f"of a comment (quotes do not protect it): {text!r}")


def allowed_names(spec: OptionSpec) -> str:
    return "no %(...)s names" if spec.expansion.env == "none" else spec.expansion.describe()


def escape_percent(text: str, spec: OptionSpec, what: str) -> str:
    """Double every `%` that is not a %(name)s reference the option may use.

    A reference to a name the option cannot expand is an error rather than an escaped literal:
    whoever writes %(name)s means the expansion.
    """
    rule = spec.expansion
    if rule.env == "none":
        return text
    literal = "%" * (2 ** rule.passes)
    out: list[str] = []
    pos = 0
    while True:
        start = text.find("%", pos)
        if start < 0:
            out.append(text[pos:])
            return "".join(out)
        out.append(text[pos:start])
        ref = REFERENCE_RE.match(text, start)
        if ref is None:
            out.append(literal)
            pos = start + 1
            continue
        name, conv = ref.group("name"), ref.group("conv")
        if name not in rule.names and not name.startswith("ENV_"):
            raise SvtoolError(f"%({name})s cannot be expanded in {what}; it may use: "
                              f"{allowed_names(spec)}")
        if name not in INTEGER_NAMES and conv not in TEXT_CONVERSIONS:
            raise SvtoolError(f"%({name}){ref.group('flags')}{conv} in {what}: {name} is text, "
                              f"use %({name})s")
        out.append(ref.group())
        pos = ref.end()


def value_text(text: str, spec: OptionSpec, what: str | None = None) -> str:
    """`text` written as the value of `spec`, so that supervisord reads back `text`."""
    what = what or spec.name
    check_line_safe(text, what)
    return escape_percent(text, spec, what)


# -- lines and sections --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Line:
    """`key=value ; comment`, active or commented out."""

    key: str
    value: str  # already escaped with value_text
    comment: str = ""
    active: bool = True
    separator: str = "="

    def head(self) -> str:
        return f"{'' if self.active else ';'}{self.key}{self.separator}{self.value}"


@dataclass(frozen=True, slots=True)
class Block:
    """One section: notes above it, the header, its lines."""

    header: str  # the section name, without brackets
    lines: Sequence[Line]
    active: bool = True
    notes: Sequence[str] = ()
    header_comment: str = ""


def comment_lines(text: Iterable[str]) -> list[str]:
    # splitlines: a line break inside a note must not end the comment
    return [f"; {part}".rstrip() for line in text for part in (line.splitlines() or [""])]


def render_lines(lines: Sequence[Line]) -> list[str]:
    heads = [line.head() for line in lines]
    width = max((len(h) for h in heads if len(h) < COMMENT_COLUMN), default=0)
    out = []
    for head, line in zip(heads, lines, strict=True):
        if line.comment:
            comment = " ".join(line.comment.splitlines())
            out.append(f"{head.ljust(width)} ; {comment}")
        else:
            out.append(head)
    return out


def render_block(block: Block) -> list[str]:
    out = comment_lines(block.notes)
    header = f"{'' if block.active else ';'}[{block.header}]"
    note = " ".join(block.header_comment.splitlines())
    out.append(f"{header} ; {note}" if note else header)
    out.extend(render_lines(block.lines))
    return out


def render(blocks: Sequence[Block], preamble: Sequence[str] = ()) -> str:
    parts: list[list[str]] = []
    if preamble:
        parts.append(comment_lines(preamble))
    parts.extend(render_block(b) for b in blocks)
    return "\n\n".join("\n".join(p) for p in parts) + "\n"
