"""Rules about how a program is started, restarted and stopped; the program walk the other
program rules share."""

from __future__ import annotations

from typing import NamedTuple

from supervisor_tools.errors import Severity, Span
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Report, rule
from supervisor_tools.model.model import ProcessConfig
from supervisor_tools.options.table import UNLIMITED

W = Severity.WARNING
E = Severity.ERROR

STREAMS = ("/dev/stdout", "/dev/stderr", "/dev/fd/1", "/dev/fd/2", "/proc/self/fd/1",
           "/proc/self/fd/2", "/dev/null", "/dev/tty", "/dev/console")


class Program(NamedTuple):
    """A program-like section with its first process (the values every process shares)."""

    name: str  # "kind:program", as messages name it
    section: str  # the name of the section in the files
    proc: ProcessConfig


def _section_name(ctx: Context, proc: ProcessConfig) -> str:
    return ctx.section_at(proc.source) or f"{proc.kind}:{proc.program}"


def _programs(ctx: Context) -> list[Program]:
    seen: set[Span] = set()
    found: list[Program] = []
    for proc in ctx.processes():
        if proc.source not in seen:
            seen.add(proc.source)
            found.append(Program(f"{proc.kind}:{proc.program}", _section_name(ctx, proc), proc))
    return found


def programs(ctx: Context) -> list[Program]:
    """Each program-like section once; built once per config, most rules here walk it."""
    return ctx.memo(_programs)


def explicit_span(ctx: Context, prog: Program, key: str) -> Span | None:
    opt = ctx.effective(prog.section, key)
    return None if opt is None else opt.value_span


@rule("SV230", "exitcodes-without-effect", W, "non-default exitcodes with autorestart=true",
      options=("exitcodes", "autorestart"))
def exitcodes_without_effect(ctx: Context, report: Report) -> None:
    """With `autorestart=true` every exit is restarted, expected or not, so `exitcodes` does not
    decide restarts; it only labels an exit "expected" or "not expected" in supervisord's log
    and in PROCESS_STATE_EXITED events. Use `autorestart=unexpected` to restart only on exit
    codes not in `exitcodes`. Only codes other than the default `0` are reported: writing the
    default out says nothing about restarts.

    Failing:

        [program:job]
        command = /usr/bin/job
        autorestart = true
        exitcodes = 0,2

    Passing:

        [program:job]
        command = /usr/bin/job
        autorestart = unexpected
        exitcodes = 0,2
    """
    for prog in programs(ctx):
        if prog.proc.autorestart is not True or prog.proc.exitcodes == (0,):
            continue
        span = explicit_span(ctx, prog, "exitcodes")
        if span is not None:
            report(span, f"[{prog.name}] restarts on every exit (autorestart=true), so exitcodes "
                         "does not decide restarts; use autorestart=unexpected")


@rule("SV231", "startretries-spawn-errors-only", W,
      "startretries with startsecs=0 and autorestart=false: a failed start is never retried",
      options=("startretries", "startsecs", "autorestart"))
def startretries_spawn_errors_only(ctx: Context, report: Report) -> None:
    """With `startsecs=0` a process counts as started the moment it is spawned, so one that
    exits at once is never a failed start: it goes to EXITED, not BACKOFF, and `startretries`
    does not retry it. `startretries` then counts only spawn errors that supervisord meets
    before the process runs (a command that is missing or not executable, no free file
    descriptors, a failed fork): those still go through BACKOFF, with a growing delay, to
    FATAL after `startretries` retries. With `autorestart=false` nothing else restarts the
    exited process either, so the retries that `startretries` asks for never happen: a job
    that fails at start stays EXITED after one try.

    Not reported with `startretries=0` ("never retry" holds), nor with `autorestart` true or
    unexpected, which restart an exit at once and without limit (SV232, in the strict group,
    reports that).

    Failing:

        [program:job]
        command = /usr/bin/job
        startsecs = 0
        startretries = 5
        autorestart = false

    Passing:

        [program:job]
        command = /usr/bin/job
        startsecs = 5
        startretries = 5
        autorestart = false
    """
    for prog in programs(ctx):
        proc = prog.proc
        if proc.startsecs != 0 or proc.startretries <= 0 or proc.autorestart is not False:
            continue
        span = explicit_span(ctx, prog, "startretries")
        if span is not None:
            report(span, f"[{prog.name}] has startsecs=0 and autorestart=false, so "
                         f"startretries={proc.startretries} counts only spawn errors (such as a "
                         "missing command): a process that exits at once is never retried; give "
                         "startsecs the time a healthy start takes")


