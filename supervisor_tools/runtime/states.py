"""The process lifecycle as a pure transition table: (state, event) -> (record, actions).

Nothing here touches the OS or reads a clock: every event carries `now`, and the result says
what the event loop must do (spawn, signal, log). One deadline per process covers the four
timed waits (startsecs in STARTING, the backoff delay in BACKOFF, stopwaitsecs in STOPPING,
the restart interval in EXITED), because a process is only ever in one of them.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import IntEnum

from supervisor_tools.model.model import AutoRestart
from supervisor_tools.model.restart import UNLIMITED, RestartPolicy, restart_due, waiting
from supervisor_tools.options.signals import signal_label
from supervisor_tools.runtime.transitions import Transition, row


class State(IntEnum):
    STOPPED = 0
    STARTING = 10
    RUNNING = 20
    BACKOFF = 30
    STOPPING = 40
    EXITED = 100
    FATAL = 200
    UNKNOWN = 1000


STOPPED_STATES = frozenset({State.STOPPED, State.EXITED, State.FATAL, State.UNKNOWN})
RUNNING_STATES = frozenset({State.RUNNING, State.BACKOFF, State.STARTING})
SIGNALLABLE_STATES = frozenset({State.RUNNING, State.STARTING, State.STOPPING})

TOO_QUICK = "Exited too quickly (process log may have details)"

# The least time between two restarts of one process by autorestart: a program that exits at
# once (startsecs=0, so BACKOFF never slows it) is restarted about once a second, as
# supervisord's one-second tick does, instead of thousands of times a second. It counts from
# the previous automatic restart, so the first restart after a start or after a while of quiet
# (a killed worker, however long it ran) happens at once.
MIN_RESTART_INTERVAL = 1.0


@dataclass(frozen=True, slots=True)
class Policy:
    """The options of one program that decide its transitions."""

    name: str
    startsecs: int = 1
    startretries: int = 3
    autorestart: AutoRestart = "unexpected"
    exitcodes: tuple[int, ...] = (0,)
    stopsignal: int = signal.SIGTERM
    stopwaitsecs: int = 10
    stopasgroup: bool = False
    killasgroup: bool = False
    restart_interval: float = MIN_RESTART_INTERVAL
    restart: RestartPolicy = RestartPolicy()


@dataclass(frozen=True, slots=True)
class Record:
    """What the state machine remembers about one process between events."""

    state: State = State.STOPPED
    pid: int = 0
    backoff: int = 0
    laststart: float = 0.0
    laststop: float = 0.0
    exitstatus: int | None = None
    spawnerr: str = ""
    deadline: float | None = None
    # when autorestart last spawned the process (None: never), for the restart interval
    lastrestart: float | None = None
    lastwait: float = 0.0  # the last backoff wait, which the next one grows from


# -- events ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Start:
    """Spawn now: a start request, autostart, autorestart or a backoff retry."""

    now: float


@dataclass(frozen=True, slots=True)
class Spawned:
    """The child was forked with this pid."""

    pid: int
    now: float


@dataclass(frozen=True, slots=True)
class SpawnFailed:
    """The child could not be started; `message` says why."""

    message: str
    now: float


@dataclass(frozen=True, slots=True)
class Exited:
    """The child was reaped. `status` is the exit code, or -1 when a signal killed it."""

    status: int
    description: str
    now: float
    # False while supervisord shuts down or restarts: nothing is respawned then.
    may_restart: bool = True


@dataclass(frozen=True, slots=True)
class Deadline:
    """The process's single deadline passed."""

    now: float
    may_restart: bool = True


@dataclass(frozen=True, slots=True)
class Stop:
    """A stop request: supervisorctl stop, a shutdown or a reload."""

    now: float


@dataclass(frozen=True, slots=True)
class GiveUp:
    """supervisord is shutting down while the process waits in BACKOFF."""

    now: float


@dataclass(frozen=True, slots=True)
class SignalFailed:
    """Signalling the child failed for a reason other than its being gone."""

    message: str
    now: float


