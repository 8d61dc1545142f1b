"""Readiness and liveness as transition rows over the process lifecycle of states.py.

A program with a readiness check (sd_notify, a log line, a readiness probe) stays STARTING
after its spawn until the check says it is ready, instead of until startsecs pass; the
readiness timeout (readytimeoutsecs) or a failed readiness probe makes the start fail like an
early exit (BACKOFF, FATAL after startretries). A RUNNING process whose watchdog runs out or
whose liveness probe fails is stopped and started again. These rows add events to the base
table and replace a few of its rows; a replaced row hands the event to the base handler
whenever readiness is not involved, so a program without the new options behaves exactly as
before.

Pure, like states.py: every event carries `now`; the one deadline of a process is also the
readiness timeout (STARTING) and the watchdog (RUNNING).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from supervisor_tools.runtime import states
from supervisor_tools.runtime.states import (
    Deadline,
    Exited,
    InvalidTransition,
    Kill,
    Log,
    Policy,
    Record,
    Result,
    Spawned,
    State,
    Stop,
)
from supervisor_tools.runtime.transitions import Transition, row

NOT_READY = "Exited before it was ready (process log may have details)"


@dataclass(frozen=True, slots=True)
class ReadyPolicy(Policy):
    """A Policy with the program's readiness options."""

    # what readiness waits for, in words ("READY=1 (sd_notify)"); empty: startsecs decides
    readiness: str = ""
    readytimeoutsecs: int = 90
    watchdogsecs: int = 0


@dataclass(frozen=True, slots=True)
class ReadyRecord(Record):
    """A Record that also knows why the supervisor is ending the process itself."""

    # Set while a process is being stopped because its start failed (STARTING) or because it
    # is unhealthy and will be started again (STOPPING); empty otherwise.
    ending: str = ""


# -- events ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ready:
    """The readiness check passed: READY=1, the log line, or the readiness probe."""

    how: str
    now: float


@dataclass(frozen=True, slots=True)
class NotReady:
    """The readiness probe failed past its failure threshold: the start failed."""

    reason: str
    now: float


@dataclass(frozen=True, slots=True)
class Ping:
    """WATCHDOG=1: the process is alive; the watchdog starts again."""

    now: float


@dataclass(frozen=True, slots=True)
class Unhealthy:
    """The liveness probe failed past its threshold, or WATCHDOG=trigger: restart it."""

    reason: str
    now: float


@dataclass(frozen=True, slots=True)
class Stopping:
    """STOPPING=1: the process says it is shutting down by itself."""

    now: float


Event = states.Event | Ready | NotReady | Ping | Unhealthy | Stopping
Handler = Callable[[Policy, Record, Event], Result]


def _policy(p: Policy) -> ReadyPolicy:
    return p if isinstance(p, ReadyPolicy) else ReadyPolicy(p.name)


def _ending(r: Record) -> str:
    return r.ending if isinstance(r, ReadyRecord) else ""


def _end(r: Record, reason: str) -> Record:
    if isinstance(r, ReadyRecord):
        return replace(r, ending=reason)
    if not reason:
        return r
    raise InvalidTransition("a process ended by the supervisor needs a ReadyRecord")


def _base(state: State, event: type) -> states.Handler:
    return states.TABLE[(state, event)].handler


# -- readiness in STARTING ---------------------------------------------------------------------


def _spawned(p: Policy, r: Record, e: Event) -> Result:
    assert isinstance(e, Spawned)
    rp = _policy(p)
    r = _end(r, "")
    if not rp.readiness:
        return _base(State.STARTING, Spawned)(p, r, e)
    log = Log("info", f"spawned: '{p.name}' with pid {e.pid}")
    deadline = r.laststart + rp.readytimeoutsecs if rp.readytimeoutsecs else None
    return Result(replace(r, pid=e.pid, deadline=deadline), (log,))


def _ready(p: Policy, r: Record, e: Event) -> Result:
    assert isinstance(e, Ready)
    rp = _policy(p)
    deadline = e.now + rp.watchdogsecs if rp.watchdogsecs else None
    rec = replace(r, state=State.RUNNING, backoff=0, deadline=deadline)
    msg = f"success: {p.name} entered RUNNING state, process is ready ({e.how})"
    return Result(rec, (Log("info", msg),), (State.RUNNING,))


def _fail_start(p: Policy, r: Record, reason: str, now: float) -> Result:
    """Stop a process whose start failed; its exit then counts as a failed start."""
    if _ending(r):
        return Result(r)  # already being stopped
    log = Log("warn", f"not ready: {p.name} {reason}; stopping it")
    rec = replace(_end(r, reason), deadline=now + p.stopwaitsecs)
    return Result(rec, (log, Kill(p.stopsignal, p.stopasgroup)))


def _not_ready(p: Policy, r: Record, e: Event) -> Result:
    assert isinstance(e, NotReady)
    return _fail_start(p, r, e.reason, e.now)


def _starting_deadline(p: Policy, r: Record, e: Event) -> Result:
    assert isinstance(e, Deadline)
    rp = _policy(p)
    if _ending(r):
        # The failed start's process outlived stopwaitsecs.
        return _base(State.STOPPING, Deadline)(p, r, e)
    if not rp.readiness:
        return _base(State.STARTING, Deadline)(p, r, e)
    return _fail_start(p, r, f"was not ready within {rp.readytimeoutsecs} seconds "
                             "(readytimeoutsecs)", e.now)


