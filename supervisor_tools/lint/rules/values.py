"""Rules about option values supervisord accepts but silently reads differently than meant."""

from __future__ import annotations

import re
from collections.abc import Iterator

from supervisor_tools.errors import Severity, Span
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Fix, Report, TextEdit, rule
from supervisor_tools.lint.rules import placeholders as pl
from supervisor_tools.options.table import options_for
from supervisor_tools.options.types import environment_tokens
from supervisor_tools.syntax.ast import Option, ValueLine

E = Severity.ERROR
W = Severity.WARNING

ENV_KINDS = ("supervisord", "program", "eventlistener", "fcgi-program")
EXPANSION = re.compile(r"%%|%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")
VARIABLE = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")
UNNAMED = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sra]")
# one KEY=VALUE pair: up to a `,` or `;` outside quotes (a quote left open runs to the end)
PAIR = re.compile(r"""(?:[^,;"']+|"[^"]*"?|'[^']*'?)*""")
# an `=` followed by something other than a quote (maybe inside quotes): without one, every
# value is quoted or empty
UNQUOTED = re.compile(r"""=\s*[^\s"']""")
NOT_EXPANDED_HERE = ("command", "username", "password", "prompt")


def env_pairs(text: str) -> Iterator[tuple[str, str, int, int]]:
    """KEY=VALUE pairs of an environment value: key, raw value, and the value's offsets.

    Pairs end at an unquoted `,` (or `;`, which supervisord's tokenizer also accepts)."""
    i, n = 0, len(text)
    while i < n:
        start = i
        m = PAIR.match(text, i)
        assert m is not None  # it matches the empty string too
        i = m.end()
        piece = text[start:i]
        key, eq, _ = piece.partition("=")
        if eq:
            vstart = start + len(key) + 1
            lead = len(text[vstart:i]) - len(text[vstart:i].lstrip())
            value = text[vstart + lead:i].rstrip()
            yield key.strip(), value, vstart + lead, vstart + lead + len(value)
        i += 1


def mangled(key: str, value: str) -> bool:
    """Whether supervisord's tokenizer reads `KEY=value` as anything but that one pair."""
    plain = EXPANSION.sub("x", value)  # expansions happen before tokenizing
    try:
        tokens = environment_tokens(f"{key}={plain}")
    except ValueError:
        return True
    return tokens != [key, "=", plain]


def _single_line(opt: Option) -> ValueLine | None:
    lines = [ln for ln in opt.lines if isinstance(ln, ValueLine)]
    if len(lines) == 1 and len(opt.lines) == 1:
        return lines[0]
    return None


def _sub_span(opt: Option, start: int, end: int) -> Span:
    line = _single_line(opt)
    if line is None:
        return opt.value_span
    vs = line.value_span
    return Span(vs.file, vs.line, vs.col + start, vs.line, vs.col + end)


@rule("SV227", "unquoted-environment", W, "an environment value supervisord splits or mangles",
      fixable=True, options=("environment",))
def unquoted_environment(ctx: Context, report: Report) -> None:
    """supervisord's `environment` tokenizer keeps only letters, digits and `_/.+-():` in an
    unquoted value: `URL=http://x/?y=1` is split apart, `HOME=$HOME` becomes `$`,
    `A=foo#bar` becomes `foo`. Quote every value that is not a plain word; `--fix` adds the
    double quotes.

    Failing:

        [program:web]
        command = /usr/bin/web
        environment = URL=http://example.com/?page=1,MODE=prod

    Passing:

        [program:web]
        command = /usr/bin/web
        environment = URL="http://example.com/?page=1",MODE=prod
    """
    for ref, opt in ctx.options_named("environment"):
        if ref.kind not in ENV_KINDS or not UNQUOTED.search(opt.value):
            continue  # the usual case: every value quoted, nothing to split
        for key, value, start, end in env_pairs(opt.value):
            if not value or value[0] in "\"'":
                continue
            if not mangled(key, value):
                continue
            span = _sub_span(opt, start, end)
            fix = None
            if '"' not in value and _single_line(opt) is not None:
                fix = Fix(f"quote the value of {key}",
                          (TextEdit(span.file, span.line, span.col, span.end_col,
                                    f'"{value}"'),))
            report(span, f"the value of {key} in [{ref.section.name}] environment is not quoted: "
                         f"supervisord splits or mangles {value!r}; write {key}=\"{value}\"", fix)