@rule("SV232", "restart-loop", W, "startsecs=0 with autorestart: a crash restarts at once, forever",
      options=("startsecs", "autorestart"), group="strict")
def restart_loop(ctx: Context, report: Report) -> None:
    """With `startsecs=0` and `autorestart` true or unexpected, a program that crashes at start
    is restarted immediately and without limit (no backoff, never FATAL), burning CPU and
    flooding the logs.

    In the opt-in group "strict": it is a deliberate trade-off more often than not. Workers
    that exit by design and must come back at once (Symfony's `messenger:consume
    --time-limit`, Laravel queue workers, whose docs recommend `startsecs=0`) want exactly this,
    as do projects that prefer a respawn loop to a FATAL program.

    Failing:

        [program:job]
        command = /usr/bin/job
        startsecs = 0

    Passing:

        [program:job]
        command = /usr/bin/job
        startsecs = 1
    """
    for prog in programs(ctx):
        proc = prog.proc
        if proc.startsecs != 0 or proc.autorestart is False:
            continue
        span = explicit_span(ctx, prog, "startsecs")
        if span is not None:
            report(span, f"[{prog.name}] with startsecs=0 and autorestart={proc.autorestart} is "
                         "restarted immediately and forever when it crashes at start")


@rule("SV233", "no-processes", W, "numprocs of 0 or less: the program never runs",
      options=("numprocs",))
def no_processes(ctx: Context, report: Report) -> None:
    """`numprocs` of 0 or less creates the group with no process at all (and supervisord then
    checks nothing else in the section).

    Failing:

        [program:worker]
        command = /usr/bin/worker
        numprocs = 0

    Passing:

        [program:worker]
        command = /usr/bin/worker
        autostart = false
    """
    for name in ctx.raw.sections:
        if ctx.kind(name) not in ("program", "eventlistener", "fcgi-program"):
            continue
        # the value computed at load: `Option.value` is built again on every access
        text = ctx.raw.value(name, "numprocs")
        try:
            value = int(text) if text is not None else 1
        except ValueError:
            continue
        if value <= 0:
            opt = ctx.effective(name, "numprocs")
            assert opt is not None  # the option of that value
            report(opt.value_span, f"[{name}] numprocs={value} starts no process; use "
                                   "autostart=false to keep a program defined but stopped")


@rule("SV234", "bad-timing", W, "a negative startsecs/startretries or stopwaitsecs of 0",
      options=("startsecs", "startretries", "stopwaitsecs"))
def bad_timing(ctx: Context, report: Report) -> None:
    """supervisord accepts any integer, but a negative `startsecs` or `startretries` makes no
    sense (a negative `startretries` gives up after the first failure; -1 is svtool's "retry
    for ever", which SV260 reports for plain supervisord) and `stopwaitsecs=0`
    kills the process without giving it time to shut down. (With `stopsignal=KILL` the wait is
    moot and only SV235 reports the signal.)

    Failing:

        [program:web]
        command = /usr/bin/web
        stopwaitsecs = 0

    Passing:

        [program:web]
        command = /usr/bin/web
        stopwaitsecs = 10
    """
    for prog in programs(ctx):
        proc = prog.proc
        checks = (("startsecs", proc.startsecs < 0),
                  ("startretries", proc.startretries < 0 and proc.startretries != UNLIMITED),
                  ("stopwaitsecs", proc.stopwaitsecs <= 0 and proc.stopsignal != "KILL"))
        for key, bad in checks:
            span = explicit_span(ctx, prog, key) if bad else None
            if span is not None:
                report(span, f"[{prog.name}] {key}={getattr(proc, key)} is almost certainly wrong")