def _exited_starting(p: Policy, r: Record, e: Event) -> Result:
    assert isinstance(e, Exited)
    rp = _policy(p)
    if not rp.readiness and not _ending(r):
        return _base(State.STARTING, Exited)(p, r, e)
    reason = _ending(r) or NOT_READY
    log = Log("warn", f"exited: {p.name} ({e.description}; not expected)")
    rec = replace(_end(r, ""), laststop=e.now, exitstatus=e.status)
    res = states._enter_backoff(p, rec, e.now, reason, (log,))
    if not e.may_restart and res.record.state is State.BACKOFF:
        return Result(replace(res.record, deadline=None), res.actions, res.entered)
    return res


def _already_ready(p: Policy, r: Record, e: Event) -> Result:
    return Result(r)  # READY=1 again (a reload of its own, say): nothing changes


def _ping_starting(p: Policy, r: Record, e: Event) -> Result:
    return Result(r)  # the watchdog starts with RUNNING


# -- health in RUNNING -------------------------------------------------------------------------


def _ping(p: Policy, r: Record, e: Event) -> Result:
    assert isinstance(e, Ping)
    rp = _policy(p)
    if not rp.watchdogsecs:
        return Result(r)
    return Result(replace(r, deadline=e.now + rp.watchdogsecs))


def _restart_unhealthy(p: Policy, r: Record, reason: str, now: float) -> Result:
    log = Log("warn", f"unhealthy: {p.name} {reason}; restarting it")
    rec = replace(_end(r, reason), state=State.STOPPING, deadline=now + p.stopwaitsecs)
    return Result(rec, (log, Kill(p.stopsignal, p.stopasgroup)), (State.STOPPING,))


def _unhealthy(p: Policy, r: Record, e: Event) -> Result:
    assert isinstance(e, Unhealthy)
    return _restart_unhealthy(p, r, e.reason, e.now)


def _watchdog_deadline(p: Policy, r: Record, e: Event) -> Result:
    assert isinstance(e, Deadline)
    rp = _policy(p)
    if not rp.watchdogsecs and (State.RUNNING, Deadline) in _BASE:
        return _base(State.RUNNING, Deadline)(p, r, e)  # a deadline of the base table's own
    return _restart_unhealthy(p, r, f"sent no WATCHDOG=1 for {rp.watchdogsecs} seconds "
                                    "(watchdogsecs)", e.now)


def _stopping(p: Policy, r: Record, e: Event) -> Result:
    """STOPPING=1: shown as STOPPING, and its exit is a stop; stopwaitsecs still applies."""
    assert isinstance(e, Stopping)
    log = Log("info", f"stopping: {p.name} said it is stopping (STOPPING=1)")
    rec = replace(_end(r, ""), state=State.STOPPING, deadline=e.now + p.stopwaitsecs)
    return Result(rec, (log,), (State.STOPPING,))


def _exited_stopping(p: Policy, r: Record, e: Event) -> Result:
    assert isinstance(e, Exited)
    res = _base(State.STOPPING, Exited)(p, r, e)
    reason = _ending(r)
    if not reason:
        return res
    rec = _end(res.record, "")
    if not e.may_restart:
        return Result(rec, res.actions, res.entered)
    again = states._start(p, rec, states.Start(e.now))
    return Result(again.record, res.actions + again.actions, res.entered + again.entered)


def _stop(p: Policy, r: Record, e: Event) -> Result:
    """A stop request ends the process for good, whatever the supervisor meant to do next."""
    assert isinstance(e, Stop)
    res = _base(r.state, Stop)(p, r, e)
    return Result(_end(res.record, ""), res.actions, res.entered)


S = State
_BASE = states.TABLE


def _enters(state: State, event: type) -> frozenset[State]:
    """What the base row of this pair enters (nothing when the base table has no such row)."""
    base = _BASE.get((state, event))
    return base.enters if base is not None else frozenset()


# The rows this module adds or replaces (a replaced row may enter what the base row enters).
ROWS: dict[tuple[State, type], Transition[Callable[..., Result], State]] = {
    (S.STARTING, Spawned): row(_spawned, *_enters(S.STARTING, Spawned)),
    (S.STARTING, Ready): row(_ready, S.RUNNING),
    (S.STARTING, NotReady): row(_not_ready),
    (S.STARTING, Deadline): row(_starting_deadline, *_enters(S.STARTING, Deadline)),
    (S.STARTING, Exited): row(_exited_starting, *_enters(S.STARTING, Exited)),
    (S.STARTING, Ping): row(_ping_starting),
    (S.STARTING, Stopping): row(_stopping, S.STOPPING),
    (S.STARTING, Stop): row(_stop, *_enters(S.STARTING, Stop)),
    (S.RUNNING, Ready): row(_already_ready),
    (S.RUNNING, Ping): row(_ping),
    (S.RUNNING, Deadline): row(_watchdog_deadline, S.STOPPING, *_enters(S.RUNNING, Deadline)),
    (S.RUNNING, Unhealthy): row(_unhealthy, S.STOPPING),
    (S.RUNNING, Stopping): row(_stopping, S.STOPPING),
    (S.RUNNING, Stop): row(_stop, *_enters(S.RUNNING, Stop)),
    (S.STOPPING, Exited): row(_exited_stopping, S.STARTING, *_enters(S.STOPPING, Exited)),
}
TABLE: dict[tuple[State, type], Transition[Callable[..., Result], State]] = {**_BASE, **ROWS}


def accepts(state: State, event: type) -> bool:
    return (state, event) in TABLE


def step(policy: Policy, record: Record, event: Event) -> Result:
    """Apply one event. Raises InvalidTransition for a pair the table does not list."""
    transition = TABLE.get((record.state, type(event)))
    if transition is None:
        raise InvalidTransition(f"{record.state.name} does not accept {type(event).__name__}")
    result: Result = transition.handler(policy, record, event)
    return result
