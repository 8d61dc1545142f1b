"""Readiness to systemd: sd_notify becomes Type=notify, its watchdog WatchdogSec=.

A log line or a probe has no systemd equivalent; those options are `lost` in the mapping and
reported with the other lost options.
"""

from __future__ import annotations

from collections.abc import Callable

from supervisor_tools.model.model import ProcessConfig

Put = Callable[[str, str, str], None]


def readiness(p: ProcessConfig, put: Put) -> None:
    """The directives of an sd_notify program; nothing for one without it."""
    if not p.sd_notify:
        return
    put("Service", "Type", "notify")
    # svtool accepts READY=1 from the process and its descendants, as NotifyAccess=all does
    # (systemd's default for Type=notify hears the main process only).
    put("Service", "NotifyAccess", "all")
    put("Service", "TimeoutStartSec",
        str(p.readytimeoutsecs) if p.readytimeoutsecs else "infinity")
    if p.watchdogsecs:
        put("Service", "WatchdogSec", str(p.watchdogsecs))
