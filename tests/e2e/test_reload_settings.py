"""SIGHUP applies changed `[supervisord]` settings as supervisord does: the main log's file and
level, the pidfile, the AUTO log clean-up; resource limits stay those of the first start."""

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


def test_reload_moves_the_pidfile_and_clears_the_old_auto_logs(sup: Supervisor,
                                                               tmp_path: Path) -> None:
    sup.start(f"""
        [program:talker]
        command={pyfile(tmp_path, "talker", TALKER)}
        startsecs=0
        """)
    first = sup.wait_state("talker", "RUNNING")
    old_log = Path(first["stdout_logfile"])
    sup.wait(lambda: old_log.exists() and "talking" in old_log.read_text(),
             what="the AUTO log")
    old_pidfile, new_pidfile = tmp_path / "supervisord.pid", tmp_path / "moved.pid"
    assert sup.proc is not None
    assert old_pidfile.read_text() == f"{sup.proc.pid}\n"
    sup.conf.write_text(sup.conf.read_text().replace(f"pidfile={old_pidfile}",
                                                     f"pidfile={new_pidfile}"))
    sup.proc.send_signal(signal.SIGHUP)
    sup.wait(lambda: new_pidfile.exists() and new_pidfile.read_text() == f"{sup.proc.pid}\n",
             what="the moved pidfile")
    assert not old_pidfile.exists()
    again = sup.wait_state("talker", "RUNNING")
    new_log = Path(again["stdout_logfile"])
    assert new_log != old_log and new_log.parent == old_log.parent
    sup.wait(lambda: new_log.exists() and "talking" in new_log.read_text(),
             what="the new AUTO log")
    assert not old_log.exists()
    sup.stop()
    assert not new_pidfile.exists()


def _open_files_limit(pid: int) -> int:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            return int(line.split()[3])
    raise AssertionError("no open files limit")


def test_reload_keeps_the_resource_limits_of_the_first_start(sup: Supervisor,
                                                             tmp_path: Path) -> None:
    # supervisord raises minfds/minprocs only when it first starts, never on a reload.
    sup.start(f"""
        [program:talker]
        command={pyfile(tmp_path, "talker", TALKER)}
        startsecs=0
        """)
    assert sup.proc is not None
    before = _open_files_limit(sup.proc.pid)
    sup.conf.write_text(sup.conf.read_text().replace(
        "loglevel=info", f"loglevel=info\nminfds={before + 100}"))
    sup.proc.send_signal(signal.SIGHUP)
    sup.wait(lambda: sup.log().count("success: talker") == 2, what="the reload")
    assert _open_files_limit(sup.proc.pid) == before


def test_reload_onto_a_socket_path_that_cannot_be_opened_keeps_serving(
        svtool: Supervisor, tmp_path: Path) -> None:
    # The new [unix_http_server] file is taken by a regular file, which svtool never deletes
    # (supervisord does: docs/differences.md): the reload goes on with the socket that worked
    # until now, and says why.
    sup = svtool
    sup.start(f"""
        [program:talker]
        command={pyfile(tmp_path, "talker", TALKER)}
        startsecs=0
        """)
    first = sup.wait_state("talker", "RUNNING")
    blocked = tmp_path / "data.txt"
    blocked.write_text("someone's data\n")
    sup.conf.write_text(sup.conf.read_text().replace(f"file={sup.sock}", f"file={blocked}"))
    assert sup.proc is not None
    sup.proc.send_signal(signal.SIGHUP)
    sup.wait(lambda: "cannot open the control servers" in sup.log(), what="the error")
    assert blocked.read_text() == "someone's data\n"
    assert "Traceback" not in sup.log()
    sup.wait(lambda: sup.log().count("success: talker") == 2, what="the reload")
    assert sup.rpc().supervisor.getState()["statename"] == "RUNNING"
    assert sup.rpc().supervisor.getProcessInfo("talker")["pid"] != first["pid"]