@rule("SV239", "startsecs-exceeds-stopwaitsecs", Severity.INFO,
      "startsecs longer than stopwaitsecs", options=("startsecs", "stopwaitsecs"), group="strict")
def startsecs_exceeds_stopwaitsecs(ctx: Context, report: Report) -> None:
    """A program that needs longer to start than it is given to stop is usually slow to shut
    down too: a stop or restart during (or soon after) its start sends SIGKILL after
    `stopwaitsecs`, in the middle of its initialisation or of its shutdown. Give it at least as
    long to stop as to start.

    In the opt-in group "strict": it is a rule of thumb, not a fault in the config. Many
    programs take long to become ready (loading data, waiting for a dependency) and stop in
    an instant.

    Failing:

        [program:search]
        command = /usr/bin/search-server
        startsecs = 60
        stopwaitsecs = 10

    Passing:

        [program:search]
        command = /usr/bin/search-server
        startsecs = 60
        stopwaitsecs = 60
    """
    for prog in programs(ctx):
        proc = prog.proc
        if proc.stopwaitsecs <= 0 or proc.startsecs <= proc.stopwaitsecs:
            continue
        span = explicit_span(ctx, prog, "startsecs") or explicit_span(ctx, prog, "stopwaitsecs")
        if span is not None:
            report(span, f"[{prog.name}] may take {proc.startsecs}s to start but gets only "
                         f"{proc.stopwaitsecs}s to stop before SIGKILL")


@rule("SV235", "stopsignal-kill", W, "stopsignal=KILL: the program cannot shut down cleanly",
      options=("stopsignal",))
def stopsignal_kill(ctx: Context, report: Report) -> None:
    """SIGKILL cannot be caught: the program gets no chance to flush data, close connections or
    remove its pid file. supervisord already sends SIGKILL after `stopwaitsecs` if the stop
    signal is ignored.

    Failing:

        [program:web]
        command = /usr/bin/web
        stopsignal = KILL

    Passing:

        [program:web]
        command = /usr/bin/web
        stopsignal = TERM
        stopwaitsecs = 30
    """
    for prog in programs(ctx):
        if prog.proc.stopsignal != "KILL":
            continue
        span = explicit_span(ctx, prog, "stopsignal")
        if span is not None:
            report(span, f"[{prog.name}] stopsignal=KILL gives the program no chance to shut down "
                         "cleanly; use TERM (or INT/QUIT) and stopwaitsecs")


@rule("SV250", "duplicate-process-name", E, "two processes with the same name in one group",
      options=("process_name", "programs"))
def duplicate_process_name(ctx: Context, report: Report) -> None:
    """supervisord accepts two processes of the same name in one group but keeps only one of
    them when it runs: the other program never starts. It happens when programs of a
    `[group:x]` share a `process_name` pattern, or when `process_name` ignores
    `%(program_name)s`.

    Failing:

        [program:fast]
        command = /usr/bin/worker --fast
        process_name = worker

        [program:slow]
        command = /usr/bin/worker --slow
        process_name = worker

        [group:workers]
        programs = fast,slow

    Passing:

        [program:fast]
        command = /usr/bin/worker --fast
        process_name = %(program_name)s

        [program:slow]
        command = /usr/bin/worker --slow
        process_name = %(program_name)s

        [group:workers]
        programs = fast,slow
    """
    for group in ctx.model.groups:
        first: dict[str, ProcessConfig] = {}
        for proc in group.processes:
            other = first.setdefault(proc.name, proc)
            if other is not proc and other.source != proc.source:
                report(proc.span_of("process_name"),
                       f"group '{group.name}' already has a process named '{proc.name}' "
                       f"(from [{_section_name(ctx, other)}]); supervisord runs only one")
