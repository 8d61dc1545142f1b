"""Child output to syslog: whole lines, the process name first, RFC 3164 framing."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervisor_tools.runtime.syslog import SyslogConnection, SyslogSink, frame, sinks_for

FRAME = re.compile(rb"<14>[A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d supervisord: (.*)\Z", re.S)


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    path = str(tmp_path / "log.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(0.2)
    yield s, path
    s.close()


def received(s: socket.socket) -> list[bytes]:
    out: list[bytes] = []
    while True:
        try:
            data = s.recv(65536)
        except TimeoutError:
            return out
        m = FRAME.match(data)
        assert m, data
        out.append(m.group(1))


def test_lines_are_prefixed_and_split_reads_are_joined(
        listener: tuple[socket.socket, str]) -> None:
    s, path = listener
    sink = SyslogSink("web_1", SyslogConnection(path))
    sink.write(b"first line\nsec")
    sink.write(b"ond line\n\nlast without newline")
    assert received(s) == [b"web_1 first line", b"web_1 second line", b"web_1 "]
    sink.flush()
    assert received(s) == [b"web_1 last without newline"]


def test_missing_syslog_loses_messages_quietly(tmp_path: Path) -> None:
    sink = SyslogSink("web", SyslogConnection(str(tmp_path / "nothing-here")))
    sink.write(b"hello\n")
    sink.flush()


def test_reconnects_after_syslog_restarts(tmp_path: Path) -> None:
    path = str(tmp_path / "log.sock")
    conn = SyslogConnection(path)
    sink = SyslogSink("web", conn)
    sink.write(b"before syslog exists\n")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.bind(path)
        s.settimeout(0.2)
        sink.write(b"now\n")
        assert received(s) == [b"web now"]


def test_channels_follow_the_options() -> None:
    assert set(sinks_for("a", True, True, False)) == {"stdout", "stderr"}
    assert set(sinks_for("a", True, True, True)) == {"stdout"}
    assert set(sinks_for("a", False, True, False)) == {"stderr"}
    assert sinks_for("a", False, False, False) == {}


@given(st.lists(st.binary(max_size=40), max_size=8))
def test_every_complete_line_is_sent_once_in_order(chunks: list[bytes]) -> None:
    sent: list[bytes] = []

    class Capture(SyslogConnection):
        def send(self, messages: list[bytes]) -> None:
            sent.extend(FRAME.match(m).group(1) for m in messages)  # type: ignore[union-attr]

    sink = SyslogSink("p", Capture("unused"))
    for c in chunks:
        sink.write(c)
    sink.flush()
    data = b"".join(chunks)
    expected = data.split(b"\n")
    if expected[-1] == b"":
        expected.pop()
    assert sent == [b"p " + line for line in expected]


def test_frame_pads_the_day_with_a_space() -> None:
    import time
    when = time.mktime((2026, 3, 5, 10, 0, 0, 0, 0, -1))
    assert frame(b"x", when) == b"<14>Mar  5 10:00:00 supervisord: x"
