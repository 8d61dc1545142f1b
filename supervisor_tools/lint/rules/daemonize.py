"""A rule about commands whose program detaches from supervisord (daemonizes)."""

from __future__ import annotations

import re

from supervisor_tools.errors import Severity
from supervisor_tools.lint import commandline as cl
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Report, rule
from supervisor_tools.lint.rules.command import commands

W = Severity.WARNING

# Programs that always detach unless a command-line flag keeps them in the foreground: none of
# them has a setting in its own config file that does it, so a command without the flag
# demonstrably daemonizes. (nginx `daemon`, php-fpm `daemonize`, redis `daemonize`, haproxy
# `daemon`, dnsmasq `keep-in-foreground` are settings of the program's config file, which the
# command does not show: those programs are reported only with a flag that asks to detach.)
FOREGROUND_FLAGS: dict[str, tuple[str, ...]] = {
    "sshd": ("-D", "-d"),
    "httpd": ("FOREGROUND", "NO_DETACH", "-X"),
    "apache2": ("FOREGROUND", "NO_DETACH", "-X"),
    "varnishd": ("-F", "-d"),
    "xinetd": ("-dontfork", "-d"),
    "cron": ("-f", "-n"),
    "crond": ("-f", "-n"),
    "rsyslogd": ("-n",),
    "syslog-ng": ("-F", "--foreground"),
    "dovecot": ("-F",),
    "smbd": ("-F", "--foreground", "-i", "--interactive"),
    "nmbd": ("-F", "--foreground", "-i", "--interactive"),
}
GUNICORN = re.compile(r"gunicorn(3|_django|_paster)?")
PHP_FPM = re.compile(r"php-?fpm[\d.]*")
UWSGI = re.compile(r"uwsgi(\d*|_python\d*)")
CARBON = re.compile(r"carbon-(cache|relay|aggregator)(\.py)?")


def _has_flag(rest: list[str], flags: tuple[str, ...]) -> bool:
    for arg in rest:
        for flag in flags:
            if arg == flag or (not flag.startswith("-") and flag in arg):
                return True  # `-DFOREGROUND`, `-D FOREGROUND`
            if (len(flag) == 2 and flag[0] == "-" and arg.startswith("-")
                    and not arg.startswith("--") and len(arg) <= 4 and flag[1] in arg[1:]):
                return True  # a cluster of short flags: `-De`
    return False


def _daemonizes(words: list[str], op: str | None) -> str | None:
    if op == "&":
        return "'&' puts the process in the background and the shell exits"
    if not words:
        return None
    name = cl.basename(words[0])
    rest = words[1:]
    joined = " ".join(rest)
    if name in FOREGROUND_FLAGS and not _has_flag(rest, FOREGROUND_FLAGS[name]):
        flags = " or ".join(f for f in FOREGROUND_FLAGS[name] if f.startswith("-"))
        if name in ("httpd", "apache2"):
            flags = "-DFOREGROUND"
        return f"{name} detaches into the background unless run with {flags}"
    if name == "nginx" and re.search(r"daemon\s+on\b", joined):
        return "nginx -g 'daemon on;' forks into the background"
    if name == "redis-server" and re.search(r"--daemonize\s+yes", joined):
        return "redis-server --daemonize yes forks into the background"
    if GUNICORN.fullmatch(name) and ("--daemon" in rest or "-D" in rest):
        return "gunicorn --daemon forks into the background"
    if PHP_FPM.fullmatch(name) and ({"-D", "--daemonize"} & set(rest)):
        return "php-fpm --daemonize forks into the background"
    if name in ("apachectl", "apache2ctl") and "FOREGROUND" not in joined and (
            {"start", "restart", "graceful"} & set(rest)):
        return f"'{name} start' starts Apache in the background and exits"
    if name in ("service", "systemctl") or words[0].startswith("/etc/init.d/"):
        return f"'{name}' asks another service manager to start the program and exits"
    if name == "postfix" and ({"start", "restart"} & set(rest)):
        return "'postfix start' starts the mail system in the background and exits (use start-fg)"
    if name == "monetdbd" and "start" in rest and "-n" not in rest:
        return "'monetdbd start' forks into the background unless run with -n"
    if CARBON.fullmatch(name) and "start" in rest and not (
            {"--debug", "--nodaemon"} & set(rest)):
        return f"'{name} start' forks into the background unless run with --nodaemon"
    if UWSGI.fullmatch(name) and any(r.startswith("--daemonize") for r in rest):
        return "uwsgi --daemonize forks into the background"
    if name == "memcached" and "-d" in rest:
        return "memcached -d forks into the background"
    if name == "mongod" and "--fork" in rest:
        return "mongod --fork forks into the background"
    if name == "celery" and "multi" in rest[:3]:
        return "celery multi starts detached workers and exits"
    return None


@rule("SV224", "daemonizing-command", W, "a program that puts itself in the background",
      options=("command",))
def daemonizing_command(ctx: Context, report: Report) -> None:
    """supervisord must stay the parent of the real process. A program that daemonizes exits at
    once: supervisord sees an exit, restarts it in a loop or marks it FATAL, and cannot stop the
    real process. Reported only where the command itself shows that the program detaches:

    - a shell line ending in `&`, or a `... &` inside `sh -c '...'`;
    - a flag that asks to detach: `nginx -g 'daemon on;'`, `redis-server --daemonize yes`,
      `gunicorn --daemon`/`-D`, `php-fpm --daemonize`/`-D`, `uwsgi --daemonize`,
      `memcached -d`, `mongod --fork`;
    - a command that starts a service and returns: `service x start`, `systemctl ...`,
      `/etc/init.d/x start`, `apachectl start`, `postfix start`, `monetdbd start` (without
      `-n`), `carbon-cache start` (without `--nodaemon`/`--debug`), `celery multi`;
    - a daemon that always detaches unless a flag keeps it in the foreground, having no
      config-file setting for it: `sshd` (`-D`), `httpd`/`apache2` (`-DFOREGROUND`),
      `varnishd` (`-F`), `xinetd` (`-dontfork`), `cron`/`crond` (`-f`), `rsyslogd` (`-n`),
      `syslog-ng` (`--foreground`), `dovecot` (`-F`), `smbd`/`nmbd` (`--foreground`).

    Not reported: nginx, php-fpm, redis-server or haproxy without a flag. Whether they detach is
    a setting of their own config file (`daemon off;` appended to nginx.conf, the official
    `php:*-fpm` image's `daemonize = no`), which the command does not show; nor a wrapper
    script named after one (`php-fpm.sh`), nor `nohup`, which does not fork.

    Failing:

        [program:nginx]
        command = /usr/sbin/nginx -g 'daemon on;'

    Passing:

        [program:nginx]
        command = /usr/sbin/nginx -g 'daemon off;'
    """
    for cmd in commands(ctx):
        args = cmd.args
        if not args:
            continue
        script = cmd.script
        units: list[tuple[list[str], str | None]] = (
            list(cl.simple_commands(script)) if script is not None else [(args, None)])
        if script is None and "&" in cmd.text:
            split = cl.words(cmd.text) or []
            if split and split[-1].text == "&" and split[-1].how == "u":
                report(cmd.span, "there is no shell to put the program in the background: "
                                 "supervisord passes '&' to it as an argument; remove the '&' "
                                 "(supervisord already runs the program in the background)")
                continue
        for words, op in units:
            why = _daemonizes(words, op)
            if why:
                report(cmd.span, f"{why}; supervisord would see it exit")
                break
