"""Signal 0 probes a pid: supervisord 4.3.0 accepts it as a stop signal and from supervisorctl.

Each test runs against `svtool run` and against supervisord 4.3.0 (the `sup` fixture).
"""

from __future__ import annotations

import xmlrpc.client

import pytest

from tests.e2e.conftest import SLEEPER_CMD, Supervisor


def test_supervisorctl_signal_0_probes_without_harm(sup: Supervisor) -> None:
    sup.start(f"""
        [program:probe]
        command={SLEEPER_CMD}
        startsecs=0
        """)
    info = sup.wait_state("probe", "RUNNING")
    res = sup.ctl("signal", "0", "probe")
    assert res.stdout.strip() == "probe: signalled", res
    assert sup.rpc().supervisor.signalProcess("probe", "0") is True
    after = sup.info("probe")
    assert (after["statename"], after["pid"]) == ("RUNNING", info["pid"])


def test_signal_0_to_a_stopped_process_is_not_running(sup: Supervisor) -> None:
    sup.start(f"""
        [program:probe]
        command={SLEEPER_CMD}
        autostart=false
        """)
    with pytest.raises(xmlrpc.client.Fault) as exc:
        sup.rpc().supervisor.signalProcess("probe", "0")
    assert exc.value.faultString == "NOT_RUNNING: probe"


def test_stopsignal_0_runs_and_stops_by_sigkill(sup: Supervisor) -> None:
    # Signal 0 asks nothing of the child, so stopping waits out stopwaitsecs and kills it.
    sup.start(f"""
        [program:deaf]
        command={SLEEPER_CMD}
        startsecs=0
        stopsignal=0
        stopwaitsecs=1
        """)
    sup.wait_state("deaf", "RUNNING")
    assert sup.ctl("stop", "deaf").stdout.strip() == "deaf: stopped"
    assert sup.state("deaf") == "STOPPED"
    assert "killing 'deaf'" in sup.log() and "stopped: deaf (terminated by SIGKILL)" in sup.log()
