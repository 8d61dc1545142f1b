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
