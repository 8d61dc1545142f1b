"""A rule about a command's program or script found from supervisord's own working directory."""

from __future__ import annotations

import posixpath
import re

from supervisor_tools.errors import Severity
from supervisor_tools.lint import commandline as cl
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Report, rule
from supervisor_tools.lint.rules import placeholders as pl
from supervisor_tools.lint.rules.command import commands

W = Severity.WARNING

INTERPRETERS = re.compile(r"^(python[\d.]*|pypy[\d.]*|node|nodejs|ruby|perl|php[\d.]*|bash|sh|"
                          r"java|Rscript|lua|deno|bun)$")
SCRIPT_EXT = re.compile(r"\.(py|js|mjs|cjs|ts|rb|pl|php|sh|jar|lua|r)$", re.IGNORECASE)


def _script_arg(args: list[str]) -> str | None:
    i = 1
    while i < len(args):
        arg = args[i]
        if arg in ("-m", "-c", "-e", "-r", "--eval", "--module"):
            return None
        if arg == "-jar":
            return args[i + 1] if i + 1 < len(args) else None
        if not arg.startswith("-"):
            return arg
        i += 1
    return None


LOG_KEYS = ("stdout_logfile", "stderr_logfile", "logfile", "pidfile", "childlogdir")


def _relative_paths_elsewhere(ctx: Context) -> bool:
    """Whether the config writes a log or pid file relative to where supervisord starts: then
    it is meant to be started from one directory (a project's), on purpose."""
    for key in LOG_KEYS:
        for _, opt in ctx.options_named(key):
            value = opt.value.strip()
            if value and value[0] not in "/%" and value.upper() not in ("AUTO", "NONE",
                                                                          "SYSLOG"):
                return True
    return False


def _started_by_a_service_manager(ctx: Context) -> bool:
    """Whether supervisord's working directory is its service manager's (`/` under systemd):
    it daemonizes without `[supervisord] directory`, and nothing else in the config counts on
    a directory it is started from."""
    sd = ctx.model.supervisord
    # a conf.d fragment alone is meant for a system supervisord
    if sd is not None and (sd.nodaemon or sd.directory):
        return False
    return not ctx.memo(_relative_paths_elsewhere)


@rule("SV222", "relative-command-path", W,
      "a program path with '/' that supervisord finds from its own cwd",
      options=("command", "directory"))
def relative_command_path(ctx: Context, report: Report) -> None:
    """supervisord 4.3.0 (`get_execv_args`) looks for a program path that contains a `/` but
    does not start with one (`bin/web`, `./run.sh`) relative to its own working directory,
    before the child changes to `directory`: the start fails with "can't find command" unless
    supervisord happens to be started in a directory that holds the path too. That working
    directory is wherever supervisord was started (a service manager's, a container's
    WORKDIR); supervisord changes it only when `[supervisord] directory` is set, and only once
    it daemonizes. The child then runs the path relative to `directory`, so with both set the
    two must agree. Write the absolute path (`/srv/app/bin/web`, or `%(here)s/bin/web` for a
    path beside the config).

    A relative script given to an interpreter (`python3 worker.py`) is opened from the
    program's working directory: without `directory` that is supervisord's own. It is reported
    when supervisord daemonizes without `[supervisord] directory` (a system service, started
    from `/` by its service manager), and for a conf.d fragment on its own; not under
    `nodaemon=true`, where the container's WORKDIR is the directory on purpose, nor in a config
    that also writes a log or pid file relative to where supervisord starts (one meant to be
    started from a project directory).

    Not reported: a bare name (`web`, `docker-entrypoint.sh`), which supervisord looks up in
    PATH like a shell does and which images install there on purpose.

    Failing:

        [program:web]
        command = bin/web --port 8080
        directory = /srv/app

    Passing:

        [program:web]
        command = /srv/app/bin/web --port 8080
        directory = /srv/app
    """
    for cmd in commands(ctx):
        args = cmd.args
        if not args:
            continue
        prog = args[0]
        if "/" not in prog or prog.startswith(("/", "~", "$")) or pl.placeholders(prog):
            # `~` and `$X` are shell-syntax-in-command's, placeholders their rule's
            script = _relative_script(ctx, cmd.section, args)
            if script:
                report(cmd.span, f"'{script}' is opened from supervisord's working directory "
                                 f"([{cmd.section}] sets no directory), where it was started "
                                 "(/ under a service manager); set directory= or use an "
                                 "absolute path")
            continue
        opt = ctx.effective(cmd.section, "directory")
        directory = (cmd.process.directory if cmd.process is not None else None) or (
            opt.value if opt is not None else None)
        where = f"supervisord looks for '{prog}' relative to the directory it was started in"
        if directory:
            full = posixpath.normpath(posixpath.join(directory, prog))
            report(cmd.span, f"{where}, not in directory={directory} (there it only runs it), "
                             f"and fails with \"can't find command\" elsewhere; write {full}")
        else:
            report(cmd.span, f"{where} and fails with \"can't find command\" when started "
                             "elsewhere; write the absolute path")


def _relative_script(ctx: Context, section: str, args: list[str]) -> str | None:
    """The relative script an interpreter opens from supervisord's own working directory."""
    if not INTERPRETERS.match(cl.basename(args[0])) or ctx.effective(section, "directory"):
        return None
    script = _script_arg(args)
    if (script and not script.startswith(("/", "~", "$")) and not pl.placeholders(script)
            and ("/" in script or SCRIPT_EXT.search(script))
            and _started_by_a_service_manager(ctx)):
        return script
    return None
