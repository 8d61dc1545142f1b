"""Rules for what supervisord itself refuses or warns about: the loader's own findings.

The model's loader records every problem supervisord would stop at (supervisord reports only
the first); each rule here reports the loader findings with its codes, at the span of the value.
"""

from __future__ import annotations

import re

from supervisor_tools.errors import Severity, Span
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Fix, InsertLine, Report, TextEdit, rule

E = Severity.ERROR
W = Severity.WARNING


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


@rule("SV116", "host-user", E, "a user or group that does not exist on this machine",
      codes=("host-user",), rejected=True, host=True,
      options=("user", "chown", "socket_owner"))
def host_user(ctx: Context, report: Report) -> None:
    """supervisord looks users and groups up when it reads the file; an unknown name stops it.
    This check consults the machine svtool runs on, so it belongs to the opt-in `host` group:
    select it (`--select host`, or `host-checks = true` in the settings) when linting on the
    machine the config is for.

    Failing:

        [program:web]
        command = /usr/bin/web
        user = no-such-user-here

    Passing:

        [program:web]
        command = /usr/bin/web
        user = nobody
    """
    report_loader(ctx, report)


@rule("SV117", "host-path", E, "a directory that does not exist on this machine",
      codes=("host-path",), rejected=True, host=True,
      options=("logfile", "pidfile", "childlogdir", "directory", "stdout_logfile",
               "stderr_logfile"))
def host_path(ctx: Context, report: Report) -> None:
    """supervisord checks that log and pid file directories (and `[supervisord] directory`,
    `childlogdir`) exist when it reads the file. This check consults the machine svtool runs
    on, so it belongs to the opt-in `host` group: select it (`--select host`, or
    `host-checks = true` in the settings) when linting on the machine the config is for.

    Whether it runs or not, the path stays what the config says for every other rule (a
    shared log file, SV247, is found in a directory this machine lacks).

    Failing:

        [program:web]
        command = /usr/bin/web
        stdout_logfile = /no/such/dir/web.log

    Passing:

        [program:web]
        command = /usr/bin/web
        stdout_logfile = /var/log/web.log
    """
    report_loader(ctx, report)


@rule("SV118", "import", E, "a factory or result handler that cannot be imported",
      codes=("import",), rejected=True, host=True,
      options=("supervisor.rpcinterface_factory", "result_handler"))
def import_error(ctx: Context, report: Report) -> None:
    """supervisord imports `[rpcinterface:x]` factories and event listener `result_handler`s
    when it reads the file. This check imports them in svtool's Python, so it belongs to the
    opt-in `host` group: select it (`--select host`, or `host-checks = true` in the settings)
    when linting on the machine the config is for.

    Failing:

        [rpcinterface:supervisor]
        supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterfac

    Passing:

        [rpcinterface:supervisor]
        supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
    """
    report_loader(ctx, report)


@rule("SV119", "env-unset", E, "an %(ENV_X)s variable that is not set on this machine",
      codes=("env-unset",), rejected=True, host=True)
def env_unset(ctx: Context, report: Report) -> None:
    """supervisord expands `%(ENV_X)s` from its own environment when it reads the file; if X is
    not set there it refuses the file ("contains names ('ENV_X') which cannot be expanded").

    Whether X is set where svtool runs says nothing about the machine the config is for, so
    this check belongs to the opt-in `host` group: select it (`--select host`, or
    `host-checks = true` in the settings) when linting on that machine, with supervisord's
    environment. By default the reference stays in the value as written and the rest of the
    config is linted as usual; a name that is not an environment variable (`%(nme)s`) is an
    error in the config either way (SV104).

    Failing (where SVTOOL_EXAMPLE_PORT is not set):

        [program:web]
        command = /usr/bin/web --port %(ENV_SVTOOL_EXAMPLE_PORT)s

    Passing:

        [program:web]
        command = /usr/bin/web --port 8080
    """
    report_loader(ctx, report)


# -- what supervisord only logs as a warning ------------------------------------------------


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
