"""Rules about how lines are laid out: indented continuation lines and text after a header."""

from __future__ import annotations

import re

from supervisor_tools.errors import Severity, Span
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Fix, Report, TextEdit, rule
from supervisor_tools.options.table import options_for
from supervisor_tools.syntax.ast import ValueLine

E = Severity.ERROR
W = Severity.WARNING

_KEY_LINE = re.compile(r"([A-Za-z_][\w.]*)\s*[=:]")


@rule("SV217", "continuation-swallows-key", E,
      "an indented key=value line that is part of the previous value", fixable=True)
def continuation_swallows_key(ctx: Context, report: Report) -> None:
    """A line indented deeper than the option before it continues that option's value, even when
    it looks like `key = value`: `command=/bin/cat` followed by an indented `priority=5` runs
    `/bin/cat priority=5` and leaves the priority unset. `--fix` removes the indentation when the
    line is the last line of the value.

    Failing:

        [program:web]
        command = /usr/bin/web
          priority = 5

    Passing:

        [program:web]
        command = /usr/bin/web
        priority = 5
    """
    for ref, _, text in ctx.values():
        if "\n" not in text:
            continue  # no option of the section has a continuation line with a value
        assert ref.kind is not None
        known = options_for(ref.kind)
        for opt in ref.options:
            values = [ln for ln in opt.lines[1:] if isinstance(ln, ValueLine)]
            for line in values:
                m = _KEY_LINE.match(line.value)
                if m is None or m.group(1).lower() not in known:
                    continue
                key = m.group(1)
                fix = None
                if line is values[-1]:
                    vs = line.value_span
                    fix = Fix(f"unindent '{key}'", (TextEdit(vs.file, vs.line, 1, vs.col, ""),))
                report(line.value_span, f"this indented line continues '{opt.raw_key}', it does "
                                        f"not set '{key}': remove the indentation", fix)


@rule("SV218", "header-junk", W, "text after the closing ']' of a section header (ignored)")
def header_junk(ctx: Context, report: Report) -> None:
    """Text after `]` on a header line is silently dropped; usually a comment written without
    a space before `;`, or a leftover.

    Failing:

        [program:web] web server
        command = /usr/bin/web

    Passing:

        [program:web] ; web server
        command = /usr/bin/web
    """
    for ref in ctx.sections():
        header = ref.section.header
        line = header.text.rstrip("\r\n")
        if header.comment:
            line = line[: len(line) - len(header.comment)]
        end = header.name_span.end_col  # 1-based column of the closing ']'
        junk = line[end:]
        if junk.strip():
            start = end + len(junk) - len(junk.lstrip()) + 1
            span = Span(header.span.file, header.span.line, start, header.span.line,
                        end + len(junk.rstrip()) + 1)
            report(span, f"text after the section header is ignored: {junk.strip()!r}")
