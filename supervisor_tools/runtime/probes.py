"""Probe schedule and verdicts, pure: when the next probe runs and what a result means.

The field meanings are Kubernetes' (and process-compose's): the first probe runs
initial_delay_seconds after the probe may start, one starts every period_seconds, a probe
that takes longer than timeout_seconds failed, and success_threshold consecutive successes
or failure_threshold consecutive failures decide. The I/O shell (runtime/prober.py) runs the
probes and reads the clock; everything here takes the time as an argument.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from supervisor_tools.model.model import ProcessConfig
from supervisor_tools.options.readiness import PROBE_TARGETS, probe_key

Kind = Literal["readiness", "liveness"]
Method = Literal["exec", "http_get", "tcp_socket"]
Verdict = Literal["passed", "failed"] | None


@dataclass(frozen=True, slots=True)
class ProbeSpec:
    """One configured probe of a program."""

    kind: Kind
    method: Method
    target: str
    initial_delay: float = 0.0
    period: float = 10.0
    timeout: float = 1.0
    success_threshold: int = 1
    failure_threshold: int = 3

    def describe(self) -> str:
        what = {"exec": "command", "http_get": "HTTP GET", "tcp_socket": "TCP connect"}
        return f"{self.kind} probe ({what[self.method]} {self.target})"


@dataclass(frozen=True, slots=True)
class Tally:
    """Consecutive results so far: a success clears the failures, a failure the successes."""

    successes: int = 0
    failures: int = 0
    last_error: str = ""


def probe_of(pc: ProcessConfig, kind: Kind) -> ProbeSpec | None:
    """The program's probe of this kind, or None. The first target set is the probe (lint
    reports a second one)."""
    for method in PROBE_TARGETS:
        target = getattr(pc, probe_key(kind, method))
        if target is not None:
            return ProbeSpec(
                kind, method, target,  # type: ignore[arg-type]
                initial_delay=getattr(pc, probe_key(kind, "initial_delay_seconds")),
                period=getattr(pc, probe_key(kind, "period_seconds")),
                timeout=getattr(pc, probe_key(kind, "timeout_seconds")),
                success_threshold=getattr(pc, probe_key(kind, "success_threshold")),
                failure_threshold=getattr(pc, probe_key(kind, "failure_threshold")))
    return None


def first_at(spec: ProbeSpec, since: float) -> float:
    """When the first probe runs, for a probe allowed to start at `since`."""
    return since + spec.initial_delay


def next_at(spec: ProbeSpec, started: float, now: float) -> float:
    """When the next probe runs, after one that started at `started` ended at `now`: a period
    after the last start, or at once when the last one took longer than that."""
    return max(started + spec.period, now)


def deadline_of(spec: ProbeSpec, started: float) -> float:
    """When a probe that started at `started` has failed for taking too long."""
    return started + spec.timeout


def judge(spec: ProbeSpec, tally: Tally, ok: bool, error: str = "") -> tuple[Tally, Verdict]:
    """Count one result; "passed" or "failed" once a threshold is reached (the tally then
    starts over), None while undecided."""
    if ok:
        t = Tally(successes=tally.successes + 1)
        if t.successes >= spec.success_threshold:
            return Tally(), "passed"
        return t, None
    t = Tally(failures=tally.failures + 1, last_error=error)
    if t.failures >= spec.failure_threshold:
        return replace(t, failures=0), "failed"
    return t, None


def describe_tally(spec: ProbeSpec, tally: Tally) -> str:
    """A few words for the process's description while a probe is undecided or failing."""
    if tally.failures:
        return (f"{spec.kind} probe failed {tally.failures}/{spec.failure_threshold}: "
                f"{tally.last_error}")
    if tally.successes:
        return f"{spec.kind} probe passed {tally.successes}/{spec.success_threshold}"
    return ""