@rule("SV228", "unexpanded-variable", W, "$VAR or ~ that supervisord does not expand",
      options=("environment", "directory", "stdout_logfile", "stderr_logfile", "logfile"))
def unexpanded_variable(ctx: Context, report: Report) -> None:
    """supervisord does not expand `$NAME`, `${NAME}` (anywhere) or `~` (in a program's
    `directory`): the text is used literally. Use `%(ENV_NAME)s`; `PATH="/opt/bin:$PATH"` in
    `environment` replaces PATH with a broken value.

    Failing:

        [program:web]
        command = /usr/bin/web
        directory = ~/web
        environment = PATH="/opt/web/bin:$PATH"

    Passing:

        [program:web]
        command = /usr/bin/web
        directory = /home/web/web
        environment = PATH="/opt/web/bin:%(ENV_PATH)s"
    """
    for ref, values, text in ctx.values():
        if ("$" not in text and "~" not in text) or ref.kind in ("rpcinterface", "ctlplugin"):
            continue  # most sections
        for opt, value in zip(ref.options, values, strict=True):
            if opt.key in NOT_EXPANDED_HERE or ("$" not in value and not value.startswith("~")):
                continue
            # a lower-case `${name}` is a deploy template's placeholder (placeholder-value)
            found = list(dict.fromkeys(m.group(0) for m in VARIABLE.finditer(value)
                                       if not pl.is_template_variable(m.group(0))))
            if found:
                names = ", ".join(found)
                hint = ", ".join(f"%(ENV_{v.strip('${}')})s" for v in found)
                report(opt.value_span, f"supervisord does not expand {names} in "
                                       f"[{ref.section.name}] {opt.key}; use {hint}")
            if opt.key == "directory" and ref.kind != "supervisord" and value.startswith("~"):
                report(opt.value_span, f"supervisord does not expand '~' in "
                                       f"[{ref.section.name}] directory; write the absolute path")


@rule("SV229", "unnamed-format", E, "an unnamed %s that inserts supervisord's expansion table")
def unnamed_format(ctx: Context, report: Report) -> None:
    """Values are expanded with Python's `%` operator: a bare `%s` (or `%r`) does not fail but
    inserts the whole table of expansion names (`{'ENV_PATH': ...}`) into the value. Write `%%s`
    for a literal `%s`.

    Failing:

        [program:report]
        command = /usr/bin/printf %s done

    Passing:

        [program:report]
        command = /usr/bin/printf %%s done
    """
    for ref, values, text in ctx.values():
        # dropping `%%` below only deletes `%`s, so a value it leaves with an unnamed format
        # has one (a `%` and the end of that format) as written too
        if not UNNAMED.search(text):
            continue
        assert ref.kind is not None
        specs = options_for(ref.kind)
        for opt, value in zip(ref.options, values, strict=True):
            if "%" not in value:
                continue
            spec = specs.get(opt.key)
            if spec is None and ref.kind not in ("rpcinterface", "ctlplugin"):
                continue
            if spec is not None and spec.expansion.passes == 2:
                value = value.replace("%%", "%")
            value = value.replace("%%", "")
            m = UNNAMED.search(value)
            if m:
                report(opt.value_span, f"'{m.group(0)}' in [{ref.section.name}] {opt.key} "
                                       "inserts supervisord's whole expansion table; write "
                                       f"'%{m.group(0)}' for a literal '{m.group(0)}'")
