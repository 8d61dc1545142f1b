"""Child log files created after a start, a few milliseconds' worth per loop pass.

supervisord creates every log when a group is added; doing it after the spawns, in small
steps, keeps a big start-up fast and the control socket responsive meanwhile (creating a file
can take a millisecond, and a request waits for the step under way).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from supervisor_tools.runtime.loop import Loop

if TYPE_CHECKING:
    from supervisor_tools.runtime.group import Group
    from supervisor_tools.runtime.process import Process

STEP_SECONDS = 0.004


def create_logs(groups: Mapping[str, Group], loop: Loop, procs: list[Process]) -> None:
    """Create the log files of `procs` that are still missing, the rest on later passes."""
    until = time.monotonic() + STEP_SECONDS
    done = 0
    for proc in procs:
        done += 1
        group = groups.get(proc.config.group)
        if group is None or group.processes.get(proc.name) is not proc:
            continue  # removed (or reloaded away) since; its logs stay closed
        proc.log_path("stdout")
        proc.log_path("stderr")
        if time.monotonic() >= until:
            break
    if done < len(procs):
        loop.call_later(0, lambda: create_logs(groups, loop, procs[done:]))
