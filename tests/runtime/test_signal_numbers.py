"""Signal values as the runtime takes them: the same set supervisord 4.3.0 accepts."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from supervisor import datatypes

from supervisor_tools.model import load
from supervisor_tools.runtime.process import policy_of
from supervisor_tools.options.signals import parse_signal


def oracle(value: str) -> int | None:
    try:
        return int(datatypes.signal_number(value))
    except ValueError:
        return None


def ours(value: str) -> int | None:
    try:
        return parse_signal(value)  # what signalProcess and stopsignal go through
    except ValueError:
        return None


@pytest.mark.parametrize("value", ["0", "HUP", "sighup", "1", "9", "KILL", "SIGRTMIN", "-1",
                                   "99", "NOPE", "SIG", ""])
def test_rpc_signal_number_matches_supervisord(value: str) -> None:
    assert ours(value) == oracle(value)


@pytest.mark.parametrize(("stopsignal", "number"), [("0", 0), ("TERM", signal.SIGTERM),
                                                     ("sigkill", signal.SIGKILL)])
def test_policy_takes_every_loadable_stopsignal(tmp_path: Path, stopsignal: str,
                                                number: int) -> None:
    conf = tmp_path / "s.conf"
    conf.write_text(f"[supervisord]\n[program:p]\ncommand=true\nstopsignal={stopsignal}\n")
    result = load(str(conf), host_checks=False)
    (group,) = result.model.groups
    assert policy_of(group.processes[0]).stopsignal == number
