"""Values of several lines in the INI that from-yaml writes: continuation lines.

supervisord's reader (configparser) joins a value's continuation lines, the lines indented
deeper than its key, with a line break, after stripping each line; a blank line in between is
kept as an empty line. So a value of several lines is written as its first line after the key
and every further line indented, when each line survives that reading: no whitespace at either
end, no line that starts like a comment, no inline comment, and no empty last line.
"""

from __future__ import annotations

from supervisor_tools.errors import SvtoolError
from supervisor_tools.ini import Block, Line, check_line_safe, check_value, render
from supervisor_tools.syntax.parser import parse

INDENT = "    "


def _refuse(what: str, text: str, reason: str) -> SvtoolError:
    return SvtoolError(f"{what}: value {text!r} cannot be written in supervisor's INI syntax: "
                       f"{reason}")


def written_value(key: str, text: str, what: str, separator: str = " = ") -> str:
    """`text` as it is written after `key{separator}`: one line, or continuation lines.

    Raises SvtoolError with the reason when supervisord would not read it back as `text`.
    """
    if "\n" not in text:
        check_value(key, text, what, separator)
        return text
    if "\r" in text:
        raise _refuse(what, text, "a carriage return ends a line")
    first, *rest = text.split("\n")
    if first:
        check_line_safe(first, what, separator)
    if not rest[-1]:
        raise _refuse(what, text, "supervisord strips an empty last line")
    for line in rest:
        if not line:
            continue  # a blank line inside a continued value is kept
        if line[0] in ";#":
            raise _refuse(what, text, f"a continuation line starting with {line[0]!r} is a "
                                      "comment")
        check_line_safe(line, what, " ")
    written = "\n".join([first, *(INDENT + line if line else "" for line in rest)])
    doc = parse(f"[x]\n{key}{separator}{written}\n")
    opts = doc.sections[0].options() if len(doc.sections) == 1 else []
    if doc.bad_lines() or len(opts) != 1 or opts[0].key != key or opts[0].value != text:
        raise _refuse(what, text, "svtool's reader would not read it back")
    return written


def render_ini(sections: list[tuple[str, list[tuple[str, str]]]], preamble: list[str]) -> str:
    """`key = value` sections whose values were made by `written_value` (already checked)."""
    blocks = [Block(name, [Line(k, v, separator=" = ") for k, v in options])
              for name, options in sections]
    return render(blocks, preamble)
