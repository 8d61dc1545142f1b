"""Signal names become numbers in one place: the option type, read as supervisord 4.3.0 reads them.

The config's stopsignal, the runtime's Policy and a signal asked for over XML-RPC all go
through options/signals.py (the option type reads it from there); nothing else in the package spells the name-to-number conversion.
"""

from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from supervisor.datatypes import signal_number as supervisord_signal_number

from supervisor_tools.model import load
from supervisor_tools.options import types as t
from supervisor_tools.runtime.process import policy_of
from supervisor_tools.runtime.rpc import FAULTS, Dispatcher
from supervisor_tools.runtime.supervisor import Supervisor
from tests.runtime.test_rpc import fault, rpc  # noqa: F401  (rpc is a fixture)

PACKAGE = Path(t.__file__).resolve().parents[1]
NAMES = sorted(k for k in dir(signal) if k.startswith("SIG"))


def _theirs(text: str) -> int | None:
    try:
        return int(supervisord_signal_number(text))
    except (ValueError, TypeError):
        return None


def _ours(text: str) -> int | None:
    try:
        return t.parse_signal(text)
    except ValueError:
        return None


@given(st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from(NAMES).map(lambda n: n[3:].lower()),
    st.integers(-3, 80).map(str),
    st.text(max_size=8),
))
def test_parse_signal_is_supervisords(text: str) -> None:
    assert _ours(text) == _theirs(text)


def test_stopsignal_zero_reaches_the_policy(tmp_path: Path) -> None:
    conf = tmp_path / "supervisord.conf"
    conf.write_text("[supervisord]\n[program:p]\ncommand=/bin/cat\nstopsignal=0\n")
    result = load(str(conf), host_checks=False)
    assert not result.errors
    [pc] = result.model.processes()
    assert policy_of(pc).stopsignal == 0


def test_signal_zero_is_a_signal_over_rpc(
        rpc: tuple[Supervisor, Dispatcher]) -> None:  # noqa: F811
    _, d = rpc
    # signal 0 probes a pid: refused only because "web" is not running, as supervisord does
    got, text = fault(d, "supervisor.signalProcess", "web", "0")
    assert got == FAULTS["NOT_RUNNING"], text
    assert fault(d, "supervisor.signalProcess", "web", "NOPE")[0] == FAULTS["BAD_SIGNAL"]


def test_no_other_module_converts_signal_names() -> None:
    home = PACKAGE / "options" / "signals.py"
    pattern = re.compile(r"getattr\(\s*signal\w*\s*,|Signals\(")
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if p != home and pattern.search(p.read_text())]
    assert offenders == []


@pytest.mark.parametrize("num", [int(signal.SIGTERM), 0, 99])
def test_signal_label(num: int) -> None:
    assert t.signal_label(num) == ("SIGTERM" if num == signal.SIGTERM else f"signal {num}")
