"""`childlog_format` end to end: JSON and prefixed lines in rotated files and on /dev/stdout, read
back by `svtool ctl tail`, the real supervisorctl's tail and the web console's log view."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.conftest import SUPERVISORCTL, Supervisor, pyfile


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def json_lines(data: bytes) -> list[dict[str, object]]:
    return [json.loads(line) for line in data.split(b"\n") if line.startswith(b"{")]


def programs(tmp: Path) -> str:
    chatty = pyfile(tmp, "chatty", """\
        import sys, time
        for i in range(200):
            print(f"line {i:03d} " + "x" * 40)
        sys.stderr.write("to stderr\\n")
        sys.stdout.write("half a line")
        sys.stdout.flush()
        time.sleep(0.5)
        sys.stdout.write(" and the rest\\nno newline at the end")
        sys.stdout.flush()
        """)
    sleepy = pyfile(tmp, "sleepy", """\
        import time
        print("hello from sleepy", flush=True)
        time.sleep(1000)
        """)
    return f"""
        [program:chatty]
        command={chatty}
        startsecs=0
        autorestart=false
        redirect_stderr=true
        stdout_logfile={tmp}/chatty.log
        stdout_logfile_maxbytes=4KB
        stdout_logfile_backups=20

        [program:sleepy]
        command={sleepy}
        startsecs=0
        childlog_format=prefix
        stdout_logfile={tmp}/sleepy.log

        [program:plain]
        command={sleepy}
        startsecs=0
        childlog_format=raw
        stdout_logfile={tmp}/plain.log

        [program:container]
        command={sleepy}
        startsecs=0
        stdout_logfile=/dev/stdout
        stdout_logfile_maxbytes=0
        """


def test_json_lines_rotate_whole_and_every_reader_reads_them(svtool: Supervisor) -> None:
    tmp = svtool.tmp
    port = free_port()
    svtool.start(programs(tmp) + f"\n        [inet_http_server]\n        port=127.0.0.1:{port}\n",
                 # silent: the main log would write over /dev/stdout's lines in server.out,
                 # a file its stdout shares without O_APPEND (a container's pipe has no offset)
                 extra="childlog_format=json\n" + " " * 12 + "silent=true")
    svtool.wait_state("chatty", "EXITED")
    svtool.wait_state("sleepy", "RUNNING")
    backups = sorted(tmp.glob("chatty.log.*"), key=lambda p: int(p.suffix[1:]), reverse=True)
    assert len(backups) > 2  # rotated at 4KB, more than once (none dropped)
    recs = []
    for path in [*backups, tmp / "chatty.log"]:  # oldest first
        data = path.read_bytes()
        assert data.endswith(b"\n")  # each file holds whole JSON lines
        recs += json_lines(data)
    assert all(r["process"] == "chatty" and r["group"] == "chatty" for r in recs)
    messages = [(r["stream"], r["message"], r.get("partial", False)) for r in recs]
    assert messages[:2] == [("stdout", "line 000 " + "x" * 40, False),
                            ("stdout", "line 001 " + "x" * 40, False)]
    # redirect_stderr gives the child one pipe for both: its stderr is on stdout
    assert ("stdout", "to stderr", False) in messages
    assert messages[-2:] == [("stdout", "half a line and the rest", False),
                             ("stdout", "no newline at the end", True)]
    assert len([m for m in messages if m[1].startswith("line ")]) == 200
    # a program's own setting wins over [supervisord]'s
    prefixed = (tmp / "sleepy.log").read_text()
    assert prefixed.endswith(" sleepy stdout | hello from sleepy\n"), prefixed
    assert (tmp / "plain.log").read_text() == "hello from sleepy\n"
    # /dev/stdout: the JSON lines are the server's own output, for a container's log driver
    svtool.wait(lambda: json_lines(svtool.out.read_bytes()), 10, "JSON on the server's stdout")
    assert json_lines(svtool.out.read_bytes())[0]["message"] == "hello from sleepy"
    assert json_lines(svtool.out.read_bytes())[0]["process"] == "container"

    tails = {
        "svtool ctl": subprocess.run([sys.executable, "-m", "supervisor_tools", "ctl", "-c",
                                      str(svtool.conf), "tail", "chatty"],
                                     capture_output=True, timeout=60).stdout,
        "supervisorctl": subprocess.run([SUPERVISORCTL, "-c", str(svtool.conf), "tail",
                                         "chatty"], capture_output=True, timeout=60).stdout,
    }
    for who, out in tails.items():
        assert b'"message": "no newline at the end", "partial": true}' in out, who
    assert tails["svtool ctl"] == tails["supervisorctl"]
    assert "sleepy stdout | hello from sleepy" in svtool.ctl("tail", "sleepy").stdout

    # the web console's log view streams the same lines
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/api/log/chatty/stdout")
    resp = conn.getresponse()
    assert resp.status == 200
    seen = b""
    end = time.monotonic() + 10
    while b"no newline at the end" not in seen and time.monotonic() < end:
        seen += resp.read1(65536)
    conn.close()
    assert b'"message": "no newline at the end", "partial": true}' in seen


def test_supervisord_ignores_the_option(sup: Supervisor) -> None:
    # the same config runs on supervisord 4.3.0, which logs raw output as always
    sup.start(programs(sup.tmp), extra="childlog_format=json")
    sup.wait_state("sleepy", "RUNNING")
    sup.wait(lambda: (sup.tmp / "sleepy.log").exists()
             and b"hello" in (sup.tmp / "sleepy.log").read_bytes(), 10, "sleepy's log")
    text = (sup.tmp / "sleepy.log").read_text()
    if sup.kind == "supervisord":
        assert text == "hello from sleepy\n"
    else:
        assert text.endswith(" sleepy stdout | hello from sleepy\n")
