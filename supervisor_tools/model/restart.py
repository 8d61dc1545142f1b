"""svtool's restart policy: how long a process waits before it is started again.

supervisord waits 1 s before the first retry of a failed start, 2 s before the second, and so
on, and restarts a process that exits after RUNNING at once. The options of a program's row
(docs/restart.md) change that: the first wait is `backoffincrement`, each next one the previous
one plus `backoffincrement` or, with a `backoffmultiplier` above 1, times it; at most
`maxbackoff` (0: no limit); with `backoffreset`, a process that exits sooner than that after
it started waits like a failed start, and one that stayed up that long starts the sequence
again. The defaults give supervisord's waits exactly. The runtime's transition table waits
so, and the linter and the converters read the same waits from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from supervisor_tools.model.model import ProcessConfig

# the runtime and the converters read startretries' "for ever" from here, beside the waits
from supervisor_tools.options.table import UNLIMITED as UNLIMITED


@dataclass(frozen=True, slots=True)
class RestartPolicy:
    """The restart-policy options of one program (defaults: the rows', supervisord's waits)."""

    backoffincrement: float = 1.0
    backoffmultiplier: float = 1.0
    maxbackoff: float = 0.0
    backoffreset: float = 0.0

    def next_wait(self, last: float) -> float:
        """The wait after `last` (0 before the first retry)."""
        if last <= 0:
            wait = self.backoffincrement
        elif self.backoffmultiplier > 1:
            wait = last * self.backoffmultiplier
        else:
            wait = last + self.backoffincrement
        return min(wait, self.maxbackoff) if self.maxbackoff > 0 else wait

    def stable(self, uptime: float) -> bool:
        """Whether a process that was up `uptime` seconds starts the waits again from the first.

        Without backoffreset every process that reached RUNNING is stable, as in supervisord.
        """
        return self.backoffreset <= 0 or uptime >= self.backoffreset

    def after_run(self, last: float, uptime: float) -> float:
        """The wait before restarting a process that exited after RUNNING (0: at once), which
        is also the `last` wait the next one grows from."""
        return 0.0 if self.stable(uptime) else self.next_wait(last)

    def settle(self, last: float, uptime: float) -> float:
        """The last wait once a process that was up `uptime` seconds has stopped on request."""
        return 0.0 if self.stable(uptime) else last

    def waits(self, count: int, last: float = 0.0) -> list[float]:
        """The next `count` waits, for docs, lint and converters."""
        out = []
        for _ in range(count):
            last = self.next_wait(last)
            out.append(last)
        return out

    @classmethod
    def of(cls, p: ProcessConfig) -> RestartPolicy:
        return cls(p.backoffincrement, p.backoffmultiplier, p.maxbackoff, p.backoffreset)


# -- for the runtime's transition table --------------------------------------------------------


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
