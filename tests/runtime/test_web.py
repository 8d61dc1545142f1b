"""The console's routes, CSRF check, Host check and actions over a real socket (no browser)."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervisor_tools.errors import Span
from supervisor_tools.model.model import (
    GroupConfig,
    InetHttpServerConfig,
    Model,
    ProcessConfig,
    SupervisordConfig,
    UnixHttpServerConfig,
)
from supervisor_tools.runtime.http import HttpServer
from supervisor_tools.runtime.rpc import NOT_DONE, Deferred, RPCError, make_dispatcher
from supervisor_tools.runtime.supervisor import Supervisor
from supervisor_tools.runtime.web.actions import outcome, then
from supervisor_tools.runtime.web.console import Console, asset, backlog, install
from supervisor_tools.runtime.web.exposure import check_exposure, exposed_servers, is_loopback
from supervisor_tools.runtime.web.hosts import host_name

SPAN = Span.point("test.conf")
SLEEP = "/bin/sleep 1000"


def proc(name: str, group: str, **kw: Any) -> ProcessConfig:
    kw.setdefault("command", SLEEP)
    return ProcessConfig(name=name, program=group, group=group, kind="program", process_num=0,
                         source=SPAN, autostart=False, startsecs=0, **kw)


def group(name: str, *procs: ProcessConfig) -> GroupConfig:
    return GroupConfig(name=name, kind="program", priority=999, processes=procs, source=SPAN)


class Client:
    def __init__(self, port: int, auth: str | None) -> None:
        self.port = port
        self.auth = auth

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        hdrs = dict(headers or {})
        if self.auth and "Authorization" not in hdrs:
            import base64

            hdrs["Authorization"] = "Basic " + base64.b64encode(self.auth.encode()).decode()
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data

    def status(self) -> dict[str, Any]:
        code, _, body = self.request("GET", "/api/status")
        assert code == 200
        result: dict[str, Any] = json.loads(body)
        return result

    def act(self, action: str, scope: str, name: str = "",
            token: str | None = None) -> tuple[int, dict[str, Any]]:
        token = self.status()["csrf"] if token is None else token
        body = json.dumps({"action": action, "scope": scope, "name": name}).encode()
        code, _, data = self.request("POST", "/api/action", body,
                                     {"X-CSRF-Token": token,
                                      "Content-Type": "application/json"})
        return code, json.loads(data)


def serve(tmp: Path, username: str | None = None) -> Iterator[tuple[Client, Supervisor]]:
    m = Model(main_file="test.conf", files=("test.conf",),
              supervisord=SupervisordConfig(source=SPAN, logfile=str(tmp / "main.log"),
                                            childlogdir=str(tmp)),
              groups=(group("solo", proc("solo", "solo")),
                      group("pool", proc("a", "pool"), proc("b", "pool"))))
    sup = Supervisor(m, lambda: m)
    sup._activate(sup.group_configs)
    server = HttpServer(sup, make_dispatcher(sup))
    install(server)
    cfg = InetHttpServerConfig(section="inet_http_server", source=SPAN, host="127.0.0.1",
                               port=0, username=username, password="pw" if username else None)
    server.open((cfg,))
    port = server.listeners[0][1].getsockname()[1]
    done = threading.Event()

    def reap() -> None:
        # SIGCHLD only reaches the main thread; this loop runs in another, so it looks itself.
        sup.reap()
        sup.loop.call_later(0.02, reap)

    def run() -> None:
        reap()
        while not done.is_set():
            sup.loop.run_once()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    try:
        yield Client(port, f"{username}:pw" if username else None), sup
    finally:
        done.set()
        sup.loop.wake()
        t.join(5)
        for _g, p in sup.all_processes():
            if p.pid:
                import os
                import signal

                os.kill(p.pid, signal.SIGKILL)
        server.close()
        sup.log.close()


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[Client, Supervisor]]:
    yield from serve(tmp_path)


@pytest.fixture
def authed(tmp_path: Path) -> Iterator[tuple[Client, Supervisor]]:
    yield from serve(tmp_path, "admin")


def test_page_and_assets_are_served_with_safety_headers(web: tuple[Client, Supervisor]) -> None:
    client, _ = web
    for path, ctype, marker in (("/", "text/html", b"console.js"),
                                ("/console.js", "text/javascript", b"textContent"),
                                ("/console.css", "text/css", b".state-running")):
        code, headers, body = client.request("GET", path)
        assert code == 200 and headers["content-type"].startswith(ctype) and marker in body
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
    assert client.request("GET", "/nosuch")[0] == 404
    assert client.request("POST", "/")[0] == 405
    # The XML-RPC routes still come first.
    assert client.request("GET", "/RPC2")[0] == 400


def test_script_never_parses_data_as_markup() -> None:
    js = asset("console.js").decode()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "new Function"):
        assert sink not in js
    assert "<script>" not in asset("index.html").decode().replace('<script src="console.js"', "")


def test_status_lists_groups_and_processes(web: tuple[Client, Supervisor]) -> None:
    client, _ = web
    data = client.status()
    assert data["state"] == "RUNNING" and data["mainlog"] is True and len(data["csrf"]) > 30
    assert [(g["name"], [p["namespec"] for p in g["processes"]]) for g in data["groups"]] == [
        ("pool", ["pool:a", "pool:b"]), ("solo", ["solo"])]
    solo = data["groups"][1]["processes"][0]
    assert solo["state"] == "STOPPED" and solo["pid"] == 0
    assert solo["description"] == "Not started" and solo["logs"] == ["stdout", "stderr"]


def test_actions_need_the_csrf_token(web: tuple[Client, Supervisor]) -> None:
    client, sup = web
    for token in ("", "forged"):
        code, reply = client.act("start", "process", "solo", token=token)
        assert code == 403 and not reply["ok"]
    code, _, _ = client.request("POST", "/api/action",
                                json.dumps({"action": "start", "scope": "process",
                                            "name": "solo"}).encode())
    assert code == 403
    assert client.request("GET", "/api/action?action=start&scope=process&name=solo")[0] == 405
    assert sup.groups["solo"].processes["solo"].state.name == "STOPPED"


def test_start_stop_restart_and_clear(web: tuple[Client, Supervisor]) -> None:
    client, _ = web
    assert client.act("start", "process", "solo") == (200, {"ok": True, "message": "done"})
    pid = client.status()["groups"][1]["processes"][0]["pid"]
    assert pid > 0
    code, reply = client.act("start", "process", "solo")
    assert code == 200 and not reply["ok"] and reply["message"].startswith("ALREADY_STARTED")
    assert client.act("restart", "process", "solo")[1]["ok"]
    after = client.status()["groups"][1]["processes"][0]
    assert after["state"] == "RUNNING" and after["pid"] not in (0, pid)
    assert client.act("stop", "process", "solo")[1]["ok"]
    assert client.act("restart", "process", "solo")[1]["ok"]  # from STOPPED: just starts
    assert client.act("clearlog", "process", "solo")[1]["ok"]
    assert client.act("clearlog", "group", "pool")[1] == {"ok": True,
                                                          "message": "2 process(es) done"}
    assert client.act("start", "group", "pool")[1]["ok"]
    assert {p["state"] for p in client.status()["groups"][0]["processes"]} == {"RUNNING"}
    assert client.act("restart", "all")[1]["ok"]
    assert client.act("stop", "all")[1]["ok"]
    assert {p["state"] for g in client.status()["groups"] for p in g["processes"]} == {
        "STOPPED"}
    assert client.act("clearlog", "all")[1]["ok"]


@pytest.mark.parametrize(("body", "message"), [
    (b"not json", "Expecting value"),
    (b"[1]", "expected a JSON object"),
    (json.dumps({"action": "explode", "scope": "all"}).encode(), "unknown action"),
    (json.dumps({"action": "start", "scope": "process"}).encode(), "name is needed"),
])
def test_malformed_actions(web: tuple[Client, Supervisor], body: bytes, message: str) -> None:
    client, _ = web
    token = client.status()["csrf"]
    code, _, data = client.request("POST", "/api/action", body, {"X-CSRF-Token": token})
    assert code == 400 and message in json.loads(data)["message"]


def test_unknown_names_are_reported(web: tuple[Client, Supervisor]) -> None:
    client, _ = web
    for scope in ("process", "group"):
        code, reply = client.act("stop", scope, "nosuch")
        assert code == 200 and not reply["ok"] and "BAD_NAME" in reply["message"]
    assert "BAD_NAME" in client.act("clearlog", "group", "nosuch")[1]["message"]


def test_without_password_only_local_host_names(web: tuple[Client, Supervisor]) -> None:
    client, _ = web
    for host in ("evil.example", "evil.example:80", "127.0.0.1.nip.io", ""):
        code, _, _ = client.request("GET", "/api/status", headers={"Host": host})
        assert code == 421, host
    for host in ("127.0.0.1", f"127.0.0.1:{client.port}", "localhost:9001", "[::1]:9001",
                 "app.localhost"):
        code, _, _ = client.request("GET", "/api/status", headers={"Host": host})
        assert code == 200, host


def test_with_password_auth_comes_first(authed: tuple[Client, Supervisor]) -> None:
    client, _ = authed
    anonymous = Client(client.port, None)
    for method, path in (("GET", "/"), ("GET", "/api/status"), ("POST", "/api/action"),
                         ("GET", "/api/log/solo/stdout"), ("GET", "/api/mainlog")):
        assert anonymous.request(method, path)[0] == 401
    assert Client(client.port, "admin:nope").request("GET", "/")[0] == 401
    assert client.request("GET", "/", headers={"Host": "any.example"})[0] == 200
    assert client.act("start", "process", "solo")[1]["ok"]


def test_log_streams(web: tuple[Client, Supervisor], tmp_path: Path) -> None:
    client, sup = web
    assert client.act("start", "process", "solo")[1]["ok"]
    proc = sup.groups["solo"].processes["solo"]
    log = proc.logs["stdout"]
    assert log is not None
    log.write(b"before\n")
    with socket.create_connection(("127.0.0.1", client.port), timeout=10) as sock:
        sock.sendall(b"GET /api/log/solo/stdout HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received = b""
        while b"before\n" not in received:
            received += sock.recv(4096)
        assert received.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"Transfer-Encoding: chunked" in received
        log.write(b"hello <b>\n")
        received = b""
        while not received.endswith(b"\r\n") or b"hello" not in received:
            received += sock.recv(4096)
        assert received == b"a\r\nhello <b>\n\r\n"
    for path in ("/api/log/solo/nosuch", "/api/log/nosuch/stdout", "/api/log/solo"):
        assert client.request("GET", path)[0] == 404
    main = http.client.HTTPConnection("127.0.0.1", client.port, timeout=10)
    main.request("GET", "/api/mainlog")
    resp = main.getresponse()
    assert resp.status == 200
    main.close()


@given(st.binary(max_size=300), st.integers(min_value=1, max_value=100))
def test_backlog_is_a_suffix_cut_at_a_line(tmp_path_factory: pytest.TempPathFactory,
                                           data: bytes, n: int) -> None:
    path = tmp_path_factory.mktemp("bl") / "log"
    path.write_bytes(data)
    window = data[-n:]
    expected = window
    if len(data) > n and b"\n" in window:  # a line cut short is dropped, unless it is all
        expected = window[window.index(b"\n") + 1:]
    assert backlog(str(path), n) == expected


def test_backlog_of_missing_file() -> None:
    assert backlog("/nonexistent/log", 10) == b""


@pytest.mark.parametrize(("header", "name"), [
    ("localhost:9001", "localhost"), ("[::1]:9001", "::1"), ("[::1]", "::1"),
    ("Example.COM", "example.com"), ("::1", "::1"), ("[broken", ""),
])
def test_host_name(header: str, name: str) -> None:
    assert host_name(header) == name


def test_then_chains_deferred_replies() -> None:
    steps: list[Any] = [NOT_DONE, "first"]
    second: list[Any] = [NOT_DONE, "second"]
    chained = then(Deferred(lambda: steps.pop(0)),
                   lambda v: Deferred(lambda: (v, second.pop(0))[1]))
    assert isinstance(chained, Deferred)
    assert chained.poll() is NOT_DONE
    assert chained.poll() is NOT_DONE
    assert chained.poll() == "second"
    assert then(True, lambda v: ("after", v)) == ("after", True)


def test_outcome() -> None:
    assert outcome(True) == (True, "done")
    assert outcome([]) == (True, "nothing to do")
    assert outcome(RPCError("BAD_NAME", "x")) == (False, "BAD_NAME: x")
    ok, msg = outcome([{"name": "a", "group": "g", "status": 80, "description": "OK"},
                       {"name": "b", "group": "g", "status": 70, "description": "NOT_RUNNING"}])
    assert not ok and msg == "g:b: NOT_RUNNING"


# -- refusing an open network listener ----------------------------------------------------------

@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("LocalHost", True), ("", False), ("*", False), ("0.0.0.0", False),
    ("::", False), ("10.0.0.1", False), ("192.168.1.2", False), ("2001:db8::1", False),
])
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@given(st.ip_addresses())
def test_is_loopback_matches_the_address_class(addr: Any) -> None:
    assert is_loopback(str(addr)) is addr.is_loopback


def inet(host: str, username: str | None = None, password: str | None = None,
         ) -> InetHttpServerConfig:
    return InetHttpServerConfig(section="inet_http_server", source=SPAN, host=host, port=9001,
                                username=username, password=password,
                                spans={"port": Span("c.conf", 7, 1, 7, 15)})


def servers_model(*servers: Any) -> Model:
    return Model(main_file="c.conf", files=("c.conf",), supervisord=None, groups=(),
                 servers=servers)


def test_exposure_check() -> None:
    unix = UnixHttpServerConfig(section="unix_http_server", source=SPAN, file="/tmp/x.sock")
    safe = servers_model(unix, inet("127.0.0.1"), inet("*", "u", "p"), inet("::1"))
    assert exposed_servers(safe) == []
    check_exposure(safe, allow=False)
    for bad in (inet("*"), inet(""), inet("0.0.0.0", "user"), inet("10.1.2.3", None, "p")):
        model = servers_model(unix, bad)
        assert exposed_servers(model) == [bad]
        with pytest.raises(Exception) as info:
            check_exposure(model, allow=False)
        text = str(info.value)
        assert text.startswith("c.conf:7:1: [inet_http_server] would listen on")
        assert "--allow-insecure-http" in text and "password" in text
        check_exposure(model, allow=True)


def test_console_install_appends_a_catch_all_route(tmp_path: Path) -> None:
    m = Model(main_file="t", files=("t",), supervisord=SupervisordConfig(
        source=SPAN, logfile=str(tmp_path / "m.log")), groups=())
    sup = Supervisor(m, lambda: m)
    server = HttpServer(sup, make_dispatcher(sup))
    before = [p for p, _ in server.routes]
    console = install(server)
    assert isinstance(console, Console)
    assert [p for p, _ in server.routes] == [*before, "/"]
    sup.log.close()


def test_served_on_the_unix_socket_too(tmp_path: Path) -> None:
    m = Model(main_file="t", files=("t",), supervisord=SupervisordConfig(
        source=SPAN, logfile=str(tmp_path / "m.log")), groups=())
    sup = Supervisor(m, lambda: m)
    server = HttpServer(sup, make_dispatcher(sup))
    install(server)
    path = str(tmp_path / "s.sock")
    server.open((UnixHttpServerConfig(section="unix_http_server", source=SPAN, file=path),))
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(path)
            sock.sendall(b"GET /api/status HTTP/1.1\r\nHost: localhost\r\n"
                         b"Connection: close\r\n\r\n")
            sock.setblocking(False)
            received = b""
            deadline = time.monotonic() + 10
            while not received.endswith(b"}") and time.monotonic() < deadline:
                sup.loop.call_later(0.05, lambda: None)  # bound each wait of this one thread
                sup.loop.run_once()
                with contextlib.suppress(BlockingIOError):
                    received += sock.recv(65536)
        head, _, body = received.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK") and json.loads(body)["groups"] == []
    finally:
        server.close()
        sup.log.close()
