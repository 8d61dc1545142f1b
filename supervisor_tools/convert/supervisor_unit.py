"""A systemd unit that runs svtool's own supervisor (`svtool run`) as a Type=notify service.

systemd starts `svtool run -n -c CONFIG` in the foreground; the runtime tells systemd READY=1
once the autostart programs are started, RELOADING=1 on reload and STOPPING=1 on shutdown.
ExecReload= sends SIGHUP, which re-reads the config. KillMode=mixed lets the supervisor stop
its children in priority order, and only if that outlasts TimeoutStopSec= does systemd kill the
whole control group.
"""

from __future__ import annotations

import os
import sys

from supervisor_tools.convert.systemd_quote import exec_line
from supervisor_tools.model.model import Model

# Time systemd grants beyond the stop waits the config itself asks for.
STOP_MARGIN = 15


def svtool_command() -> list[str]:
    """The absolute command that starts this svtool: its script beside this interpreter, or
    `python -m supervisor_tools`."""
    python = os.path.abspath(sys.executable)
    script = os.path.join(os.path.dirname(python), "svtool")
    if os.access(script, os.X_OK):
        return [script]
    return [python, "-m", "supervisor_tools"]


def stop_timeout(model: Model) -> int:
    """Seconds a full shutdown may take: groups stop one after another, each waiting up to its
    longest stopwaitsecs before SIGKILL."""
    per_group = [max((p.stopwaitsecs for p in g.processes), default=0) for g in model.groups]
    return sum(per_group) + STOP_MARGIN


def supervisor_unit(config: str, model: Model, *, user_mode: bool = False) -> str:
    config = os.path.abspath(config)
    exec_start = exec_line([*svtool_command(), "run", "-n", "-c", config])
    lines = [
        "[Unit]",
        f"Description=Process supervisor (svtool run) for {config.replace('%', '%%')}",
        "After=network-online.target",
        "Wants=network-online.target",
        "",
        "[Service]",
        "Type=notify",
        "NotifyAccess=main",
        f"ExecStart={exec_start}",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "KillMode=mixed",
        f"TimeoutStopSec={stop_timeout(model)}",
        "Restart=on-failure",
        "RestartSec=5",
        "",
        "[Install]",
        f"WantedBy={'default.target' if user_mode else 'multi-user.target'}",
    ]
    return "\n".join(lines) + "\n"


def systemd_unit_command(config: str, *, user_mode: bool, output: str | None) -> int:
    from supervisor_tools import exitcodes
    from supervisor_tools.files import emit
    from supervisor_tools.model import load

    result = load(config, fragment=False, host_checks=False)
    if not result.ok:
        for err in sorted(result.errors, key=lambda e: (e.span.file, e.span.line, e.span.col)):
            print(str(err), file=sys.stderr)
        return exitcodes.USAGE
    emit(supervisor_unit(config, result.model, user_mode=user_mode), output)
    return exitcodes.OK
