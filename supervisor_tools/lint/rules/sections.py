"""Rules about which sections and keys there are: unknown ones, duplicates, name collisions."""

from __future__ import annotations

from supervisor_tools.errors import Severity, Span
from supervisor_tools.lint.context import Context, SectionRef
from supervisor_tools.lint.rule import Fix, Report, TextEdit, rule
from supervisor_tools.model.raw import DEFAULT_SECTION
from supervisor_tools.options.table import (
    BARE_KINDS,
    NAMED_KINDS,
    PREFIX_KINDS,
    TABLE,
    options_for,
    section_kind,
)
from supervisor_tools.syntax.ast import Option

E = Severity.ERROR
W = Severity.WARNING
I = Severity.INFO  # noqa: E741

# Plugin sections pass every other key to their factory: any key is valid there.
FREE_KEYS = ("rpcinterface", "ctlplugin")


def _close(word: str, candidates: list[str]) -> list[str]:
    import difflib  # only needed when something is misspelled; keeps the cold start short

    return difflib.get_close_matches(word, candidates, n=3, cutoff=0.75)


def distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap of neighbours) that turn `a` into `b`."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def certain(word: str, candidates: list[str]) -> str | None:
    """The one candidate a typo surely meant: the only one at the smallest edit distance,
    at most 2 edits away (1 for short words)."""
    if len(word) < 4:
        return None
    scored = sorted((distance(word, c), c) for c in candidates)
    limit = 1 if len(word) < 7 else 2
    if not scored or scored[0][0] > limit:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][1]


def _kinds_with(key: str) -> list[str]:
    return [kind for kind, rows in TABLE.items() if any(r.name == key for r in rows)]


def _unknown_key(ctx: Context, report: Report, ref: SectionRef, opt: Option) -> None:
    """Report `opt`, whose key the section's kind does not know, with the nearest keys."""
    assert ref.kind is not None
    names = list(options_for(ref.kind))
    matches = _close(opt.key, names)
    where = f"[{ref.section.name}]"
    message = f"unknown option '{opt.raw_key}' in {where}"
    elsewhere = [k for k in _kinds_with(opt.key) if k != ref.kind]
    fix = None
    sure = certain(opt.key, names)
    if sure is not None and sure not in matches:
        matches = [sure, *matches][:3]
    if matches:
        message += " (did you mean " + " or ".join(f"'{m}'" for m in matches) + "?)"
        if sure is not None and ctx.explicit(ref.section.name, sure) is None:
            ks = opt.key_span
            fix = Fix(f"rename '{opt.raw_key}' to '{sure}'",
                      (TextEdit(ks.file, ks.line, ks.col, ks.end_col, sure),))
    elif elsewhere:
        message += f": it is an option of [{elsewhere[0]}]"
    report(opt.key_span, message + "; supervisord ignores it", fix)


@rule("SV210", "unknown-key", E, "an option supervisord does not know in this section (ignored)",
      fixable=True)
def unknown_key(ctx: Context, report: Report) -> None:
    """supervisord silently ignores keys it does not know, so a misspelled option simply has no
    effect. svtool suggests the closest options of the section kind; `--fix` renames the key
    when exactly one option is the nearest by one or two typing slips (one for short keys) and
    the section does not already set it.

    Failing:

        [program:web]
        command = /usr/bin/web
        autorestrat = true

    Passing:

        [program:web]
        command = /usr/bin/web
        autorestart = true
    """
    for ref in ctx.sections():
        if ref.kind is None or ref.kind in FREE_KEYS:
            continue
        known = options_for(ref.kind)
        if ref.merged is not None and ref.merged.options.keys() <= known.keys():
            continue  # the usual case, settled without looking at each line
        for opt in ref.options:
            if opt.key not in known:
                _unknown_key(ctx, report, ref, opt)


def _section_suggestion(name: str) -> tuple[str | None, str]:
    """A corrected section name, or None, and a hint for the message."""
    stripped = name.strip()
    prefix, colon, rest = stripped.partition(":")
    if section_kind(stripped) is not None:
        return stripped, "whitespace inside the brackets is part of the name"
    lower = prefix.lower()
    if colon:
        if lower in NAMED_KINDS:
            return f"{lower}:{rest}", "section kinds are case-sensitive"
        match = _close(lower, list(NAMED_KINDS))
        if match:
            return f"{match[0]}:{rest}", ""
        return None, ""
    if lower in BARE_KINDS or lower in PREFIX_KINDS:
        return lower, "section kinds are case-sensitive"
    if lower in NAMED_KINDS:
        return None, f"[{lower}:NAME] needs a name after the colon"
    if lower == DEFAULT_SECTION.lower():
        return None, "only [DEFAULT] in capitals supplies defaults"
    match = _close(lower, [*BARE_KINDS, *PREFIX_KINDS])
    if match:
        return match[0], ""
    return None, ""


@rule("SV211", "unknown-section", E, "a section supervisord does not know (ignored)",
      fixable=True)
