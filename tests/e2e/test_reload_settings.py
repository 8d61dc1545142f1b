"""SIGHUP applies changed `[supervisord]` settings: the main log's file and level."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.e2e.conftest import Supervisor, pyfile

TALKER = """
    import time
    print('talking at start-up', flush=True)
    time.sleep(1000)
"""


def test_reload_moves_the_main_log_and_changes_its_level(sup: Supervisor,
                                                          tmp_path: Path) -> None:
    programs = f"""
        [program:talker]
        command={pyfile(tmp_path, "talker", TALKER)}
        startsecs=0
        """
    sup.start(programs)
    sup.wait_state("talker", "RUNNING")
    sup.wait(lambda: "success: talker" in sup.log(), what="the first log")
    assert "DEBG" not in sup.log()
    second = tmp_path / "second.log"
    text = sup.conf.read_text()
    sup.conf.write_text(text.replace(f"logfile={sup.mainlog}", f"logfile={second}")
                        .replace("loglevel=info", "loglevel=debug"))
    assert sup.proc is not None
    sup.proc.send_signal(signal.SIGHUP)
    sup.wait(lambda: second.exists() and "success: talker" in second.read_text(),
             what="the new main log")
    sup.wait(lambda: "talking at start-up" in second.read_text(), what="debug output")
    new = second.read_text()
    assert "DEBG 'talker' stdout output:" in new
    # The old log ends with the restart request and gets nothing after it.
    old = sup.log()
    assert "received SIGHUP" in old and "talking at start-up" not in old
    assert "success: talker" not in old.split("received SIGHUP", 1)[1]
