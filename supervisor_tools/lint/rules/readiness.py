"""Rules about readiness and liveness options (sd_notify, ready_log_line, the probes) that
contradict each other or cannot take effect."""

from __future__ import annotations

from supervisor_tools.errors import Severity
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Report, rule
from supervisor_tools.lint.rules.process import Program, explicit_span, programs
from supervisor_tools.options.readiness import PROBE_KINDS, PROBE_TARGETS, PROBE_TIMING, probe_key

W = Severity.WARNING
_TIMING = tuple(name for name, _, _ in PROBE_TIMING)
# each probe's option names, spelled once: the rules below look them up for every program
_TARGET_KEYS = {k: tuple(probe_key(k, t) for t in PROBE_TARGETS) for k in PROBE_KINDS}
_TIMING_KEYS = {k: tuple(probe_key(k, f) for f in _TIMING) for k in PROBE_KINDS}
_SETTINGS = frozenset([*_TIMING_KEYS["readiness"], *_TIMING_KEYS["liveness"], "readytimeoutsecs"])


def _writes_any(ctx: Context, prog: Program, keys: frozenset[str]) -> bool:
    """Whether the program's section (or [DEFAULT]) writes one of `keys`: for any other key
    explicit_span is None, and a rule can skip the program without looking each one up."""
    raw = ctx.raw.sections.get(prog.section)
    return bool(raw is not None and not keys.isdisjoint(raw.options)
                or not keys.isdisjoint(ctx.raw.defaults))


@rule("SV270", "watchdog-without-notify", W, "watchdogsecs without sd_notify=true",
      options=("watchdogsecs", "sd_notify"))
def watchdog_without_notify(ctx: Context, report: Report) -> None:
    """The watchdog is fed by `WATCHDOG=1` messages on the process's NOTIFY_SOCKET, which only
    a program with `sd_notify=true` is given: without it no ping can ever arrive, so svtool
    never arms the watchdog and `watchdogsecs` has no effect. Use a liveness probe to watch a
    program that does not speak sd_notify.

    Failing:

        [program:db]
        command = /usr/bin/db
        watchdogsecs = 30

    Passing:

        [program:db]
        command = /usr/bin/db
        sd_notify = true
        watchdogsecs = 30
    """
    for prog in programs(ctx):
        if prog.proc.watchdogsecs and not prog.proc.sd_notify:
            span = explicit_span(ctx, prog, "watchdogsecs")
            if span is not None:
                report(span, f"[{prog.name}] watchdogsecs has no effect without sd_notify=true "
                             "(nothing can send WATCHDOG=1)")


@rule("SV271", "probe-settings-without-probe", W,
      "probe timing or readytimeoutsecs set for a probe or readiness check that does not exist",
      options=(*(probe_key(k, f) for k in PROBE_KINDS for f in _TIMING), "readytimeoutsecs"))
def probe_settings_without_probe(ctx: Context, report: Report) -> None:
    """A probe runs only when its target is set: `_exec` (a command), `_http_get` (a URL) or
    `_tcp_socket` (host:port). Its initial delay, period, timeout and thresholds without one
    of them do nothing, which usually means the target was misspelled or left out. Likewise
    `readytimeoutsecs` only bounds a readiness check (sd_notify, ready_log_line or a readiness
    probe); without one, startsecs decides as in supervisord.

    Failing:

        [program:web]
        command = /usr/bin/web
        liveness_probe_period_seconds = 5

    Passing:

        [program:web]
        command = /usr/bin/web
        liveness_probe_http_get = http://127.0.0.1:8080/healthz
        liveness_probe_period_seconds = 5
    """
    for prog in programs(ctx):
        if not _writes_any(ctx, prog, _SETTINGS):
            continue
        proc = prog.proc
        for kind in PROBE_KINDS:
            if any(getattr(proc, key) is not None for key in _TARGET_KEYS[kind]):
                continue
            for key in _TIMING_KEYS[kind]:
                span = explicit_span(ctx, prog, key)
                if span is not None:
                    report(span, f"[{prog.name}] {key} has no effect: no "
                                 f"{kind} probe target ({kind}_probe_exec, _http_get or "
                                 "_tcp_socket) is set")
        readiness = (proc.sd_notify or proc.ready_log_line is not None
                     or any(getattr(proc, key) is not None for key in _TARGET_KEYS["readiness"]))
        span = explicit_span(ctx, prog, "readytimeoutsecs")
        if span is not None and not readiness:
            report(span, f"[{prog.name}] readytimeoutsecs has no effect without a readiness "
                         "check (sd_notify, ready_log_line or a readiness probe)")


@rule("SV272", "probe-several-targets", W, "one probe with more than one target",
      options=tuple(probe_key(k, t) for k in PROBE_KINDS for t in PROBE_TARGETS))
def probe_several_targets(ctx: Context, report: Report) -> None:
    """A probe has one target, as in Kubernetes and process-compose: a command, an HTTP GET or
    a TCP connect. When more than one is set, svtool probes the first of `_exec`, `_http_get`,
    `_tcp_socket` and ignores the others.

    Failing:

        [program:web]
        command = /usr/bin/web
        readiness_probe_http_get = http://127.0.0.1:8080/ready
        readiness_probe_tcp_socket = 127.0.0.1:8080

    Passing:

        [program:web]
        command = /usr/bin/web
        readiness_probe_http_get = http://127.0.0.1:8080/ready
        liveness_probe_tcp_socket = 127.0.0.1:8080
    """
    for prog in programs(ctx):
        for kind in PROBE_KINDS:
            used = [key for key in _TARGET_KEYS[kind] if getattr(prog.proc, key) is not None]
            for extra in used[1:]:
                span = explicit_span(ctx, prog, extra)
                if span is not None:
                    report(span, f"[{prog.name}] {extra} is ignored: the {kind} probe already "
                                 f"has a target ({used[0]})")


@rule("SV273", "liveness-success-threshold", W, "liveness_probe_success_threshold other than 1",
      options=("liveness_probe_success_threshold",))
def liveness_success_threshold(ctx: Context, report: Report) -> None:
    """A liveness probe restarts a process after `liveness_probe_failure_threshold`
    consecutive failures, and any success starts that count again; successes decide nothing
    else, so a success threshold other than 1 has no effect (Kubernetes refuses one).

    Failing:

        [program:web]
        command = /usr/bin/web
        liveness_probe_tcp_socket = 127.0.0.1:8080
        liveness_probe_success_threshold = 3

    Passing:

        [program:web]
        command = /usr/bin/web
        liveness_probe_tcp_socket = 127.0.0.1:8080
        liveness_probe_failure_threshold = 3
    """
    for prog in programs(ctx):
        if prog.proc.liveness_probe_success_threshold != 1:
            span = explicit_span(ctx, prog, "liveness_probe_success_threshold")
            if span is not None:
                report(span, f"[{prog.name}] liveness_probe_success_threshold has no effect "
                             "(must be 1): one success resets the failure count")
