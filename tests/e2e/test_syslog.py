"""`stdout_syslog` / `stderr_syslog` end to end: lines reach a syslog socket the test owns."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.e2e.conftest import Supervisor, pyfile

TALKER = """
    import sys, time
    print('out one'); print('out two')
    sys.stderr.write('err one\\n'); sys.stderr.flush()
    time.sleep(1000)
"""


def test_output_lines_go_to_syslog_with_the_process_name(svtool: Supervisor,
                                                           tmp_path: Path) -> None:
    path = str(tmp_path / "log.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(path)
        listener.settimeout(10)
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
