"""NOTIFY_SOCKET: messages count only from the process and its descendants."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervisor_tools.runtime import notifysock
from supervisor_tools.runtime.notifysock import NotifySocket, descends_from, parent_of, parse


def send(address: str, message: bytes) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto(message, "\0" + address[1:])


def test_parse_reads_assignments_and_skips_junk() -> None:
    assert parse(b"READY=1\nSTATUS=a=b\n\njunk\n=x") == {"READY": "1", "STATUS": "a=b"}


def test_descent_follows_parents() -> None:
    parents = {30: 20, 20: 10, 10: 1, 99: 1}
    assert descends_from(30, 10, parents.__getitem__)
    assert descends_from(10, 10, parents.__getitem__)
    assert not descends_from(99, 10, parents.__getitem__)
    assert not descends_from(30, 0, parents.__getitem__)
    assert parent_of(os.getpid()) == os.getppid()
    assert parent_of(2 ** 22 + 12345) == 0  # no such process


@given(st.dictionaries(st.from_regex(r"[A-Z_]{1,12}", fullmatch=True),
                       st.text(alphabet=st.characters(blacklist_characters="\n\x00",
                                                      blacklist_categories=("Cs",)),
                               max_size=30), max_size=5))
def test_parse_round_trips_what_sd_notify_sends(fields: dict[str, str]) -> None:
    message = "\n".join(f"{k}={v}" for k, v in fields.items()).encode()
    assert parse(message) == fields


def test_only_the_process_tree_is_heard() -> None:
    sock = NotifySocket("test")
    try:
        assert sock.address.startswith("@svtool/")
        send(sock.address, b"READY=1")  # from this process: heard for our own pid
        assert sock.receive(os.getpid()) == [{"READY": "1"}]
        # heard for a child of ours, we are its parent, not its descendant: dropped
        other = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                                 stdin=subprocess.PIPE)
        try:
            send(sock.address, b"READY=1")
            assert sock.receive(other.pid) == []
            assert sock.ignored == 1
        finally:
            assert other.stdin is not None
            other.stdin.close()
            other.wait(30)
        # a child of ours sends: a descendant of this process
        code = ("import socket, sys; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); "
                "s.sendto(b'STATUS=from child', '\\0' + sys.argv[1][1:]); "
                "sys.stdin.read()")  # stays alive until the message is read
        child = subprocess.Popen([sys.executable, "-c", code, sock.address],
                                 stdin=subprocess.PIPE)
        try:
            got: list[dict[str, str]] = []
            for _ in range(500):
                got += sock.receive(os.getpid())
                if got:
                    break
                time.sleep(0.01)
            assert got == [{"STATUS": "from child"}]
        finally:
            assert child.stdin is not None
            child.stdin.close()
            child.wait(30)
    finally:
        sock.close()


def test_a_flood_is_read_in_bounded_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    # the kernel queues only a few datagrams per socket (net.unix.max_dgram_qlen, 10 by
    # default), so the batch is made smaller than that here
    monkeypatch.setattr(notifysock, "_BATCH", 3)
    sock = NotifySocket("flood")
    try:
        for i in range(8):
            send(sock.address, f"STATUS={i}".encode())
        batches = [sock.receive(os.getpid()) for _ in range(4)]
        assert [len(b) for b in batches] == [3, 3, 2, 0]
        assert batches[2][-1] == {"STATUS": "7"}
    finally:
        sock.close()
