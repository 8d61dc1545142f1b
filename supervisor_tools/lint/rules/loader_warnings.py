"""What supervisord accepts but only logs a warning about: the loader's warnings as rules."""

from __future__ import annotations

import re

from supervisor_tools.errors import Severity, Span
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Fix, InsertLine, Report, TextEdit, rule
from supervisor_tools.lint.rules.loader import report_loader

W = Severity.WARNING


@rule("SV201", "include-no-match", W, "an [include] pattern that matches no file",
      codes=("include-no-match",), options=("files",))
def include_no_match(ctx: Context, report: Report) -> None:
    """supervisord logs a warning and goes on: the programs you meant to include are missing.
    Patterns are relative to the main file's directory, not the current directory.

    A relative pattern (or one starting with `%(here)s`) names files that travel with the
    config: when it matches nothing next to the file, the config is wrong wherever it runs,
    and this is reported by default. An absolute pattern such as
    `/etc/supervisor/conf.d/*.conf` names files of the machine supervisord runs on; that the
    machine running the linter has none says nothing about the target, so it is reported only
    with host checks (`--select host`, or `host-checks = true` in the settings), as is a
    pattern built from an environment variable that is not set here (SV119).

    Failing:

        [supervisord]
        [include]
        files = conf.d/*.conf

    (with no conf.d directory next to the file)

    Passing:

        [supervisord]
        [include]
        files = conf.d/*.conf

    (with at least one matching file next to the file)
    """
    report_loader(ctx, report)


@rule("SV202", "include-not-a-file", W, "an [include] pattern matches a directory or unreadable "
      "file", codes=("include-directory", "include-unreadable"), options=("files",))
def include_not_a_file(ctx: Context, report: Report) -> None:
    """supervisord silently skips a match that is a directory or cannot be read.

    Failing:

        [supervisord]
        [include]
        files = conf.d/*

    (where conf.d holds a sub-directory)

    Passing:

        [supervisord]
        [include]
        files = conf.d/*.conf
    """
    report_loader(ctx, report)


def _syslog_fix(ctx: Context, span_file: str, line: int, stream: str) -> Fix | None:
    for ref, opt in ctx.options_named(f"{stream}_logfile"):
        if ref.kind not in ("program", "eventlistener", "fcgi-program") \
                or ref.document.path != span_file or opt.value_span.line != line \
                or len(opt.lines) != 1:
            continue
        if ctx.explicit(ref.section.name, f"{stream}_syslog") is not None:
            return None
        vs = opt.value_span
        return Fix(f"write {stream}_logfile = NONE and {stream}_syslog = true",
                   (TextEdit(span_file, vs.line, vs.col, vs.end_col, "NONE"),
                    InsertLine(span_file, opt.span.end_line, f"{stream}_syslog = true")))
    return None


@rule("SV203", "deprecated-syslog", W, "stdout_logfile=syslog is deprecated",
      codes=("deprecated-syslog",), fixable=True,
      options=("stdout_logfile", "stderr_logfile", "stdout_syslog", "stderr_syslog"))
def deprecated_syslog(ctx: Context, report: Report) -> None:
    """`stdout_logfile=syslog` (or `stderr_logfile=syslog`) is deprecated; supervisord turns it
    into no log file plus `stdout_syslog=true`. `--fix` writes exactly that.

    Failing:

        [program:web]
        command = /usr/bin/web
        stdout_logfile = syslog

    Passing:

        [program:web]
        command = /usr/bin/web
        stdout_logfile = NONE
        stdout_syslog = true
    """
    for err in ctx.loader_findings():
        if err.code in report.rule.codes:
            stream = "stderr" if "stderr_logfile" in err.message else "stdout"
            report(err.span, err.message, _syslog_fix(ctx, err.span.file, err.span.line, stream))


@rule("SV204", "auto-log-no-rotation", W, "an AUTO log file that never rotates",
      codes=("auto-log-no-rotation",),
      options=("stdout_logfile", "stderr_logfile", "stdout_logfile_maxbytes",
               "stderr_logfile_maxbytes"))
def auto_log_no_rotation(ctx: Context, report: Report) -> None:
    """An AUTO log (the default) with `*_logfile_maxbytes=0` grows without limit in
    `childlogdir`. With `redirect_stderr=true` there is no stderr log, so
    `stderr_logfile_maxbytes=0` is harmless there (supervisord 4.3.0 still logs its warning,
    but never creates the file).

    Failing:

        [program:web]
        command = /usr/bin/web
        stdout_logfile_maxbytes = 0

    Passing:

        [program:web]
        command = /usr/bin/web
        stdout_logfile_maxbytes = 50MB
    """
    report_loader(ctx, report)


@rule("SV205", "redirect-stderr-logfile", W, "stderr_logfile is ignored with redirect_stderr=true",
      codes=("redirect-stderr-logfile",), options=("redirect_stderr", "stderr_logfile"))
def redirect_stderr_logfile(ctx: Context, report: Report) -> None:
    """With `redirect_stderr=true` stderr goes to the stdout log; a `stderr_logfile` path is
    silently ignored (supervisord only logs a warning). Whoever looks for errors in that file
    finds it empty, or missing, forever.

    Reported only where that misleads: a `stderr_logfile` naming a file of its own. A stream
    (`/dev/stderr`, `/dev/stdout`, `/dev/fd/2`, `/proc/self/fd/2`), the boilerplate of container
    configs, ends up in the same container log either way, and the stdout log's own path
    changes nothing; supervisord's warning for those is not repeated.

    Failing:

        [program:web]
        command = /usr/bin/web
        redirect_stderr = true
        stderr_logfile = /var/log/web-error.log

    Passing:

        [program:web]
        command = /usr/bin/web
        redirect_stderr = true
        stdout_logfile = /var/log/web.log
    """
    for err in ctx.loader_findings():
        if err.code in report.rule.codes and _separate_stderr_file(ctx, err.span):
            report(err.span, err.message)


_STREAM = re.compile(r"/dev/|/proc/[^/]+/fd/")


def _separate_stderr_file(ctx: Context, span: Span) -> bool:
    """Whether the stderr_logfile written at `span` names a file other than a stream or the
    section's stdout log."""
    for ref, opt in ctx.options_named("stderr_logfile"):
        if opt.value_span != span:
            continue
        text = opt.value.strip()
        stdout = ctx.effective(ref.section.name, "stdout_logfile")
        return not _STREAM.match(text) and (stdout is None or stdout.value.strip() != text)
    return True


@rule("SV206", "numprocs-limit", W, "numprocs larger than svtool models",
      codes=("numprocs-limit",), options=("numprocs",))
def numprocs_limit(ctx: Context, report: Report) -> None:
    """A `numprocs` so large that supervisord would take minutes and gigabytes to build the
    processes; svtool stops modelling them (the other checks of that program are skipped).

    Failing:

        [program:worker]
        command = /usr/bin/worker
        process_name = %(program_name)s_%(process_num)d
        numprocs = 100000

    Passing:

        [program:worker]
        command = /usr/bin/worker
        process_name = %(program_name)s_%(process_num)d
        numprocs = 16
    """
    report_loader(ctx, report)
