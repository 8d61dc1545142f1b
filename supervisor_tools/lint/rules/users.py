"""Rules about the user a program runs as."""

from __future__ import annotations

from supervisor_tools.errors import Severity
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Report, rule
from supervisor_tools.lint.rules.process import explicit_span, programs

W = Severity.WARNING


@rule("SV236", "user-root", W, "a program running as root", options=("user",), group="strict")
def user_root(ctx: Context, report: Report) -> None:
    """A program with `user=root` (or uid 0) runs with every privilege; most services need
    none. Give it a dedicated user. (`[supervisord] user=root` is not reported: supervisord
    needs root to switch to each program's user.)

    In the opt-in group "strict": `user=root` written out is a deliberate choice, and often the
    right one: sshd, cron, a web server binding port 80 before it drops privileges, and any
    program of a container whose whole container is the unit of isolation. Hardening reviews
    turn it on with `--select strict` (or `--select SV236`).

    Failing:

        [program:web]
        command = /usr/bin/web
        user = root

    Passing:

        [program:web]
        command = /usr/bin/web
        user = www-data
    """
    for prog in programs(ctx):
        user = prog.proc.user
        if user is None or user.strip() not in ("root", "0"):
            continue
        span = explicit_span(ctx, prog, "user")
        if span is not None:
            report(span, f"[{prog.name}] runs as root; prefer a dedicated unprivileged user")


@rule("SV237", "user-switch-impossible", W, "a program user= while supervisord runs unprivileged",
      options=("user",))
def user_switch_impossible(ctx: Context, report: Report) -> None:
    """Only a supervisord running as root can start programs as another user. With
    `[supervisord] user=` set to an unprivileged user, a program `user=` naming someone else
    makes every start fail.

    Failing:

        [supervisord]
        user = nobody

        [program:web]
        command = /usr/bin/web
        user = root

    Passing:

        [supervisord]

        [program:web]
        command = /usr/bin/web
        user = nobody
    """
    sd = ctx.model.supervisord
    if sd is None or sd.user is None or sd.user.strip() in ("root", "0"):
        return
    for prog in programs(ctx):
        user = prog.proc.user
        if user is None or user.strip() == sd.user.strip():
            continue
        span = explicit_span(ctx, prog, "user")
        if span is not None:
            report(span, f"supervisord runs as '{sd.user}' and cannot start [{prog.name}] as "
                         f"'{user}'")
