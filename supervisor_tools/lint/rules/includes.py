"""Rules about [include]: patterns in included files, and files read more than once."""

from __future__ import annotations

from supervisor_tools.errors import Severity
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Report, rule

W = Severity.WARNING


@rule("SV215", "nested-include", W, "[include] in an included file (ignored)", options=("files",))
def nested_include(ctx: Context, report: Report) -> None:
    """supervisord processes `[include]` only in the main file; in an included file it is
    silently ignored, so the files it names are never read.

    Failing (in conf.d/web.conf, included from supervisord.conf):

        [include]
        files = more/*.conf

    Passing: list every pattern in the main file's `[include]`.

        [include]
        files = conf.d/*.conf conf.d/more/*.conf
    """
    main = ctx.main
    for ref in ctx.sections():
        if main is not None and ref.document.path != main.path and ref.section.name == "include":
            report(ref.section.header.name_span,
                   "[include] in an included file is ignored by supervisord; move its patterns "
                   f"to the [include] of {main.path}")


@rule("SV216", "include-twice", W, "a file included more than once", options=("files",))
def include_twice(ctx: Context, report: Report) -> None:
    """A file matched by two `[include]` patterns is read twice; every section in it is then
    merged with itself and later files may be overridden unexpectedly.

    Failing:

        [supervisord]
        [include]
        files = conf.d/*.conf conf.d/web.conf

    Passing:

        [supervisord]
        [include]
        files = conf.d/*.conf
    """
    main = ctx.main
    if main is None:
        return
    opt = ctx.explicit("include", "files")
    if opt is None:
        return
    counts: dict[str, int] = {}
    for doc in ctx.documents[1:]:
        counts[doc.path] = counts.get(doc.path, 0) + 1
    for path, count in counts.items():
        if count > 1 and path != main.path:
            report(opt.value_span, f"{path} is matched by {count} include patterns and read "
                                   f"{count} times")
