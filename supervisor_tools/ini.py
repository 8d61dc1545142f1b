"""Writing supervisor INI so that supervisord reads back exactly the values meant: svtool's
only INI writer, used by the converters and the generator.

supervisord 4.3.0's reader has traps: the file is read with universal newlines (`\\n`, `\\r`
end a line), values are stripped, an inline comment starts at any `;` or `#` preceded by
whitespace (quotes do not protect it), and every value it reads is %-expanded: once, and twice
for the log file names and [supervisord] environment (the table's `passes`). So a literal `%`
is written `%%` once per pass. A value either survives all of this, checked finally by parsing
the line back with svtool's own parser, or is refused with the reason.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
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
LINE_BREAKS = frozenset("\n\r")  # what ends a line when supervisord reads the file
COMMENT_COLUMN = 32  # where inline comments line up, when the value leaves room
ENV_KEY_RE = re.compile(r"^[A-Za-z0-9_/.+\-():]+$")  # what supervisord's environment parser takes
_COMMENT_AFTER_SPACE = re.compile(r"(?<=\s)(?=[;#])")


# -- `%`: one rule ---------------------------------------------------------------------------------


def passes(spec: OptionSpec | None) -> int:
    """How often supervisord expands the value; a key the table does not know (a plugin's
    keyword argument) is read with the same expanding reader, so once."""
    return 1 if spec is None else spec.expansion.passes


def percent_literal(text: str, spec: OptionSpec | None) -> str:
    """`text` as a value of `spec` that means itself: each `%` doubled once per pass."""
    return text.replace("%", "%" * (2 ** passes(spec)))


def allowed_names(spec: OptionSpec) -> str:
    return spec.expansion.describe()


def expression(text: str, spec: OptionSpec, what: str) -> str:
    """`text` with its %(name)s references kept and every other `%` made literal.

    A reference to a name the option cannot expand is an error rather than an escaped literal:
    whoever writes %(name)s means the expansion.
    """
    rule = spec.expansion
    escaped = "%" * (2 ** rule.passes)
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
            out.append(escaped)
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


# -- one line --------------------------------------------------------------------------------------


def _refuse(what: str, text: str, reason: str) -> SvtoolError:
    return SvtoolError(f"{what}: value {text!r} cannot be written in supervisor's INI syntax: "
                       f"{reason}")


def check_line_safe(text: str, what: str, separator: str = "=") -> None:
    """Refuse text that supervisord's reader would cut, split or strip after `key{separator}`."""
    if any(ch in LINE_BREAKS for ch in text):
        raise _refuse(what, text, "it must be a single line")
    if text != text.strip():
        raise _refuse(what, text, "supervisord strips whitespace at its start and end")
    cut = COMMENT_CUT_RE.search(separator[-1:] + text)
    if cut:
        raise _refuse(what, text, f"supervisord reads {cut.group().lstrip()!r} after whitespace "
                                  "as the start of a comment (quotes do not protect it)")


def _survives(key: str, separator: str, text: str) -> bool:
    from supervisor_tools.syntax.parser import parse

    doc = parse(f"[x]\n{key}{separator}{text}\n")
    if doc.bad_lines() or len(doc.sections) != 1:
        return False
    opts = doc.sections[0].options()
    return len(opts) == 1 and opts[0].key == key and opts[0].value == text


def check_value(key: str, text: str, what: str, separator: str = "=") -> None:
    """Raise SvtoolError unless the line `key{separator}text` reads back as exactly `text`."""
    check_line_safe(text, what, separator)
    if not _survives(key, separator, text):
        raise _refuse(what, text, "svtool's reader would not read it back")


def value_text(text: str, spec: OptionSpec, what: str | None = None,
               separator: str = "=") -> str:
    """`text` (with its %(name)s references) written as the value of `spec`."""
    what = what or spec.name
    check_line_safe(text, what, separator)
    written = expression(text, spec, what)
    check_value(spec.name, written, what, separator)
    return written


# -- environment -----------------------------------------------------------------------------------


def environment_value(value: str) -> str:
    """`value` quoted so supervisord's environment tokenizer gives it back unchanged.

    The tokenizer keeps no escapes and strips every quote character from both ends of a value,
    so a value may contain one kind of quote but cannot start or end with one. Raises
    SvtoolError with the reason (callers add which variable).
    """
    if value[:1] in ("'", '"') or value[-1:] in ("'", '"'):
        raise SvtoolError("a value cannot start or end with a quote character (supervisord "
                          "strips them)")
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    raise SvtoolError("a value cannot contain both ' and \" (supervisord's environment syntax "
                      "has no escapes)")


def environment_text(env: Mapping[str, str]) -> str:
    """KEY="value" pairs in supervisord's environment syntax; values are written as given
    (already escaped for `%`, or expressions)."""
    parts = []
    for key, value in env.items():
        if not ENV_KEY_RE.fullmatch(key):
            raise SvtoolError(f"environment variable name {key!r} cannot be written in "
                              "supervisor's environment syntax")
        try:
            parts.append(f"{key}={environment_value(value)}")
        except SvtoolError as exc:
            raise SvtoolError(f"environment variable {key}: {exc.message}") from None
    return ",".join(parts)


def quote_word(word: str) -> str:
    """One word of a command line that supervisord splits (POSIX shlex) back into `word`."""
    quoted = shlex.quote(word)
    return protect_comments(quoted) if quoted.startswith("'") else quoted


def quote_words(words: Iterable[str]) -> str:
    """A command line supervisord splits back into exactly `words`."""
    return " ".join(quote_word(w) for w in words)


def protect_comments(quoted: str) -> str:
    """Single-quoted shell text with '' put between whitespace and a `;` or `#`: the word
    stays whole for shlex, and configparser does not take the rest of the line as a comment."""
    return _COMMENT_AFTER_SPACE.sub("''", quoted)


# -- lines and sections ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Line:
    """`key=value ; comment`, active or commented out."""

    key: str
    value: str  # already escaped and checked
    comment: str = ""
    active: bool = True
    separator: str = "="

    def head(self) -> str:
        text = f"{'' if self.active else ';'}{self.key}{self.separator}{self.value}"
        return text if self.value else text.rstrip()


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


def render_sections(sections: Iterable[tuple[str, list[tuple[str, str]]]],
                    preamble: Sequence[str] = (),
                    comments: Mapping[str, str] | None = None) -> str:
    """`key = value` sections from (section name, [(key, value text)]); every value checked.

    `comments` puts a comment line above a section (by section name).
    """
    blocks = []
    for name, options in sections:
        for key, text in options:
            check_value(key, text, f"[{name}] {key}", " = ")
        note = (comments or {}).get(name)
        blocks.append(Block(name, [Line(k, v, separator=" = ") for k, v in options],
                            notes=[note] if note else ()))
    return render(blocks, preamble)
