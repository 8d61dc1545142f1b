"""Rules about the user a program runs as."""

from __future__ import annotations

from supervisor_tools.errors import Severity
from supervisor_tools.lint.commandline import argv, basename, shell_script, simple_commands
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Report, rule
from supervisor_tools.lint.rules.process import explicit_span, programs

W = Severity.WARNING


# Programs that start as root by design: they bind privileged ports, switch users per session
# or per worker pool, or drop to another user themselves (the wrappers at the end).
ROOT_BY_DESIGN = frozenset({
    "sshd", "cron", "crond", "anacron", "atd", "rsyslogd", "syslogd", "syslog-ng", "dockerd",
    "containerd", "nginx", "apache2", "apache2ctl", "apachectl", "httpd", "haproxy", "postfix",
    "master", "dovecot", "named", "dnsmasq", "vsftpd", "proftpd", "smbd", "nmbd", "xinetd",
    "gosu", "su-exec", "setpriv", "chpst", "runuser", "setuidgid", "s6-setuidgid",
})


def _root_by_design(command: str | None) -> bool:
    args = argv(command or "")
    if not args:
        return False
    name = basename(args[0])
    return name in ROOT_BY_DESIGN or name.startswith("php-fpm")


@rule("SV236", "user-root", W, "a program running as root", options=("user",), group="strict")
def user_root(ctx: Context, report: Report) -> None:
    """A program with `user=root` (or uid 0) runs with every privilege; most services need
    none. Give it a dedicated user. (`[supervisord] user=root` is not reported: supervisord
    needs root to switch to each program's user.)

    In the opt-in group "strict" (`--select strict`, for hardening reviews): `user=root`
    written out is a deliberate choice, and from the file alone it cannot be told apart from a
    container's program (a conf.d fragment does not say where it runs), where root inside the
    container is the image's business. Even then it is not reported where root is right or
    moot: in a container's config (`[supervisord] nodaemon=true`), where the whole container
    is the unit of isolation and its user is set by the image or the runtime; and for programs
    that start as root by design and drop privileges themselves (sshd, cron, nginx, apache,
    php-fpm, postfix and the like, or a command run through gosu, su-exec, setpriv or chpst).

    Failing:

        [program:web]
        command = /usr/bin/web
        user = root

    Passing:

        [program:web]
        command = /usr/bin/web
        user = www-data
    """
    if ctx.container:
        return
    for prog in programs(ctx):
        user = prog.proc.user
        if user is None or user.strip() not in ("root", "0") or \
                _root_by_design(prog.proc.command):
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


# Commands that read or write under HOME: package managers and their caches, version control,
# desktops and VNC servers (~/.Xauthority, ~/.vnc), notebooks and editors.
HOME_READERS = frozenset({
    "npm", "npx", "yarn", "pnpm", "corepack", "bun", "pip", "pip3", "pipx", "pipenv", "poetry",
    "uv", "composer", "bundle", "bundler", "gem", "git", "x11vnc", "vncserver", "Xvnc",
    "tigervncserver", "fluxbox", "openbox", "startxfce4", "xfce4-session", "jupyter",
    "jupyter-lab", "jupyter-notebook", "code-server",
})
LOGIN_FLAGS = ("-l", "--login")


def _reads_home(command: str | None) -> str | None:
    """What in `command` reads HOME: a HOME reader it runs, or a login shell; None if nothing."""
    args = argv(command or "")
    if not args:
        return None
    name = basename(args[0])
    if name in HOME_READERS:
        return name
    script = shell_script(args)
    if script is None:
        return None
    flags = [a for a in args[1:] if a.startswith("-") and a != script]
    if any(f in LOGIN_FLAGS or (not f.startswith("--") and "l" in f) for f in flags):
        return f"{name} {' '.join(flags)} (a login shell reads ~/.profile)"
    for words, _ in simple_commands(script):
        if words and basename(words[0]) in HOME_READERS:
            return basename(words[0])
    return None


@rule("SV252", "user-without-home", W, "a command that uses HOME run as user= without HOME",
      options=("user", "environment"))
def user_without_home(ctx: Context, report: Report) -> None:
    """supervisord switches a program to its `user=` with setuid alone: it does not start a
    login shell and sets no `HOME`, `USER` or `LOGNAME` (supervisor's docs say so; 4.3.0 passes
    its own environment, the `SUPERVISOR_*` variables and `environment`). The program inherits
    supervisord's `HOME`: `/root` in a container or when started from a root shell. npm, pip,
    git, composer, a VNC desktop or a login shell then read root's files or fail to write
    there (`EACCES: permission denied, mkdir '/root/.npm'`). Set `HOME` (and `USER`) in the
    program's `environment`, or in `[supervisord] environment` when every program runs as
    that user.

    Reported only for commands that evidently use `HOME`: package managers (npm, yarn, pip,
    composer, bundle...), git, VNC servers and desktops, notebooks, and login shells (`bash
    -l`), run directly or from a `sh -c` script. Most servers never read it, and under
    systemd, which sets no `HOME` for supervisord, tools fall back to the user's entry in
    /etc/passwd. Not reported for `user=root`, nor for the user supervisord itself runs as
    (`[supervisord] user=`), whose environment is the one supervisord was started with.

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
        reader = _reads_home(prog.proc.command)
        span = explicit_span(ctx, prog, "user")
        if reader is None or span is None or ctx.unread(span):
            continue
        report(span, f"[{prog.name}] runs {reader} as '{user}' with supervisord's HOME "
                     "(/root in a container): supervisord sets no HOME or USER for user=; add "
                     "HOME and USER to environment")
