"""Rules about where a program's output goes: its log files and their rotation."""

from __future__ import annotations

import os
from collections.abc import Iterator

from supervisor_tools.errors import Severity, Span
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Report, rule
from supervisor_tools.lint.rules.process import STREAMS, programs
from supervisor_tools.model.model import ProcessConfig

W = Severity.WARNING
E = Severity.ERROR


def _logs(proc: ProcessConfig) -> Iterator[tuple[str, str]]:
    for stream, value in (("stdout", proc.stdout_logfile), ("stderr", proc.stderr_logfile)):
        if value not in ("AUTO", "NONE", "syslog", ""):
            yield stream, value


@rule("SV247", "shared-logfile", W, "two processes (or two streams) writing the same log file",
      options=("stdout_logfile", "stderr_logfile"))
def shared_logfile(ctx: Context, report: Report) -> None:
    """Each log file is rotated by the process that writes it; two writers interleave lines and
    rotate the file under each other. With `numprocs > 1`, put `%(process_num)s` in the name;
    to send stderr to the stdout log use `redirect_stderr=true`.

    Failing:

        [program:worker]
        command = /usr/bin/worker
        process_name = %(program_name)s_%(process_num)d
        numprocs = 2
        stdout_logfile = /var/log/worker.log

    Passing:

        [program:worker]
        command = /usr/bin/worker
        process_name = %(program_name)s_%(process_num)d
        numprocs = 2
        stdout_logfile = /var/log/worker-%(process_num)d.log
    """
    first: dict[str, tuple[str, str]] = {}
    reported: set[tuple[Span, str]] = set()
    for proc in ctx.processes():
        for stream, path in _logs(proc):
            if path in STREAMS:
                continue
            key = os.path.normpath(path)
            owner = (proc.name, stream)
            if key not in first:
                first[key] = owner
                continue
            if first[key] == owner:
                continue
            span = proc.span_of(f"{stream}_logfile")
            if (span, key) in reported:
                continue
            reported.add((span, key))
            other = first[key]
            report(span, f"{path} is also written by {other[0]} ({other[1]}); "
                         f"{proc.name} ({stream}) would interleave with it and rotate it")


@rule("SV248", "stream-log-rotation", E, "a log to /dev/stdout with rotation enabled",
      options=("stdout_logfile", "stdout_logfile_maxbytes", "stderr_logfile",
               "stderr_logfile_maxbytes", "logfile", "logfile_maxbytes"))
def stream_log_rotation(ctx: Context, report: Report) -> None:
    """`/dev/stdout`, `/dev/stderr` and `/proc/self/fd/N` cannot be rotated. With
    `*_logfile_maxbytes` other than 0 (the default is 50MB) supervisord asks the file for its
    size after every write to decide on rotation; on a pipe or a terminal, what a container
    runtime or a shell gives supervisord as stdout, that fails with "Illegal seek", and every
    chunk of the program's output logs a CRIT "uncaptured python exception" traceback in
    supervisord's own log. Set the matching `maxbytes` to 0.

    Failing:

        [program:web]
        command = /usr/bin/web
        stdout_logfile = /dev/stdout

    Passing:

        [program:web]
        command = /usr/bin/web
        stdout_logfile = /dev/stdout
        stdout_logfile_maxbytes = 0
    """
    seen: set[Span] = set()
    for proc in ctx.processes():
        for stream, path in _logs(proc):
            if path in STREAMS and path != "/dev/null" and \
                    getattr(proc, f"{stream}_logfile_maxbytes") != 0:
                span = proc.span_of(f"{stream}_logfile")
                if span not in seen:
                    seen.add(span)
                    report(span, f"{path} cannot be rotated; set {stream}_logfile_maxbytes = 0")
    sd = ctx.model.supervisord
    if sd is not None and sd.logfile in STREAMS and sd.logfile_maxbytes != 0:
        report(sd.spans.get("logfile", sd.source),
               f"{sd.logfile} cannot be rotated; set logfile_maxbytes = 0")


# The stderr features that redirect_stderr=true turns off, each with the stdout option that then
# carries the merged stream.
REDIRECTED = {"stderr_syslog": "stdout_syslog", "stderr_events_enabled": "stdout_events_enabled",
              "stderr_capture_maxbytes": "stdout_capture_maxbytes"}


@rule("SV238", "redirect-stderr-options", W, "a stderr_* feature turned on under "
      "redirect_stderr=true, where only stdout_* counts",
      options=("redirect_stderr", *REDIRECTED, *REDIRECTED.values()))
def redirect_stderr_options(ctx: Context, report: Report) -> None:
    """With `redirect_stderr=true` there is no separate stderr stream: stderr is written into
    stdout's pipe and follows the `stdout_*` options. Turning on `stderr_syslog`,
    `stderr_events_enabled` or `stderr_capture_maxbytes` then does nothing, and unless the
    matching `stdout_*` option is on too, the program's error output silently never reaches
    syslog, event listeners or capture mode. (`stderr_logfile` itself is SV205.)

    Not reported: the other `stderr_*` options (`stderr_logfile_maxbytes`,
    `stderr_logfile_backups`) and features turned off or already carried by their `stdout_*`
    option. Such leftovers of a config that once logged stderr apart change nothing.

    Failing:

        [program:web]
        command = /usr/bin/web
        redirect_stderr = true
        stderr_syslog = true

    Passing:

        [program:web]
        command = /usr/bin/web
        redirect_stderr = true
        stdout_syslog = true
    """
    for prog in programs(ctx):
        if not prog.proc.redirect_stderr:
            continue
        raw = ctx.raw.sections.get(prog.section)  # what `ctx.explicit` reads
        if raw is None or raw.options.keys().isdisjoint(REDIRECTED):
            continue
        for key, carrier in REDIRECTED.items():
            opt = raw.options.get(key)
            if opt is None or not getattr(prog.proc, key) or getattr(prog.proc, carrier):
                continue
            report(opt.key_span, f"[{prog.name}] sets {key}, which has no effect with "
                                 f"redirect_stderr=true: stderr goes through stdout, so set "
                                 f"{carrier} instead")
