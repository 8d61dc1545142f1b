"""Event types, their hierarchy and payloads, rendered exactly as supervisord renders them.

An event is rendered when it happens (pids and retry counts change afterwards), so a queued
event carries its finished payload text. Serials are given by the pools that accept it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from supervisor_tools.runtime.states import State

# Each concrete or abstract type with its parent; a pool subscribed to a type receives every
# event of that type and of its descendants.
PARENTS: dict[str, str | None] = {
    "EVENT": None,
    "PROCESS_STATE": "EVENT",
    "PROCESS_STATE_STOPPED": "PROCESS_STATE",
    "PROCESS_STATE_EXITED": "PROCESS_STATE",
    "PROCESS_STATE_STARTING": "PROCESS_STATE",
    "PROCESS_STATE_STOPPING": "PROCESS_STATE",
    "PROCESS_STATE_BACKOFF": "PROCESS_STATE",
    "PROCESS_STATE_FATAL": "PROCESS_STATE",
    "PROCESS_STATE_RUNNING": "PROCESS_STATE",
    "PROCESS_STATE_UNKNOWN": "PROCESS_STATE",
    "PROCESS_COMMUNICATION": "EVENT",
    "PROCESS_COMMUNICATION_STDOUT": "PROCESS_COMMUNICATION",
    "PROCESS_COMMUNICATION_STDERR": "PROCESS_COMMUNICATION",
    "PROCESS_LOG": "EVENT",
    "PROCESS_LOG_STDOUT": "PROCESS_LOG",
    "PROCESS_LOG_STDERR": "PROCESS_LOG",
    "REMOTE_COMMUNICATION": "EVENT",
    "SUPERVISOR_STATE_CHANGE": "EVENT",
    "SUPERVISOR_STATE_CHANGE_RUNNING": "SUPERVISOR_STATE_CHANGE",
    "SUPERVISOR_STATE_CHANGE_STOPPING": "SUPERVISOR_STATE_CHANGE",
    "TICK": "EVENT",
    "TICK_5": "TICK",
    "TICK_60": "TICK",
    "TICK_3600": "TICK",
    "PROCESS_GROUP": "EVENT",
    "PROCESS_GROUP_ADDED": "PROCESS_GROUP",
    "PROCESS_GROUP_REMOVED": "PROCESS_GROUP",
}

TICK_PERIODS = {"TICK_5": 5, "TICK_60": 60, "TICK_3600": 3600}

BEGIN_TOKEN = b"<!--XSUPERVISOR:BEGIN-->"
END_TOKEN = b"<!--XSUPERVISOR:END-->"


def ancestry(name: str) -> tuple[str, ...]:
    """`name` and every type above it, nearest first."""
    chain: list[str] = []
    cur: str | None = name
    while cur is not None:
        chain.append(cur)
        cur = PARENTS[cur]
    return tuple(chain)


def covers(subscriptions: tuple[str, ...] | frozenset[str], name: str) -> bool:
    """Whether a pool subscribed to `subscriptions` receives events of type `name`."""
    return any(kind in subscriptions for kind in ancestry(name))


@dataclass(eq=False, slots=True)
class Event:
    name: str
    payload: str
    # given by the first pool that accepts the event (-1 until then), as supervisord numbers
    serial: int = -1
    pool_serials: dict[str, int] = field(default_factory=dict)


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return f"Undecodable: {data!r}"


# -- payloads ----------------------------------------------------------------------------------


def process_state(to: State, process: str, group: str, from_state: State, *, tries: int = 0,
                  expected: bool = True, pid: int = 0) -> Event:
    fields = [("processname", process), ("groupname", group), ("from_state", from_state.name)]
    if to in (State.STARTING, State.BACKOFF):
        fields.append(("tries", str(tries)))
    elif to is State.EXITED:
        fields += [("expected", str(int(expected))), ("pid", str(pid))]
    elif to in (State.RUNNING, State.STOPPING, State.STOPPED):
        fields.append(("pid", str(pid)))
    return Event(f"PROCESS_STATE_{to.name}", " ".join(f"{k}:{v}" for k, v in fields))


def process_log(channel: str, process: str, group: str, pid: int, data: bytes) -> Event:
    head = f"processname:{process} groupname:{group} pid:{pid} channel:{channel}\n"
    return Event(f"PROCESS_LOG_{channel.upper()}", head + _text(data))


def process_communication(channel: str, process: str, group: str, pid: int,
                          data: bytes) -> Event:
    head = f"processname:{process} groupname:{group} pid:{pid}\n"
    return Event(f"PROCESS_COMMUNICATION_{channel.upper()}", head + _text(data))


def remote_communication(type_: str, data: str) -> Event:
    return Event("REMOTE_COMMUNICATION", f"type:{type_}\n{data}")


def supervisor_state(name: str) -> Event:
    return Event(f"SUPERVISOR_STATE_CHANGE_{name}", "")


def tick(name: str, when: int) -> Event:
    return Event(name, f"when:{when}")


def timeslice(period: int, now: float) -> int:
    return int(now - now % period)


def next_tick(period: int, now: float | None = None) -> float:
    """Wall-clock time at which the slice after the one holding `now` begins."""
    now = time.time() if now is None else now
    return timeslice(period, now) + period


def process_group(name: str, group: str) -> Event:
    return Event(f"PROCESS_GROUP_{name}", f"groupname:{group}\n")


def envelope(identifier: str, pool: str, event: Event) -> bytes:
    """The header line and payload a listener reads from its stdin."""
    header = (f"ver:3.0 server:{identifier} serial:{event.serial} pool:{pool} "
              f"poolserial:{event.pool_serials[pool]} eventname:{event.name} "
              f"len:{len(event.payload)}\n")
    return (header + event.payload).encode("utf-8")
