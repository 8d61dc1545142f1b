"""svtool's restart policy and container mode as systemd directives (docs/restart.md).

The backoff waits become RestartSec= (the first wait), RestartMaxDelaySec= (the cap) and
RestartSteps= (how many restarts reach it); unlimited retries turn the start rate limit off;
exit_on_end becomes SuccessAction=exit and FailureAction=exit. What systemd cannot say the
same way is returned as (span, message) losses.
"""

from __future__ import annotations

from collections.abc import Callable

from supervisor_tools.errors import Span
from supervisor_tools.model.model import ProcessConfig
from supervisor_tools.model.restart import UNLIMITED, RestartPolicy
from supervisor_tools.options.numbers import format_number

Put = Callable[[str, str, str], None]
Lose = Callable[[Span, str], None]

BACKOFF_KEYS = ("backoffincrement", "backoffmultiplier", "maxbackoff")
# systemd spreads the waits between RestartSec= and RestartMaxDelaySec= exponentially; a
# sequence within this share of it at every step is the same in practice
TOLERANCE = 0.05
MAX_STEPS = 1000


def policy_of(p: ProcessConfig) -> RestartPolicy:
    return RestartPolicy.of(p)


def written(p: ProcessConfig, names: tuple[str, ...]) -> bool:
    return any(n in p.spans for n in names)


def steps_to_cap(policy: RestartPolicy) -> int | None:
    """How many waits it takes to reach maxbackoff (1: the first already is), None: never."""
    if policy.maxbackoff <= 0:
        return None
    last = 0.0
    for n in range(1, MAX_STEPS + 1):
        last = policy.next_wait(last)
        if last >= policy.maxbackoff:
            return n
    return None


def systemd_waits(first: float, cap: float, steps: int) -> list[float]:
    """The waits systemd uses: RestartSec= growing exponentially to the cap in `steps` steps."""
    if first <= 0 or steps <= 1:
        return [first] + [cap] * max(steps - 1, 0)
    return [first * (cap / first) ** (k / (steps - 1)) for k in range(steps)]


def _close(ours: list[float], theirs: list[float]) -> bool:
    return all(abs(a - b) <= TOLERANCE * max(a, b) for a, b in zip(ours, theirs, strict=True))


def _show(waits: list[float]) -> str:
    shown = ", ".join(format_number(round(w, 2)) for w in waits[:6])
    return shown + (", …" if len(waits) > 6 else "") + " s"


def backoff(p: ProcessConfig, section: str, put: Put, lose: Lose) -> float:
    """RestartSec= and its growth from the backoff keys; returns the first wait."""
    policy = policy_of(p)
    first = policy.next_wait(0.0)
    put("Service", "RestartSec", format_number(first))
    span = next(p.span_of(n) for n in BACKOFF_KEYS if n in p.spans)
    steps = steps_to_cap(policy)
    if policy.maxbackoff > 0 and steps is None:
        lose(span, f"{section} the waits never reach maxbackoff={format_number(p.maxbackoff)}; "
                   f"systemd waits RestartSec={format_number(first)} each time")
        return first
    if steps is None:
        if policy.next_wait(first) != first:
            lose(span, f"{section} the waits grow without limit ({_show(policy.waits(7))}) and "
                       "systemd needs a cap (RestartMaxDelaySec=): set maxbackoff; "
                       f"systemd waits RestartSec={format_number(first)} each time")
        return first
    if steps > 1:
        put("Service", "RestartSteps", str(steps - 1))
        put("Service", "RestartMaxDelaySec", format_number(policy.maxbackoff))
        ours = policy.waits(steps)
        theirs = systemd_waits(first, policy.maxbackoff, steps)
        if not _close(ours, theirs):
            lose(span, f"{section} waits {_show(ours)} before the cap; systemd grows "
                       f"RestartSec= exponentially to it: {_show(theirs)}")
    return first


def start_limit(p: ProcessConfig, put: Put, custom: bool) -> None:
    """StartLimitBurst=/StartLimitIntervalSec= from startretries (-1: no limit at all)."""
    if p.startretries == UNLIMITED:
        put("Unit", "StartLimitIntervalSec", "0")  # systemd: 0 turns rate limiting off
        return
    put("Unit", "StartLimitBurst", str(max(p.startretries, 0) + 1))
    if not custom:
        put("Unit", "StartLimitIntervalSec", str((p.startretries + 1) * (p.startsecs + 1)))
        return
    waits = policy_of(p).waits(max(p.startretries, 0))
    total = (p.startretries + 1) * p.startsecs + sum(waits)
    put("Unit", "StartLimitIntervalSec", format_number(round(total + 1, 3)))


def container_mode(p: ProcessConfig, put: Put) -> None:
    """exit_on_end: the service manager exits with the unit's exit status when it ends."""
    if p.exit_on_end:
        put("Unit", "SuccessAction", "exit")
        put("Unit", "FailureAction", "exit")
