"""FastCGI sockets: addresses, ownership and mode, and a group whose socket cannot be made."""

from __future__ import annotations

import os
import pwd
import socket
import stat
from pathlib import Path

import pytest

from supervisor_tools.errors import Span
from supervisor_tools.model.model import GroupConfig, Model, ProcessConfig, SupervisordConfig
from supervisor_tools.runtime.fcgi import FcgiError, FcgiSocket, owner_ids, parse_url
from supervisor_tools.runtime.supervisor import Supervisor

SPAN = Span.point("test.conf")


def fcgi_group(url: str, **kw: object) -> GroupConfig:
    pc = ProcessConfig(name="app", program="app", group="app", kind="fcgi-program",
                       process_num=0, source=SPAN, command="/bin/cat", autostart=False)
    return GroupConfig(name="app", kind="fcgi-program", priority=999, processes=(pc,),
                       source=SPAN, socket=url, **kw)  # type: ignore[arg-type]


def test_parse_url() -> None:
    assert parse_url("unix:///run/app.sock").unix_path == "/run/app.sock"
    tcp = parse_url("tcp://LocalHost:9000")
    assert (tcp.family, tcp.host, tcp.port) == (socket.AF_INET, "localhost", 9000)
    assert parse_url("tcp://*:9000").host == ""  # every interface
    with pytest.raises(FcgiError):
        parse_url("udp://x:1")


def test_owner_ids() -> None:
    nobody = pwd.getpwnam("nobody")
    assert owner_ids(None, None) is None
    assert owner_ids("nobody", None) == (nobody.pw_uid, nobody.pw_gid)
    assert owner_ids(f"{nobody.pw_uid}:0", None) == (nobody.pw_uid, 0)
    me = pwd.getpwuid(os.getuid()).pw_name
    assert owner_ids(None, me) is None  # the program runs as us: nothing to change
    with pytest.raises(FcgiError, match="Invalid socket_owner"):
        owner_ids("no-such-user-here", None)


def test_unix_socket_mode_backlog_and_cleanup(tmp_path: Path) -> None:
    path = tmp_path / "app.sock"
    path.write_text("stale")  # a leftover file is replaced
    s = FcgiSocket(fcgi_group(f"unix://{path}", socket_mode=0o660, socket_backlog=5))
    assert stat.S_ISSOCK(path.stat().st_mode) and stat.S_IMODE(path.stat().st_mode) == 0o660
    with socket.socket(socket.AF_UNIX) as c:
        c.connect(str(path))  # listening
    s.close()
    assert not path.exists()
    s.close()  # twice is harmless


def test_a_socket_that_cannot_be_made_keeps_its_group_out(tmp_path: Path) -> None:
    url = f"unix://{tmp_path}/missing-dir/app.sock"
    with pytest.raises(FcgiError, match=f"Could not create FastCGI socket {url}: "):
        FcgiSocket(fcgi_group(url))
    sd = SupervisordConfig(source=SPAN, logfile=str(tmp_path / "main.log"),
                           childlogdir=str(tmp_path))
    m = Model(main_file="test.conf", files=("test.conf",), supervisord=sd,
              groups=(fcgi_group(url),))
    sup = Supervisor(m, lambda: m)
    sup.start()
    try:
        assert "app" not in sup.groups
        sup.log.flush()
        assert f"CRIT Could not create FastCGI socket {url}" in (tmp_path / "main.log").read_text()
    finally:
        sup.set_state(sup.state.SHUTDOWN)
        sup._cleanup()
