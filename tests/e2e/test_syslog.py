"""`stdout_syslog` / `stderr_syslog` and `logfile=syslog` end to end: lines reach a syslog
socket the test owns."""

from __future__ import annotations

import contextlib
import re
import socket
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path

from tests.e2e.conftest import Supervisor, pyfile

TALKER = """
    import sys, time
    print('out one'); print('out two')
    sys.stderr.write('err one\\n'); sys.stderr.flush()
    time.sleep(1000)
"""



@contextlib.contextmanager
def _listening(path: str) -> Iterator[socket.socket]:
    """A datagram socket standing in for /dev/log, where the runtime is told to send."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(path)
        listener.settimeout(10)
        yield listener

def test_output_lines_go_to_syslog_with_the_process_name(svtool: Supervisor,
                                                           tmp_path: Path) -> None:
    path = str(tmp_path / "log.sock")
    with _listening(path) as listener:
        svtool.start(f"""
            [program:talker]
            command={pyfile(tmp_path, "talker", TALKER)}
            startsecs=0
            stdout_syslog=true
            stderr_syslog=true
            stdout_logfile={tmp_path}/talker.out

            [program:quiet]
            command={pyfile(tmp_path, "quiet", TALKER)}
            startsecs=0
            """, env={"SVTOOL_SYSLOG_SOCKET": path})
        got: set[bytes] = set()
        while len(got) < 3:
            got.add(listener.recv(4096).split(b"supervisord: ", 1)[1])
        assert got == {b"talker out one", b"talker out two", b"talker err one"}
        listener.settimeout(0.5)
        try:
            extra = listener.recv(4096)
        except TimeoutError:
            extra = b""
        assert extra == b""  # the other program does not log to syslog
    # The log file still gets the output too.
    svtool.wait(lambda: "out two" in (tmp_path / "talker.out").read_text())


def test_logfile_syslog_sends_the_main_log_to_syslog(svtool: Supervisor, tmp_path: Path) -> None:
    # As supervisord's logfile=syslog: every line of every message is one syslog message with
    # the main log's own "date time,ms LEVEL" prefix, and no file is written.
    path = str(tmp_path / "log.sock")
    with _listening(path) as listener:
        svtool.write(f"""
            [program:talker]
            command={pyfile(tmp_path, "talker", TALKER)}
            startsecs=0
            stdout_logfile={tmp_path}/talker.out
            """)
        svtool.conf.write_text(svtool.conf.read_text()
                               .replace(f"logfile={svtool.mainlog}", "logfile=syslog")
                               .replace("loglevel=info", "loglevel=debug"))
        svtool.start(env={"SVTOOL_SYSLOG_SOCKET": path})
        got: list[bytes] = []
        while not any(b"DEBG out two" in m for m in got):
            got.append(listener.recv(4096))
    texts = [m.split(b"supervisord: ", 1)[1] for m in got]
    assert all(m.startswith(b"<14>") for m in got)
    stamp = rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} "
    assert any(re.fullmatch(stamp + rb"INFO supervisord started with pid \d+", t) for t in texts)
    assert any(re.fullmatch(stamp + rb"INFO success: talker entered RUNNING state, process "
                                    rb"has stayed up for > than 0 seconds \(startsecs\)", t)
               for t in texts)
    # A message of several lines ('talker' stdout output:\nout one\n...) is split per line.
    assert any(re.fullmatch(stamp + rb"DEBG 'talker' stdout output:", t) for t in texts)
    assert any(re.fullmatch(stamp + rb"DEBG out one", t) for t in texts)
    assert not svtool.mainlog.exists() and not (tmp_path / "syslog").exists()
    try:
        svtool.rpc().supervisor.readLog(0, 0)
    except xmlrpc.client.Fault as fault:
        assert fault.faultString == "NO_FILE: syslog"
    else:
        raise AssertionError("readLog answered without a log file")
