"""The event-listener protocol as a pure transition table: (state, event) -> (record, actions).

A listener starts ACKNOWLEDGED, writes `READY\\n` (READY), is sent one event (BUSY) and
answers `RESULT <len>\\n<data>`; the pool's result handler judges the answer, and the listener
is ACKNOWLEDGED again, or UNKNOWN for good when it broke the protocol. Nothing here touches a
pipe or calls the result handler: the caller feeds what the listener wrote and what the
handler decided, and carries out the actions (call the handler, give the event in hand back to
the pool, log).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import IntEnum

from supervisor_tools.runtime.transitions import Transition, row

READY_TOKEN = b"READY\n"
RESULT_TOKEN = b"RESULT "


class ListenerState(IntEnum):
    READY = 10
    BUSY = 20
    ACKNOWLEDGED = 30
    UNKNOWN = 40


@dataclass(frozen=True, slots=True)
class Record:
    """What the protocol remembers about one listener between events."""

    state: ListenerState = ListenerState.ACKNOWLEDGED
    inbuf: bytes = b""  # output not consumed yet
    resultlen: int | None = None  # the length of the answer being read, once its line is in
    result: bytes = b""  # the answer read so far


# -- events ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Output:
    """The listener's stdout has unconsumed bytes in `Record.inbuf`: consume one token."""


@dataclass(frozen=True, slots=True)
class Sent:
    """An event was written to the listener's stdin."""


@dataclass(frozen=True, slots=True)
class Judged:
    """The pool's result handler judged the answer: "ok", "rejected" or "error"."""

    verdict: str


@dataclass(frozen=True, slots=True)
class Respawned:
    """A new listener process: it starts over, owing nothing."""


Event = Output | Sent | Judged | Respawned


# -- actions -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Enter:
    """The listener enters `state`; `quiet` ones are not logged (as supervisord does not)."""

    state: ListenerState
    quiet: bool = False


@dataclass(frozen=True, slots=True)
class Judge:
    """Call the pool's result handler on this answer and feed back its verdict."""

    result: bytes


@dataclass(frozen=True, slots=True)
class Requeue:
    """The event in hand goes back to the head of the pool's buffer."""


@dataclass(frozen=True, slots=True)
class Forget:
    """The listener holds no event any more."""


@dataclass(frozen=True, slots=True)
class Log:
    level: str
    message: str


Action = Enter | Judge | Requeue | Forget | Log


@dataclass(frozen=True, slots=True)
class Result:
    record: Record
    actions: tuple[Action, ...] = ()

    @property
    def entered(self) -> tuple[ListenerState, ...]:
        return tuple(a.state for a in self.actions if isinstance(a, Enter))


class InvalidTransition(Exception):
    """An event that the current state does not accept (a bug in the caller)."""


Handler = Callable[[Record, Event], Result]
L = ListenerState


def _enter(r: Record, state: ListenerState, *actions: Action, quiet: bool = False) -> Result:
    return Result(replace(r, state=state), (Enter(state, quiet), *actions))


def _violation(r: Record, *before: Action) -> Result:
    """Output the protocol does not allow: UNKNOWN, the rest of the output is dropped."""
    res = _enter(replace(r, inbuf=b""), L.UNKNOWN)
    return Result(res.record, before + res.actions)


def _ready(r: Record, e: Event) -> Result:
    if len(r.inbuf) < len(READY_TOKEN):
        return Result(r)  # wait for more
    if not r.inbuf.startswith(READY_TOKEN):
        return _violation(r, Forget())
    res = _enter(replace(r, inbuf=r.inbuf[len(READY_TOKEN):]), L.READY)
    return Result(res.record, res.actions + (Forget(),))


def _unasked(r: Record, e: Event) -> Result:
    # Output while nothing was asked of it: the listener is confused.
    return _violation(r, Forget())


def _drop(r: Record, e: Event) -> Result:
    return Result(replace(r, inbuf=b""))


def _sent(r: Record, e: Event) -> Result:
    return _enter(r, L.BUSY, quiet=True)


def _answer(r: Record, e: Event) -> Result:
    """Read the `RESULT <len>` line, then <len> bytes; Judge them when they are all in."""
    length = r.resultlen
    if length is None:
        pos = r.inbuf.find(b"\n")
        if pos < 0:
            return Result(r)
        line, rest = r.inbuf[:pos], r.inbuf[pos + 1:]
        try:
            length = int(line[len(RESULT_TOKEN):])
        except ValueError:
            text = line.decode("utf-8", "replace")
            res = _violation(r, Log("warn", f"bad result line: '{text}'"))
            return Result(res.record, res.actions + (Requeue(),))
        r = replace(r, inbuf=rest, resultlen=length)
    needed = max(length - len(r.result), 0)
    r = replace(r, result=r.result + r.inbuf[:needed], inbuf=r.inbuf[needed:])
    if len(r.result) < length:
        return Result(r)
    return Result(replace(r, result=b"", resultlen=None), (Judge(r.result),))


# What each verdict of the result handler does: the state entered, the log, the event's fate.
_VERDICTS: dict[str, tuple[ListenerState, Log, Action]] = {
    "ok": (L.ACKNOWLEDGED, Log("debug", "event was processed"), Forget()),
    "rejected": (L.ACKNOWLEDGED, Log("warn", "event was rejected"), Requeue()),
    "error": (L.UNKNOWN, Log("warn", "event caused an error"), Requeue()),
}


def _judged(r: Record, e: Event) -> Result:
    assert isinstance(e, Judged)
    state, log, fate = _VERDICTS[e.verdict]
    return Result(replace(r, state=state), (log, Enter(state), fate))


def _respawned(r: Record, e: Event) -> Result:
    return Result(Record(), (Enter(L.ACKNOWLEDGED, quiet=True), Forget()))


TABLE: dict[tuple[ListenerState, type], Transition[Handler, ListenerState]] = {
    (L.ACKNOWLEDGED, Output): row(_ready, L.READY, L.UNKNOWN),
    (L.READY, Output): row(_unasked, L.UNKNOWN),
    (L.READY, Sent): row(_sent, L.BUSY),
    (L.BUSY, Output): row(_answer, L.UNKNOWN),
    (L.BUSY, Judged): row(_judged, L.ACKNOWLEDGED, L.UNKNOWN),
    (L.UNKNOWN, Output): row(_drop),
    **{(state, Respawned): row(_respawned, L.ACKNOWLEDGED) for state in ListenerState},
}


def step(record: Record, event: Event) -> Result:
    """Apply one event. Raises InvalidTransition for a pair the table does not list."""
    transition = TABLE.get((record.state, type(event)))
    if transition is None:
        raise InvalidTransition(f"{record.state.name} does not accept {type(event).__name__}")
    return transition.handler(record, event)
