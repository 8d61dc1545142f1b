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


@rule("SV252", "user-without-home", W, "a program user= without HOME in its environment",
      options=("user", "environment"))
def user_without_home(ctx: Context, report: Report) -> None:
    """supervisord switches a program to its `user=` with setuid alone: it does not start a
    login shell and sets no `HOME`, `USER` or `LOGNAME` (supervisor's docs say so; 4.3.0 passes
    its own environment, the `SUPERVISOR_*` variables and `environment`). The program inherits
    supervisord's `HOME`, usually `/root`: npm, pip, git, composer and most caches then read
    root's files or fail to write there (`EACCES: permission denied, mkdir '/root/.npm'`).
    Set `HOME` (and `USER`) in the program's `environment`, or in `[supervisord] environment`
    when every program runs as that user.

    Not reported for `user=root`, nor for the user supervisord itself runs as (`[supervisord]
    user=`), whose environment is the one supervisord was started with.

    Failing:

        [program:web]
        command = npm start
        user = node

    Passing:

        [program:web]
        command = npm start
        user = node
        environment = HOME="/home/node",USER="node"
    """
    sd = ctx.model.supervisord
    own = sd.user.strip() if sd is not None and sd.user else None
    for prog in programs(ctx):
        user = (prog.proc.user or "").strip()
        if not user or user in ("root", "0", own) or "HOME" in prog.proc.environment:
            continue
        span = explicit_span(ctx, prog, "user")
        if span is not None and not ctx.unread(span):
            report(span, f"[{prog.name}] runs as '{user}' but keeps supervisord's HOME (usually "
                         "/root): supervisord sets no HOME or USER for user=; add HOME and USER "
                         "to environment")
