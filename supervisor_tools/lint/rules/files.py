"""Rules about where supervisord and its programs keep files: logs, pid file, socket."""

from __future__ import annotations

from supervisor_tools.errors import Severity
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Report, rule

W = Severity.WARNING


TMP_KEYS = {"supervisord": ("logfile", "pidfile", "childlogdir"),
            "unix_http_server": ("file",),
            "program": ("stdout_logfile", "stderr_logfile"),
            "eventlistener": ("stdout_logfile", "stderr_logfile"),
            "fcgi-program": ("stdout_logfile", "stderr_logfile")}
TMP_OPTIONS = tuple(dict.fromkeys(key for keys in TMP_KEYS.values() for key in keys))


@rule("SV246", "tmp-path", W, "a socket, pid file or log in /tmp",
      options=("logfile", "pidfile", "childlogdir", "file", "stdout_logfile", "stderr_logfile"))
def tmp_path(ctx: Context, report: Report) -> None:
    """Files in `/tmp` are removed by tmp cleaners (systemd-tmpfiles, tmpreaper) and at reboot:
    a vanished socket makes supervisorctl fail with "no such file" while supervisord still runs,
    and logs disappear. Use `/run/supervisor/` for the socket and pid file and `/var/log/` for
    logs.

    Not reported in a container's config (`[supervisord] nodaemon=true`): no tmp cleaner runs
    there, and the socket, the pid file and supervisord itself end with the container anyway.

    Failing:

        [unix_http_server]
        file = /tmp/supervisor.sock

    Passing:

        [unix_http_server]
        file = /run/supervisor.sock
    """
    if ctx.container:
        return
    for key in TMP_OPTIONS:
        for ref, opt in ctx.options_named(key):
            if key not in TMP_KEYS.get(ref.kind or "", ()):
                continue
            value = opt.value.strip()
            if value == "/tmp" or value.startswith("/tmp/"):
                report(opt.value_span, f"[{ref.section.name}] {opt.key} is in /tmp, which the "
                                       "OS cleans; use /run or /var/log")


# Where supervisord 4.3.0 resolves a relative path, by section kind and option.
AT_START = "supervisord resolves it once, against the directory it is started in"
AT_USE = ("supervisord opens it in its own working directory: the one it was started in, or "
          "[supervisord] directory once it daemonizes; never the program's directory")
BY_CTL = "supervisorctl resolves it against the directory it is run from"
RELATIVE_KEYS: dict[str, dict[str, str]] = {
    "supervisord": {"logfile": AT_START, "pidfile": AT_START, "childlogdir": AT_USE},
    "unix_http_server": {"file": AT_START},
    "supervisorctl": {"serverurl": BY_CTL, "history_file": BY_CTL},
    "program": {"stdout_logfile": AT_USE, "stderr_logfile": AT_USE},
    "eventlistener": {"stdout_logfile": AT_USE, "stderr_logfile": AT_USE},
    "fcgi-program": {"stdout_logfile": AT_USE, "stderr_logfile": AT_USE},
}
RELATIVE_OPTIONS = tuple(dict.fromkeys(key for keys in RELATIVE_KEYS.values() for key in keys))
# Values that are not file names (logfile=syslog, stdout_logfile=AUTO) and starts whose
# directory the text does not say: an environment variable, or a deploy-time template.
NOT_PATHS = frozenset({"auto", "none", "off", "syslog"})
UNKNOWN_STARTS = ("%(ENV_", "<", "$", "{", "#")


def _relative_path(key: str, value: str) -> str | None:
    """The path of `value` when it is relative, else None."""
    path = value.strip()
    if key == "serverurl":
        if not path.startswith("unix://"):
            return None
        path = path[len("unix://"):]
    if not path or path.lower() in NOT_PATHS or path.startswith(UNKNOWN_STARTS):
        return None
    if path.startswith(("/", "~", "%(here)s")):
        return None
    return path


@rule("SV253", "relative-path", W, "a relative log, pid file or socket path",
      options=RELATIVE_OPTIONS)
def relative_path(ctx: Context, report: Report) -> None:
    """A relative log, pid file or socket path depends on the directory a process happens to
    be started in, so the same config writes to different places when supervisord is started
    by hand, by an init system (`/`) or by a container's WORKDIR, and supervisorctl finds the
    socket only when run from the right directory. supervisord 4.3.0 resolves them so:

    - `[supervisord] logfile`, `pidfile` and `[unix_http_server] file`: once, when it reads its
      config, against the directory it is started in. `[supervisord] directory` does not help:
      supervisord changes into it only later, when it daemonizes.
    - `[supervisord] childlogdir` and a program's `stdout_logfile`/`stderr_logfile`: when a log
      is opened, against supervisord's working directory then (the start directory, or
      `[supervisord] directory` once daemonized); never the program's own `directory`. The
      start directory must hold the log's directory too: supervisord checks it at startup.
    - `[supervisorctl] serverurl = unix://...` and `history_file`: against the directory
      supervisorctl is run from.

    Write an absolute path, or `%(here)s/...` for a path beside the config file (every one of
    these options expands `%(here)s`). `[include] files` is not affected: supervisord resolves
    it against the including file's directory. Only paths written in the config are reported:
    the defaults `logfile = supervisord.log` and `pidfile = supervisord.pid` are relative too,
    but leaving them out is a choice the file cannot show to be wrong.

    Failing:

        [supervisord]
        logfile = logs/supervisord.log

        [program:web]
        command = /usr/bin/web
        directory = /srv/web
        stdout_logfile = web.log

    Passing:

        [supervisord]
        logfile = %(here)s/logs/supervisord.log

        [program:web]
        command = /usr/bin/web
        directory = /srv/web
        stdout_logfile = /srv/web/web.log
    """
    for key in RELATIVE_OPTIONS:
        for ref, opt in ctx.options_named(key):
            where = RELATIVE_KEYS.get(ref.kind or "", {}).get(key)
            if where is None:
                continue
            path = _relative_path(key, opt.value)
            if path is not None:
                scheme = "unix://" if key == "serverurl" else ""
                beside = path
                while beside.startswith("./"):
                    beside = beside[2:]
                report(opt.value_span, f"[{ref.section.name}] {key} {path!r} is relative: "
                                       f"{where}; write an absolute path or "
                                       f"{scheme}%(here)s/{beside}")
