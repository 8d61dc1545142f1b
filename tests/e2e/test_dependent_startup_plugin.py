"""svtool's native dependencies start programs in the order the supervisord-dependent-startup
plugin does: the real plugin (from PyPI) runs as an event listener under supervisord 4.3.0, and
the same config runs under `svtool run`, with the plugin's listener still in it and without."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from .conftest import BIN, SLEEPER_CMD, Supervisor, snippet

PLUGIN = BIN / "supervisord-dependent-startup"
JOB_CMD = snippet("import time; time.sleep(0.5)")

# Written as the plugin's README writes them: every program autostart=false and
# dependent_startup=true, the first waiting for nothing. Each starts once what it waits for
# holds: two programs released together (e before b by priority), a chain, a one-shot job, and
# a program waiting on the job's exit and the chain's end.
PROGRAMS = f"""
[program:a]
command={SLEEPER_CMD}
autostart=false
startsecs=1
dependent_startup=true

[program:b]
command={SLEEPER_CMD}
autostart=false
startsecs=1
dependent_startup=true
dependent_startup_wait_for=a:running

[program:e]
command={SLEEPER_CMD}
autostart=false
priority=5
startsecs=1
dependent_startup=true
dependent_startup_wait_for=a:running

[program:c]
command={SLEEPER_CMD}
autostart=false
startsecs=1
dependent_startup=true
dependent_startup_wait_for=b:running

[program:job]
command={JOB_CMD}
autostart=false
startsecs=0
autorestart=false
dependent_startup=true
dependent_startup_wait_for=e:running

[program:d]
command={SLEEPER_CMD}
autostart=false
startsecs=0
dependent_startup=true
dependent_startup_wait_for=job:exited c:running
"""

NAMES = ("a", "b", "c", "d", "e", "job")


def listener(conf: Path) -> str:
    return f"""
[eventlistener:dependentstartup]
command={PLUGIN} --log-level debug -c {conf}
autostart=true
autorestart=unexpected
startretries=0
exitcodes=0,3
events=PROCESS_STATE
"""


def start_order(sup: Supervisor) -> list[str]:
    """The programs in the order the main log says they were spawned (first spawn each)."""
    order: list[str] = []
    for name in re.findall(r"spawned: '([^']+)'", sup.log()):
        if name in NAMES and name not in order:
            order.append(name)
    return order


def run(sup: Supervisor, with_listener: bool) -> list[str]:
    sup.start(PROGRAMS + (listener(sup.conf) if with_listener else ""))
    sup.wait_state("d", "RUNNING", 40)
    assert sup.state("job") == "EXITED"
    res = sup.ctl("status")
    assert "ERROR" not in res.stdout, res.stdout
    return start_order(sup)


@pytest.fixture
def oracle(tmp_path: Path) -> object:
    sup = Supervisor("supervisord", tmp_path / "supervisord")
    sup.tmp.mkdir()
    yield sup
    sup.stop()


def test_native_order_is_the_plugins(oracle: Supervisor, tmp_path: Path) -> None:
    assert PLUGIN.exists(), "the test extra installs supervisord-dependent-startup"
    expected = run(oracle, with_listener=True)
    assert expected == ["a", "e", "b", "job", "c", "d"], oracle.log()
    for with_listener in (True, False):
        where = tmp_path / f"svtool-{with_listener}"
        where.mkdir()
        sup = Supervisor("svtool", where)
        try:
            assert run(sup, with_listener) == expected, sup.log()
        finally:
            sup.stop()
        shutil.rmtree(where, ignore_errors=True)
