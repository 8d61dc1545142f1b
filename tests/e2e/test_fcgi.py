"""`[fcgi-program:x]`: one listening socket per group, every process accepting on its fd 0."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from tests.e2e.conftest import Supervisor, pyfile

# Answers each connection with its process name and what its fd 0 is.
ACCEPTOR = """
    import os, socket, stat
    listener = socket.socket(fileno=0)
    kind = 'socket' if stat.S_ISSOCK(os.fstat(0).st_mode) else 'other'
    while True:
        conn, _ = listener.accept()
        conn.sendall((os.environ['SUPERVISOR_PROCESS_NAME'] + ' ' + kind).encode())
        conn.close()
"""


def ask(family: int, address: str | tuple[str, int]) -> str:
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(address)
        chunks = []
        while data := s.recv(1024):
            chunks.append(data)
    return b"".join(chunks).decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unix_socket_is_every_process_stdin(sup: Supervisor, tmp_path: Path) -> None:
    path = tmp_path / "fcgi.sock"
    sup.start(f"""
        [fcgi-program:app]
        command={pyfile(tmp_path, "acceptor", ACCEPTOR)}
        socket=unix://{path}
        socket_mode=0660
        process_name=%(program_name)s_%(process_num)d
        numprocs=2
        startsecs=0
        """)
    sup.wait_state("app:app_0", "RUNNING")
    sup.wait_state("app:app_1", "RUNNING")
    assert stat.S_ISSOCK(path.stat().st_mode)
    assert stat.S_IMODE(path.stat().st_mode) == 0o660
    seen = {ask(socket.AF_UNIX, str(path)) for _ in range(30)}
    assert seen <= {"app_0 socket", "app_1 socket"} and seen
    # No stdin pipe: there is nothing to write to.
    with pytest.raises(Exception, match="NO_FILE|NOT_RUNNING|FAILED"):
        sup.rpc().supervisor.sendProcessStdin("app:app_0", "x")
    sup.ctl("stop", "app:*", check=True)
    sup.ctl("remove", "app", check=True)
    with pytest.raises(OSError):
        ask(socket.AF_UNIX, str(path))


def test_tcp_socket_and_default_mode(sup: Supervisor, tmp_path: Path) -> None:
    port = free_port()
    path = tmp_path / "plain.sock"
    sup.start(f"""
        [fcgi-program:tcp]
        command={pyfile(tmp_path, "acceptor", ACCEPTOR)}
        socket=tcp://127.0.0.1:{port}
        startsecs=0

        [fcgi-program:plain]
        command={pyfile(tmp_path, "acceptor", ACCEPTOR)}
        socket=unix://{path}
        startsecs=0
        """)
    sup.wait_state("tcp", "RUNNING")
    sup.wait_state("plain", "RUNNING")
    assert ask(socket.AF_INET, ("127.0.0.1", port)) == "tcp socket"
    assert ask(socket.AF_UNIX, str(path)) == "plain socket"
    assert stat.S_IMODE(path.stat().st_mode) == 0o700


def test_socket_outlives_a_restart_of_its_process(sup: Supervisor, tmp_path: Path) -> None:
    path = tmp_path / "fcgi.sock"
    sup.start(f"""
        [fcgi-program:app]
        command={pyfile(tmp_path, "acceptor", ACCEPTOR)}
        socket=unix://{path}
        startsecs=0
        """)
    first = sup.wait_state("app", "RUNNING")["pid"]
    assert ask(socket.AF_UNIX, str(path)) == "app socket"
    os.kill(first, 9)
    sup.wait(lambda: sup.info("app")["pid"] not in (0, first), what="a new pid")
    sup.wait_state("app", "RUNNING")
    assert ask(socket.AF_UNIX, str(path)) == "app socket"
