"""Rules for what supervisord itself refuses: the loader's own findings.

The model's loader records every problem supervisord would stop at (supervisord reports only
the first); each rule here reports the loader findings with its codes, at the span of the value.
What depends on the machine is in `host`, what supervisord only warns about in
`loader_warnings`.
"""

from __future__ import annotations

import re

from supervisor_tools.errors import Severity
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Report, rule

E = Severity.ERROR


def report_loader(ctx: Context, report: Report) -> None:
    for err in ctx.loader_findings():
        if err.code in report.rule.codes:
            report(err.span, err.message)


@rule("SV101", "syntax", E, "a line supervisord cannot parse", codes=("syntax",),
      rejected=True)
def syntax(ctx: Context, report: Report) -> None:
    """A line that is neither a section header, a comment, nor `key = value` (or `key: value`).

    supervisord stops with "Source contains parsing errors" (or "File contains no section
    headers" for text before the first `[section]`), listing only the first file's bad lines.
    svtool reports every bad line of every file.

    Failing:

        [program:web]
        command = /usr/bin/web
        autostart true

    Passing:

        [program:web]
        command = /usr/bin/web
        autostart = true
    """
    report_loader(ctx, report)


@rule("SV102", "unreadable", E, "a config file that cannot be read or decoded",
      codes=("unreadable",), rejected=True)
def unreadable(ctx: Context, report: Report) -> None:
    """A config file (or an included file) that cannot be read, or is not valid UTF-8.

    Failing: a file containing the byte 0xff, e.g. a Latin-1 `; caf\\xe9` comment.

        [program:web]
        command = /usr/bin/web ; caf\\xe9 (saved as Latin-1)

    Passing: save the file as UTF-8.

        [program:web]
        command = /usr/bin/web ; café
    """
    report_loader(ctx, report)


@rule("SV103", "invalid-value", E, "a value supervisord rejects (boolean, integer, size, ...)",
      codes=("invalid-value",), rejected=True,
      options=("autostart", "autorestart", "exitcodes", "stopsignal", "umask", "priority",
               "numprocs", "startsecs", "startretries", "stopwaitsecs", "environment",
               "logfile_maxbytes", "loglevel", "port", "chmod", "events", "buffer_size",
               "user", "chown", "socket_owner"))
def invalid_value(ctx: Context, report: Report) -> None:
    """A value the option's type does not accept: a bad boolean, integer, byte size, octal
    umask, exit code list, signal name, autorestart value, log level, port or environment list,
    or a user or group name no machine can have (empty, or with a space or a `:` in it, as
    in `user = app:web`; whether a possible name exists is a host check, SV116).

    Failing:

        [program:web]
        command = /usr/bin/web
        autostart = yes please
        stdout_logfile_maxbytes = 10M

    Passing:

        [program:web]
        command = /usr/bin/web
        autostart = true
        stdout_logfile_maxbytes = 10MB
    """
    report_loader(ctx, report)


@rule("SV104", "expansion", E, "a %(name)s expansion supervisord cannot perform",
      codes=("expansion",), rejected=True)
def expansion(ctx: Context, report: Report) -> None:
    """A `%(name)s` that names something the option may not use, a lone `%`, or a bad format.

    Each option expands its own set of names (see `svtool rules` and the option docs); a
    literal `%` must be written `%%` (`%%%%` in `stdout_logfile`/`stderr_logfile`).

    An `%(ENV_X)s` whose variable is not set where svtool runs is not reported here: the
    variable belongs to the machine supervisord will run on (see SV119).

    Failing:

        [program:web]
        command = /usr/bin/web --load 100%
        priority = %(process_num)s

    Passing:

        [program:web]
        command = /usr/bin/web --load 100%%
        priority = 10
    """
    report_loader(ctx, report)


@rule("SV105", "missing-required", E, "a section lacks an option it requires",
      codes=("missing-required",), rejected=True,
      options=("file", "port", "events", "socket", "files", "supervisor.rpcinterface_factory"))
def missing_required(ctx: Context, report: Report) -> None:
    """A section without the option it cannot work without: `[unix_http_server]` without
    `file`, `[inet_http_server]` without `port`, `[eventlistener:x]` without `events`,
    `[fcgi-program:x]` without `socket`, `[include]` without `files`, `[rpcinterface:x]`
    without its factory.

    Failing:

        [inet_http_server]
        username = admin
        password = secret

    Passing:

        [inet_http_server]
        port = 127.0.0.1:9001
        username = admin
        password = secret
    """
    report_loader(ctx, report)


@rule("SV106", "missing-command", E, "a program without a command", codes=("missing-command",),
      rejected=True, options=("command",))
def missing_command(ctx: Context, report: Report) -> None:
    """A `[program:x]` (or event listener, fcgi-program) with no `command`.

    Failing:

        [program:web]
        directory = /srv/web

    Passing:

        [program:web]
        command = /srv/web/bin/web
        directory = /srv/web
    """
    report_loader(ctx, report)


@rule("SV107", "missing-supervisord", E, "a main config (with [include]) has no [supervisord]",
      codes=("missing-supervisord",), rejected=True)
def missing_supervisord(ctx: Context, report: Report) -> None:
    """A main configuration without a `[supervisord]` section, neither in itself nor in a file
    it includes. A file with an `[include]` section is a main configuration (supervisord ignores
    `[include]` anywhere else); files with only programs and groups are checked as conf.d
    fragments and do not need `[supervisord]`.

    Failing:

        [include]
        files = conf.d/*.conf

    Passing:

        [supervisord]
        logfile = /var/log/supervisor/supervisord.log

        [include]
        files = conf.d/*.conf
    """
    report_loader(ctx, report)