Event = Start | Spawned | SpawnFailed | Exited | Deadline | Stop | GiveUp | SignalFailed


# -- actions -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spawn:
    pass


@dataclass(frozen=True, slots=True)
class Kill:
    signal: int
    group: bool


@dataclass(frozen=True, slots=True)
class Log:
    level: str
    message: str


Action = Spawn | Kill | Log


@dataclass(frozen=True, slots=True)
class Result:
    record: Record
    actions: tuple[Action, ...] = ()
    # the states entered, in order (for listeners and tests); empty when nothing changed
    entered: tuple[State, ...] = field(default=())


class InvalidTransition(Exception):
    """An event that the current state does not accept (a bug in the caller)."""


Handler = Callable[[Policy, Record, Event], Result]


def _start(p: Policy, r: Record, e: Event) -> Result:
    assert isinstance(e, Start)
    rec = replace(r, state=State.STARTING, laststart=e.now, spawnerr="", exitstatus=None,
                  deadline=None, pid=0, lastwait=0.0 if r.state is State.FATAL else r.lastwait)
    return Result(rec, (Spawn(),), (State.STARTING,))


def _enter_backoff(p: Policy, r: Record, now: float, spawnerr: str,
                   actions: tuple[Action, ...]) -> Result:
    backoff = r.backoff + 1
    if backoff > p.startretries != UNLIMITED:
        rec = replace(r, state=State.FATAL, backoff=0, spawnerr=spawnerr, deadline=None, pid=0)
        msg = "entered FATAL state, too many start retries too quickly"
        return Result(rec, actions + (Log("info", f"gave up: {p.name} {msg}"),),
                      (State.BACKOFF, State.FATAL))
    wait = p.restart.next_wait(r.lastwait)
    rec = replace(r, state=State.BACKOFF, backoff=backoff, spawnerr=spawnerr,
                  deadline=now + wait, lastwait=wait, pid=0)
    return Result(rec, actions, (State.BACKOFF,))


def _spawned(p: Policy, r: Record, e: Event) -> Result:
    assert isinstance(e, Spawned)
    log = Log("info", f"spawned: '{p.name}' with pid {e.pid}")
    rec = replace(r, pid=e.pid)
    if p.startsecs <= 0:
        return _running(p, rec, (log,))
    return Result(replace(rec, deadline=r.laststart + p.startsecs), (log,))


def _running(p: Policy, r: Record, actions: tuple[Action, ...] = ()) -> Result:
    msg = (f"success: {p.name} entered RUNNING state, process has stayed up for > than "
           f"{p.startsecs} seconds (startsecs)")
    rec = replace(r, state=State.RUNNING, backoff=0, deadline=None,
                  lastwait=r.lastwait if p.restart.backoffreset > 0 else 0.0)
    return Result(rec, actions + (Log("info", msg),), (State.RUNNING,))


def _spawn_failed(p: Policy, r: Record, e: Event) -> Result:
    assert isinstance(e, SpawnFailed)
    return _enter_backoff(p, r, e.now, e.message, (Log("info", f"spawnerr: {e.message}"),))


def _starting_deadline(p: Policy, r: Record, e: Event) -> Result:
    return _running(p, r)


def _backoff_deadline(p: Policy, r: Record, e: Event) -> Result:
    assert isinstance(e, Deadline)
    if not e.may_restart:
        return Result(replace(r, deadline=None))
    return _start(p, r, Start(e.now))


def _stopping_deadline(p: Policy, r: Record, e: Event) -> Result:
    assert isinstance(e, Deadline)
    log = Log("warn", f"killing '{p.name}' ({r.pid}) with SIGKILL")
    # Repeated every stopwaitsecs while the process survives (e.g. stuck in the kernel).
    rec = replace(r, deadline=e.now + p.stopwaitsecs)
    return Result(rec, (log, Kill(signal.SIGKILL, p.killasgroup)))


