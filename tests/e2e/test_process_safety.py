"""What a bad program or a bad moment must not do to `svtool run`: crash loops, slow stdin
readers, a supervisor killed with SIGKILL, a reload into a broken config."""

from __future__ import annotations

import time

from tests.e2e.conftest import Supervisor


def test_a_crash_loop_is_restarted_about_once_a_second(sup: Supervisor) -> None:
    sup.start("""
        [program:loop]
        command=/bin/false
        startsecs=0
        autorestart=true
        """)
    t0 = time.monotonic()
    time.sleep(3.0)
    spawns = sup.log().count("spawned: 'loop'")
    elapsed = time.monotonic() - t0
    # the start, one immediate restart, then one a second (supervisord: its 1 s tick)
    assert 2 <= spawns <= elapsed + 3, spawns