@rule("SV108", "group-unknown-program", E, "a [group:x] names a program that does not exist",
      codes=("group-unknown-program",), rejected=True, options=("programs",))
def group_unknown_program(ctx: Context, report: Report) -> None:
    """`programs=` of a `[group:x]` names something that is neither a `[program:x]` nor an
    `[fcgi-program:x]` (event listeners cannot be group members).

    Failing:

        [program:web]
        command = /usr/bin/web

        [group:site]
        programs = web,wrker

    Passing:

        [program:web]
        command = /usr/bin/web

        [program:worker]
        command = /usr/bin/worker

        [group:site]
        programs = web,worker

    A conf.d fragment may name programs of another fragment: lint the fragments together
    (`svtool lint conf.d/`) and programs defined in any of them count.
    """
    for err in ctx.loader_findings():
        if err.code not in report.rule.codes:
            continue
        m = re.search(r"program or fcgi-program '(.*)'$", err.message)
        if m and ctx.fragment and ({f"program:{m.group(1)}", f"fcgi-program:{m.group(1)}"}
                                   & ctx.siblings):
            continue
        report(err.span, err.message)


@rule("SV109", "group-ambiguous", E, "a group member exists as program and fcgi-program",
      codes=("group-ambiguous",), rejected=True, options=("programs",))
def group_ambiguous(ctx: Context, report: Report) -> None:
    """A `[group:x]` member name defined both as `[program:x]` and `[fcgi-program:x]`.

    Failing:

        [program:app]
        command = /usr/bin/app

        [fcgi-program:app]
        command = /usr/bin/app-fcgi
        socket = unix:///run/app.sock

        [group:site]
        programs = app

    Passing:

        [program:app]
        command = /usr/bin/app

        [group:site]
        programs = app
    """
    report_loader(ctx, report)


@rule("SV110", "invalid-name", E, "a program, group or process name with a space, ':' or '/'",
      codes=("name",), rejected=True, options=("process_name",))
def invalid_name(ctx: Context, report: Report) -> None:
    """A program, group or listener name (after the colon in the header), or a `process_name`,
    that contains a space, a colon or a slash.

    Failing:

        [program:my app]
        command = /usr/bin/app

    Passing:

        [program:my_app]
        command = /usr/bin/app
    """
    report_loader(ctx, report)


@rule("SV111", "numprocs-process-name", E, "numprocs > 1 but process_name lacks %(process_num)",
      codes=("numprocs-name",), rejected=True, options=("numprocs", "process_name"))
def numprocs_process_name(ctx: Context, report: Report) -> None:
    """With `numprocs` above 1 every process needs its own name, so `process_name` must contain
    `%(process_num)`.

    Failing:

        [program:worker]
        command = /usr/bin/worker
        numprocs = 4

    Passing:

        [program:worker]
        command = /usr/bin/worker
        numprocs = 4
        process_name = %(program_name)s_%(process_num)02d
    """
    report_loader(ctx, report)


@rule("SV112", "stopasgroup-killasgroup", E, "stopasgroup=true with killasgroup=false",
      codes=("stopasgroup-killasgroup",), rejected=True, options=("stopasgroup", "killasgroup"))
def stopasgroup_killasgroup(ctx: Context, report: Report) -> None:
    """`stopasgroup=true` implies `killasgroup=true`; setting it false is refused.

    Failing:

        [program:web]
        command = /usr/bin/web
        stopasgroup = true
        killasgroup = false

    Passing:

        [program:web]
        command = /usr/bin/web
        stopasgroup = true
    """
    report_loader(ctx, report)


@rule("SV113", "listener-redirect-stderr", E, "an event listener with redirect_stderr=true",
      codes=("listener-redirect",), rejected=True, options=("redirect_stderr",))
def listener_redirect(ctx: Context, report: Report) -> None:
    """An event listener speaks its protocol on stdout; merging stderr into it is refused.

    Failing:

        [eventlistener:mon]
        command = /usr/bin/monitor
        events = PROCESS_STATE
        redirect_stderr = true

    Passing:

        [eventlistener:mon]
        command = /usr/bin/monitor
        events = PROCESS_STATE
    """
    report_loader(ctx, report)


@rule("SV114", "fcgi-socket", E, "an fcgi-program socket supervisord cannot use",
      codes=("fcgi-socket",), rejected=True, options=("socket", "socket_owner", "socket_mode"))
def fcgi_socket(ctx: Context, report: Report) -> None:
    """An `[fcgi-program:x] socket` that is not `unix:///absolute/path` or `tcp://host:port`,
    or `socket_owner`/`socket_mode` on a TCP socket.

    Failing:

        [fcgi-program:php]
        command = /usr/bin/php-cgi
        socket = unix://run/php.sock

    Passing:

        [fcgi-program:php]
        command = /usr/bin/php-cgi
        socket = unix:///run/php.sock
    """
    report_loader(ctx, report)


@rule("SV115", "incomplete-auth", E, "an HTTP server with a username but no password (or back)",
      codes=("incomplete-auth",), rejected=True, options=("username", "password"))
def incomplete_auth(ctx: Context, report: Report) -> None:
    """`[unix_http_server]`/`[inet_http_server]` must set both `username` and `password`, or
    neither.

    Failing:

        [inet_http_server]
        port = 127.0.0.1:9001
        username = admin

    Passing:

        [inet_http_server]
        port = 127.0.0.1:9001
        username = admin
        password = {SHA}d033e22ae348aeb5660fc2140aec35850c4da997
    """
    report_loader(ctx, report)