def _stop_live(p: Policy, r: Record, e: Event) -> Result:
    assert isinstance(e, Stop)
    log = Log("debug", f"killing {p.name} (pid {r.pid}) with signal {signal_label(p.stopsignal)}")
    rec = replace(r, state=State.STOPPING, deadline=e.now + p.stopwaitsecs)
    return Result(rec, (log, Kill(p.stopsignal, p.stopasgroup)), (State.STOPPING,))


def _stop_backoff(p: Policy, r: Record, e: Event) -> Result:
    # The backoff counter is deliberately kept: a later start has fewer retries left.
    assert isinstance(e, Stop)
    return Result(replace(r, state=State.STOPPED, deadline=None), (), (State.STOPPED,))


def _give_up(p: Policy, r: Record, e: Event) -> Result:
    return Result(replace(r, state=State.FATAL, backoff=0, deadline=None), (), (State.FATAL,))


def _exit_text(p: Policy, e: Exited, expected: bool) -> str:
    return f"exited: {p.name} ({e.description}; {'expected' if expected else 'not expected'})"


def _exited_running(p: Policy, r: Record, e: Event) -> Result:
    assert isinstance(e, Exited)
    expected = e.status in p.exitcodes
    wait = p.restart.after_run(r.lastwait, e.now - r.laststart)
    rec = replace(r, state=State.EXITED, backoff=0, exitstatus=e.status, laststop=e.now,
                  pid=0, deadline=None, lastwait=wait,
                  spawnerr="" if expected else f"Bad exit code {e.status}")
    log = Log("info" if expected else "warn", _exit_text(p, e, expected))
    entered: tuple[State, ...] = (State.EXITED,)
    if r.state is State.STARTING:
        entered = (State.RUNNING, State.EXITED)
    restart = p.autorestart is True or (p.autorestart == "unexpected" and not expected)
    if restart and e.may_restart:
        # Restarted when the interval (or the backoff wait) is over: the deadline in EXITED.
        due = restart_due(e.now + wait, r.lastrestart, p.restart_interval)
        if due > e.now:
            note = (Log("info", waiting(p.name, wait, e.now - r.laststart)),) if wait else ()
            return Result(replace(rec, deadline=due), (log, *note), entered)
        nxt = _restart(p, rec, e.now)
        return Result(nxt.record, (log,) + nxt.actions, entered + nxt.entered)
    return Result(rec, (log,), entered)


def _restart_deadline(p: Policy, r: Record, e: Event) -> Result:
    """The restart interval of an EXITED process is over: autorestart spawns it now."""
    assert isinstance(e, Deadline)
    if not e.may_restart:
        return Result(replace(r, deadline=None))
    return _restart(p, r, e.now)


def _stop_waiting(p: Policy, r: Record, e: Event) -> Result:
    """A stop request while a restart waits for the interval: the restart is called off."""
    assert isinstance(e, Stop)
    if r.deadline is None:
        raise InvalidTransition("EXITED accepts Stop only while a restart waits")
    return Result(replace(r, state=State.STOPPED, deadline=None), (), (State.STOPPED,))


def _restart(p: Policy, r: Record, now: float) -> Result:
    res = _start(p, r, Start(now))
    return Result(replace(res.record, lastrestart=now), res.actions, res.entered)


def _exited_starting(p: Policy, r: Record, e: Event) -> Result:
    assert isinstance(e, Exited)
    if e.now - r.laststart < p.startsecs:
        log = Log("warn", _exit_text(p, e, False))
        res = _enter_backoff(p, replace(r, laststop=e.now), e.now, TOO_QUICK, (log,))
        if not e.may_restart and res.record.state is State.BACKOFF:
            return Result(replace(res.record, deadline=None), res.actions, res.entered)
        return res
    # The exit came after startsecs but before the RUNNING deadline fired.
    return _exited_running(p, r, e)


