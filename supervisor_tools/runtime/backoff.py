"""The runtime's side of the restart policy (model/restart.py): when a restart is due, and the
line the main log writes for a wait after a crash from RUNNING."""

from __future__ import annotations

from supervisor_tools.model.restart import UNLIMITED as UNLIMITED
from supervisor_tools.model.restart import RestartPolicy as RestartPolicy


def restart_due(after_wait: float, lastrestart: float | None, interval: float) -> float:
    """When an autorestart may spawn: after the backoff wait, and no sooner than `interval`
    after the previous automatic restart (None: there was none)."""
    return after_wait if lastrestart is None else max(after_wait, lastrestart + interval)


def seconds(value: float) -> str:
    """A wait as the log and messages write it: 3 s, 0.5 s."""
    return f"{value:g} s"


def waiting(name: str, wait: float, uptime: float) -> str:
    """The main log's line for a restart that waits after an exit from RUNNING."""
    return (f"{name} was up {seconds(round(uptime, 3))}, less than backoffreset; restarting "
            f"it in {seconds(wait)}")
