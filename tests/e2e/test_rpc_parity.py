"""Small things supervisord 4.3.0 does that svtool run does the same: system.methodHelp's texts,
the main log's `waiting for X to stop` lines, and the order of a group's stop results."""

from __future__ import annotations

import collections
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import SLEEPER_CMD, Supervisor, snippet

STUBBORN = snippet("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                   "time.sleep(1000)")
NAMES = ["zeta", "alpha", "mid", "beta", "omega", "gamma"]
PRIORITIES = [5, 999, 5, 1, 999, 500]
GROUP = "".join(f"[program:{n}]\ncommand={SLEEPER_CMD}\npriority={p}\nstartsecs=0\n"
                for n, p in zip(NAMES, PRIORITIES, strict=True))
GROUP += f"[group:grp]\nprograms={','.join(NAMES)}\n"


@pytest.fixture
def pair() -> Iterator[dict[str, Supervisor]]:
    servers = {kind: Supervisor(kind, Path(tempfile.mkdtemp(prefix=f"svtool-{kind}-")))
               for kind in ("svtool", "supervisord")}
    try:
        yield servers
    finally:
        for s in servers.values():
            s.stop()


def test_method_help_is_supervisords(pair: dict[str, Supervisor]) -> None:
    answers = {}
    for kind, s in pair.items():
        s.start(f"[program:a]\ncommand={SLEEPER_CMD}\n")
        rpc = s.rpc()
        methods = rpc.system.listMethods()
        answers[kind] = {m: (rpc.system.methodHelp(m), rpc.system.methodSignature(m))
                         for m in methods}
    assert answers["svtool"].keys() == answers["supervisord"].keys()
    differ = [m for m in answers["svtool"] if answers["svtool"][m] != answers["supervisord"][m]]
    assert differ == []


def messages(log: str) -> list[str]:
    # "2026-12-03 23:31:40,123 INFO message" without the time, and pids made alike
    return [re.sub(r"\(\d+\)|pid \d+", "(PID)", line[24:]) for line in log.splitlines()]


def test_waiting_for_a_process_to_stop_is_logged(pair: dict[str, Supervisor]) -> None:
    seen = {}
    for kind, s in pair.items():
        s.start(f"[program:slow]\ncommand={STUBBORN}\nstartsecs=0\nstopwaitsecs=5\n"
                f"[program:fast]\ncommand={SLEEPER_CMD}\nstartsecs=0\n"
                f"[group:g]\nprograms=slow,fast\n")
        s.wait_state("g:slow", "RUNNING")
        s.wait_state("g:fast", "RUNNING")
        before = len(messages(s.log()))
        s.ctl("stop", "g:*", check=True)
        s.wait(lambda s=s: "stopped: slow (terminated by SIGKILL)" in s.log(), 30,
               "slow to be killed")
        seen[kind] = messages(s.log())[before:]
    for kind, lines in seen.items():
        # once at once, then every 2 s until SIGKILL at 5 s (a loaded machine may skip one)
        assert 2 <= lines.count("INFO waiting for slow to stop") <= 3, (kind, lines)
        assert lines.count("INFO waiting for fast to stop") <= 1, (kind, lines)
        assert lines[-2:] == ["WARN killing 'slow' (PID) with SIGKILL",
                              "WARN stopped: slow (terminated by SIGKILL)"], (kind, lines)
    assert set(seen["svtool"]) == set(seen["supervisord"])


def test_group_stop_results_come_in_a_stable_order(svtool: Supervisor) -> None:
    svtool.start(GROUP)
    rpc = svtool.rpc().supervisor
    orders = collections.Counter()
    for _ in range(5):
        svtool.wait(lambda: all(i["statename"] == "RUNNING" for i in rpc.getAllProcessInfo()),
                    30, "the group to run")
        orders[tuple(r["name"] for r in rpc.stopProcessGroup("grp"))] += 1
        rpc.startProcessGroup("grp")
    # supervisord's order when they stop together: by priority, equal priorities in the order
    # of the group's programs= (zeta before mid), not by name
    assert orders == {("beta", "zeta", "mid", "gamma", "alpha", "omega"): 5}