def unknown_section(ctx: Context, report: Report) -> None:
    """supervisord ignores sections whose name it does not recognize, so a misspelled
    `[progam:web]` (or `[Program:web]`, `[ program:web ]`) never runs. Section names are
    case-sensitive. `--fix` corrects the name when the intended kind is certain.

    Failing:

        [progam:web]
        command = /usr/bin/web

    Passing:

        [program:web]
        command = /usr/bin/web
    """
    for ref in ctx.sections():
        name = ref.section.name
        if ref.kind is not None or name == DEFAULT_SECTION:
            continue
        better, hint = _section_suggestion(name)
        message = f"unknown section [{name}]"
        fix = None
        if better is not None and section_kind(better) is not None:
            message += f" (did you mean [{better}]?)"
            ns = ref.section.header.name_span
            fix = Fix(f"rename [{name}] to [{better}]",
                      (TextEdit(ns.file, ns.line, ns.col, ns.end_col, better),))
        if hint:
            message += f"; {hint}"
        report(ref.section.header.name_span, message + "; supervisord ignores it", fix)


@rule("SV212", "duplicate-section", W, "a section defined twice (the definitions merge)")
def duplicate_section(ctx: Context, report: Report) -> None:
    """A section that appears twice, in one file or across included files, is silently merged
    key by key: the value read last wins. Two teams defining `[program:web]` in two conf.d files
    get one program with a mix of both.

    Failing:

        [program:web]
        command = /usr/bin/web

        [program:web]
        command = /usr/bin/web --port 8080

    Passing:

        [program:web]
        command = /usr/bin/web

        [program:web-8080]
        command = /usr/bin/web --port 8080
    """
    for name, raw in ctx.raw.sections.items():
        if name == "include":
            continue  # an [include] in an included file is nested-include's finding
        if len(raw.headers) == 1:
            continue
        seen: list[Span] = []
        for section in raw.headers:
            span = section.header.name_span
            if span in seen:
                continue  # the same file read twice
            if seen:
                first = seen[0]
                report(span, f"[{name}] is already defined at {first.file}:{first.line}; "
                             "supervisord merges both, values read later win")
            seen.append(span)


@rule("SV213", "duplicate-key", W, "an option given twice in one section (the last one wins)")
def duplicate_key(ctx: Context, report: Report) -> None:
    """An option repeated in the same section: supervisord silently keeps the last value.

    Failing:

        [program:web]
        command = /usr/bin/web
        autostart = true
        autostart = false

    Passing:

        [program:web]
        command = /usr/bin/web
        autostart = false
    """
    for ref in ctx.sections():
        if ref.merged is not None:
            continue  # no key twice
        first: dict[str, int] = {}
        for opt in ref.options:
            if opt.key in first:
                report(opt.key_span, f"'{opt.raw_key}' is already set on line {first[opt.key]} "
                                     f"of [{ref.section.name}]; this value wins")
            first.setdefault(opt.key, opt.key_span.line)


@rule("SV214", "group-name-collision", W, "two process groups with the same name")
def group_name_collision(ctx: Context, report: Report) -> None:
    """`[group:web]` next to a stand-alone `[program:web]` (or an event listener or fcgi-program
    of that name) gives two groups named `web`; supervisord starts only one of them.

    Failing:

        [program:web]
        command = /usr/bin/web

        [program:api]
        command = /usr/bin/api

        [group:web]
        programs = api

    Passing:

        [program:web]
        command = /usr/bin/web

        [program:api]
        command = /usr/bin/api

        [group:site]
        programs = api
    """
    by_name: dict[str, list[Span]] = {}
    for group in ctx.model.groups:
        by_name.setdefault(group.name, []).append(group.source)
    for name, spans in by_name.items():
        if len(spans) == 1:
            continue
        spans = sorted(set(spans))
        for span in spans[1:]:
            report(span, f"another process group is also named '{name}' "
                         f"({spans[0].file}:{spans[0].line}); supervisord starts only one")


@rule("SV219", "default-section", I, "[DEFAULT] applies to every section")
def default_section(ctx: Context, report: Report) -> None:
    """Keys in `[DEFAULT]` become defaults of every section — `[supervisord]`, the servers, and
    the keyword arguments of every `[rpcinterface:x]` factory, which may refuse them at start.
    Prefer setting options in the sections that need them.

    Failing:

        [DEFAULT]
        autorestart = true

        [program:web]
        command = /usr/bin/web

    Passing:

        [program:web]
        command = /usr/bin/web
        autorestart = true
    """
    for ref in ctx.sections():
        if ref.section.name == DEFAULT_SECTION and ref.options:
            keys = ", ".join(o.raw_key for o in ref.options)
            report(ref.section.header.name_span,
                   f"[DEFAULT] sets {keys} for every section, plugins included")


@rule("SV249", "empty-group", W, "a [group:x] without programs", options=("programs",))
def empty_group(ctx: Context, report: Report) -> None:
    """A `[group:x]` with no (or an empty) `programs=` is accepted and does nothing.

    Failing:

        [group:site]
        priority = 100

    Passing:

        [program:web]
        command = /usr/bin/web

        [group:site]
        programs = web
        priority = 100
    """
    for name, raw in ctx.raw.sections.items():
        if ctx.kind(name) != "group":
            continue
        opt = ctx.effective(name, "programs")
        if opt is None or not opt.value.strip(" ,\n"):
            span = opt.value_span if opt is not None else raw.headers[0].header.name_span
            report(span, f"[{name}] lists no programs")