def _exited_stopping(p: Policy, r: Record, e: Event) -> Result:
    assert isinstance(e, Exited)
    expected = e.status in p.exitcodes
    rec = replace(r, state=State.STOPPED, exitstatus=e.status, laststop=e.now, pid=0,
                  deadline=None, lastwait=p.restart.settle(r.lastwait, e.now - r.laststart))
    log = Log("info" if expected else "warn", f"stopped: {p.name} ({e.description})")
    return Result(rec, (log,), (State.STOPPED,))


def _exited_unknown(p: Policy, r: Record, e: Event) -> Result:
    assert isinstance(e, Exited)
    rec = replace(r, state=State.EXITED, exitstatus=e.status, laststop=e.now, pid=0,
                  deadline=None)
    return Result(rec, (Log("info", _exit_text(p, e, e.status in p.exitcodes)),),
                  (State.EXITED,))


def _signal_failed(p: Policy, r: Record, e: Event) -> Result:
    assert isinstance(e, SignalFailed)
    rec = replace(r, state=State.UNKNOWN, deadline=None)
    return Result(rec, (Log("critical", e.message),), (State.UNKNOWN,))


S = State
TABLE: dict[tuple[State, type], Transition[Handler, State]] = {
    (S.STOPPED, Start): row(_start, S.STARTING),
    (S.EXITED, Start): row(_start, S.STARTING),
    (S.FATAL, Start): row(_start, S.STARTING),
    (S.BACKOFF, Start): row(_start, S.STARTING),
    (S.STARTING, Spawned): row(_spawned, S.RUNNING),
    (S.STARTING, SpawnFailed): row(_spawn_failed, S.BACKOFF, S.FATAL),
    (S.STARTING, Deadline): row(_starting_deadline, S.RUNNING),
    # Too quick: BACKOFF (and FATAL when out of retries); after startsecs: through RUNNING to
    # EXITED, and STARTING again when autorestart respawns it.
    (S.STARTING, Exited): row(_exited_starting, S.BACKOFF, S.FATAL, S.RUNNING, S.EXITED,
                             S.STARTING),
    (S.STARTING, Stop): row(_stop_live, S.STOPPING),
    (S.STARTING, SignalFailed): row(_signal_failed, S.UNKNOWN),
    (S.RUNNING, Exited): row(_exited_running, S.EXITED, S.STARTING),
    (S.RUNNING, Stop): row(_stop_live, S.STOPPING),
    (S.RUNNING, SignalFailed): row(_signal_failed, S.UNKNOWN),
    (S.BACKOFF, Deadline): row(_backoff_deadline, S.STARTING),
    (S.BACKOFF, Stop): row(_stop_backoff, S.STOPPED),
    (S.BACKOFF, GiveUp): row(_give_up, S.FATAL),
    (S.STOPPING, Exited): row(_exited_stopping, S.STOPPED),
    (S.STOPPING, Deadline): row(_stopping_deadline),
    (S.STOPPING, SignalFailed): row(_signal_failed, S.UNKNOWN),
    (S.UNKNOWN, Exited): row(_exited_unknown, S.EXITED),
    (S.EXITED, Deadline): row(_restart_deadline, S.STARTING),
    (S.EXITED, Stop): row(_stop_waiting, S.STOPPED),
}


def restart_waits(r: Record) -> bool:
    """Autorestart will spawn this EXITED process when the restart interval is over."""
    return r.state is State.EXITED and r.deadline is not None


def stoppable(r: Record) -> bool:
    """A stop request has something to do: a live process, or a restart to call off."""
    return r.state in RUNNING_STATES or restart_waits(r)


def accepts(state: State, event: type) -> bool:
    return (state, event) in TABLE


def step(policy: Policy, record: Record, event: Event) -> Result:
    """Apply one event. Raises InvalidTransition for a pair the table does not list."""
    transition = TABLE.get((record.state, type(event)))
    if transition is None:
        raise InvalidTransition(f"{record.state.name} does not accept {type(event).__name__}")
    return transition.handler(policy, record, event)
