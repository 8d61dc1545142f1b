"""A row of a transition table: the handler of a (state, event) pair and the states it may
enter, passing through or ending in (a handler that leaves the state as it is enters none)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

H = TypeVar("H")
S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class Transition(Generic[H, S]):
    handler: H
    enters: frozenset[S]


def row(handler: H, *enters: S) -> Transition[H, S]:
    return Transition(handler, frozenset(enters))
