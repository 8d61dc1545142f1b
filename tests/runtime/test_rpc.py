"""XML-RPC method shapes and fault codes, on a hand-built model (no config parsing)."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import os
import signal
import threading
import time
import xmlrpc.client
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
)
from supervisor_tools.runtime.http import HttpServer, check_password
from supervisor_tools.runtime.rpc import FAULTS, Deferred, Dispatcher, make_dispatcher, uptime
from supervisor_tools.runtime.stdin import STDIN_BUFFER_MAX
from supervisor_tools.runtime.supervisor import Supervisor
from supervisor_tools.runtime.xmlenc import dump_fault, dump_response

SPAN = Span.point("test.conf")
INFO_KEYS = {"name", "group", "start", "stop", "now", "state", "statename", "spawnerr",
             "exitstatus", "logfile", "stdout_logfile", "stderr_logfile", "pid", "description"}
CONFIG_KEYS = {
    "autostart", "command", "directory", "exitcodes", "group", "group_prio", "inuse",
    "killasgroup", "name", "process_prio", "redirect_stderr", "serverurl", "startretries",
    "startsecs", "stopsignal", "stopwaitsecs", "uid",
    *(f"{ch}_{k}" for ch in ("stdout", "stderr") for k in (
        "capture_maxbytes", "events_enabled", "logfile", "logfile_backups", "logfile_maxbytes",
        "syslog")),
}


def proc(name: str, group: str, command: str = "/bin/cat", **kw: Any) -> ProcessConfig:
    return ProcessConfig(name=name, program=group, group=group, kind="program", process_num=0,
                         source=SPAN, command=command, autostart=False, **kw)


def model(tmp: Path, *groups: GroupConfig) -> Model:
    sd = SupervisordConfig(source=SPAN, logfile=str(tmp / "main.log"), childlogdir=str(tmp))
    return Model(main_file="test.conf", files=("test.conf",), supervisord=sd, groups=groups)


def group(name: str, *procs: ProcessConfig, priority: int = 999) -> GroupConfig:
    return GroupConfig(name=name, kind="program", priority=priority, processes=procs,
                       source=SPAN)


@pytest.fixture
def rpc(tmp_path: Path) -> Iterator[tuple[Supervisor, Dispatcher]]:
    m = model(tmp_path,
              group("web", proc("web", "web")),
              group("pool", proc("pool_0", "pool"), proc("pool_1", "pool"), priority=5),
              group("missing", proc("missing", "missing", command="/no/such/binary")),
              group("notexec", proc("notexec", "notexec", command=str(tmp_path))))
    sup = Supervisor(m, lambda: m)
    sup._activate(sup.group_configs)
    yield sup, make_dispatcher(sup)
    sup.log.close()


def fault(d: Dispatcher, method: str, *params: Any) -> tuple[int, str]:
    try:
        value = d.call(method, params)
    except Exception as exc:  # RPCError
        return exc.code, exc.text  # type: ignore[attr-defined]
    raise AssertionError(f"{method} returned {value!r}")


def test_versions_and_identity(rpc: tuple[Supervisor, Dispatcher]) -> None:
    _, d = rpc
    assert d.call("supervisor.getAPIVersion", ()) == "3.0"
    assert d.call("supervisor.getVersion", ()) == "3.0"
    assert d.call("supervisor.getSupervisorVersion", ()) == "4.3.0"
    assert d.call("supervisor.getIdentification", ()) == "supervisor"
    assert d.call("supervisor.getState", ()) == {"statecode": 1, "statename": "RUNNING"}


def test_process_info_shape_and_order(rpc: tuple[Supervisor, Dispatcher]) -> None:
    _, d = rpc
    infos = d.call("supervisor.getAllProcessInfo", ())
    assert [(i["group"], i["name"]) for i in infos] == [
        ("missing", "missing"), ("notexec", "notexec"), ("pool", "pool_0"), ("pool", "pool_1"),
        ("web", "web")]
    for info in infos:
        assert set(info) == INFO_KEYS
        assert info["statename"] == "STOPPED" and info["description"] == "Not started"
        assert info["pid"] == 0 and info["exitstatus"] == 0 and info["spawnerr"] == ""
        assert "---supervisor-" in info["stdout_logfile"]  # AUTO log path
    assert d.call("supervisor.getProcessInfo", ("pool:pool_1",))["name"] == "pool_1"


def test_config_info_shape(rpc: tuple[Supervisor, Dispatcher]) -> None:
    _, d = rpc
    infos = d.call("supervisor.getAllConfigInfo", ())
    assert [i["name"] for i in infos] == sorted(i["name"] for i in infos)
    web = next(i for i in infos if i["name"] == "web")
    assert set(web) == CONFIG_KEYS
    assert web["stdout_logfile"] == "auto" and web["directory"] == "none"
    assert web["stopsignal"] == 15 and web["exitcodes"] == [0] and web["inuse"] is True
    assert web["group_prio"] == 999 and web["uid"] == "none" and web["serverurl"] == "auto"


@pytest.mark.parametrize(("method", "params", "code"), [
    ("supervisor.getProcessInfo", ("nosuch",), "BAD_NAME"),
    ("supervisor.getProcessInfo", ("pool:*",), "BAD_NAME"),
    ("supervisor.startProcess", ("nosuch",), "BAD_NAME"),
    ("supervisor.startProcess", ("missing",), "NO_FILE"),
    ("supervisor.startProcess", ("notexec",), "NOT_EXECUTABLE"),
    ("supervisor.startProcessGroup", ("nosuch",), "BAD_NAME"),
    ("supervisor.stopProcess", ("web",), "NOT_RUNNING"),
    ("supervisor.signalProcess", ("web", "NOPE"), "BAD_SIGNAL"),
    ("supervisor.signalProcess", ("web", "HUP"), "NOT_RUNNING"),
    ("supervisor.readLog", (-5, 3), "BAD_ARGUMENTS"),
    ("supervisor.readProcessStdoutLog", ("nosuch", 0, 0), "BAD_NAME"),
    ("supervisor.addProcessGroup", ("web",), "ALREADY_ADDED"),
    ("supervisor.addProcessGroup", ("nosuch",), "BAD_NAME"),
    ("supervisor.removeProcessGroup", ("nosuch",), "BAD_NAME"),
    ("supervisor.sendProcessStdin", ("web", "x"), "NOT_RUNNING"),
    ("supervisor.getProcessInfo", (), "INCORRECT_PARAMETERS"),
    ("supervisor.getState", (1,), "INCORRECT_PARAMETERS"),
    ("supervisor.nosuch", (), "UNKNOWN_METHOD"),
    ("nodots", (), "UNKNOWN_METHOD"),
    ("system.methodHelp", ("supervisor.nosuch",), "SIGNATURE_UNSUPPORTED"),
])
def test_faults(rpc: tuple[Supervisor, Dispatcher], method: str, params: tuple[Any, ...],
                code: str) -> None:
    _, d = rpc
    got, text = fault(d, method, *params)
    assert got == FAULTS[code] and text.startswith(code)


def test_fault_text_names_the_process(rpc: tuple[Supervisor, Dispatcher]) -> None:
    _, d = rpc
    assert fault(d, "supervisor.getProcessInfo", "nosuch") == (10, "BAD_NAME: nosuch")
    assert fault(d, "supervisor.startProcess", "missing") == (
        20, "NO_FILE: can't find command '/no/such/binary'")


def test_group_results_are_result_structs(rpc: tuple[Supervisor, Dispatcher]) -> None:
    _, d = rpc
    assert d.call("supervisor.stopProcessGroup", ("pool",)) == []  # nothing running
    results = d.call("supervisor.signalAllProcesses", ("HUP",))
    assert results == []
    results = d.call("supervisor.clearAllProcessLogs", ())
    assert {r["status"] for r in results} == {80}
    assert set(results[0]) == {"name", "group", "status", "description"}
    assert results[0]["description"] == "OK"


def test_logs_of_a_quiet_process_read_empty(rpc: tuple[Supervisor, Dispatcher]) -> None:
    _, d = rpc
    assert d.call("supervisor.readProcessStdoutLog", ("web", -100, 0)) == ""
    assert d.call("supervisor.tailProcessStderrLog", ("web", 0, 100)) == ["", 0, False]


def test_main_log_read_and_clear(rpc: tuple[Supervisor, Dispatcher]) -> None:
    sup, d = rpc
    sup.log.info("hello there")
    sup.log.flush()
    assert "INFO hello there" in d.call("supervisor.readLog", (-200, 0))
    assert d.call("supervisor.clearLog", ()) is True
    sup.log.flush()
    assert "hello there" not in d.call("supervisor.readLog", (0, 0))


def test_remove_and_add_group(rpc: tuple[Supervisor, Dispatcher]) -> None:
    sup, d = rpc
    assert d.call("supervisor.removeProcessGroup", ("pool",)) is True
    assert "pool" not in sup.groups
    assert d.call("supervisor.addProcessGroup", ("pool",)) is True
    assert "pool" in sup.groups


def test_reload_config_diff_and_cant_reread(tmp_path: Path) -> None:
    before = model(tmp_path, group("a", proc("a", "a")), group("b", proc("b", "b")))
    after = model(tmp_path, group("a", proc("a", "a", command="/bin/cat -u")),
                  group("c", proc("c", "c")))
    answers: list[Model | list[str]] = [after, ["conf:1:1: broken"]]
    sup = Supervisor(before, lambda: answers.pop(0))
    sup._activate(sup.group_configs)
    d = make_dispatcher(sup)
    assert d.call("supervisor.reloadConfig", ()) == [[["c"], ["a"], ["b"]]]
    assert fault(d, "supervisor.reloadConfig") == (92, "CANT_REREAD: conf:1:1: broken")
    sup.log.close()


def test_restart_into_an_invalid_config_is_refused_before_anything_stops(
        tmp_path: Path) -> None:
    start = model(tmp_path, group("a", proc("a", "a")))
    after = model(tmp_path, group("b", proc("b", "b")))
    answers: list[Model | list[str]] = [["conf:3:1: broken", "conf:4:1: also"], after]
    sup = Supervisor(start, lambda: answers.pop(0))
    sup._activate(sup.group_configs)
    d = make_dispatcher(sup)
    assert fault(d, "supervisor.restart") == (92, "CANT_REREAD: conf:3:1: broken\nconf:4:1: also")
    assert d.call("supervisor.getState", ()) == {"statecode": 1, "statename": "RUNNING"}
    assert list(sup.groups) == ["a"]
    assert d.call("supervisor.restart", ()) is True  # valid now: the model it switches to
    sup._after_batch()
    assert list(sup.groups) == ["b"] and answers == []
    sup.log.close()


def test_send_process_stdin_faults_past_its_buffer_and_after_the_reader_left(
        tmp_path: Path) -> None:
    deaf = proc("deaf", "deaf", command="/bin/sleep 30")  # never reads its stdin
    quitter = proc("quitter", "quitter", command="/bin/sh -c 'exec 0<&-; sleep 30'")
    listener = dataclasses.replace(proc("ear", "ear", command="/bin/sleep 30"),
                                   kind="eventlistener")
    ears = GroupConfig(name="ear", kind="eventlistener", priority=1, processes=(listener,),
                       source=SPAN, events=("PROCESS_STATE",))
    m = model(tmp_path, group("deaf", deaf), group("quitter", quitter), ears)
    sup = Supervisor(m, lambda: m)
    sup._activate(sup.group_configs)
    d = make_dispatcher(sup)
    try:
        for name in ("deaf", "quitter", "ear"):
            assert d.call("supervisor.startProcess", (name, False)) is True
        assert fault(d, "supervisor.sendProcessStdin", "ear", "x") == (
            FAULTS["FAILED"], "FAILED: ear: an event listener's stdin carries its events")
        assert d.call("supervisor.sendProcessStdin", ("deaf", "x" * STDIN_BUFFER_MAX)) is True
        code, text = fault(d, "supervisor.sendProcessStdin", "deaf", "x" * 100_000)
        assert code == FAULTS["FAILED"] and text.startswith("FAILED: deaf: stdin buffer full")
        time.sleep(0.3)  # the shell has closed its stdin
        assert fault(d, "supervisor.sendProcessStdin", "quitter", "x") == (
            FAULTS["NO_FILE"], "NO_FILE: quitter")
    finally:
        for _group, p in sup.all_processes():
            if p.pid:
                os.kill(p.pid, signal.SIGKILL)
                os.waitpid(p.pid, 0)
        sup.log.close()


def test_shutdown_state_refuses_further_calls(rpc: tuple[Supervisor, Dispatcher]) -> None:
    _, d = rpc
    assert d.call("supervisor.shutdown", ()) is True
    assert fault(d, "supervisor.getAllProcessInfo")[0] == FAULTS["SHUTDOWN_STATE"]
    assert d.call("supervisor.getAPIVersion", ()) == "3.0"


def test_system_methods(rpc: tuple[Supervisor, Dispatcher]) -> None:
    _, d = rpc
    names = d.call("system.listMethods", ())
    assert names == sorted(names)
    for needed in ("supervisor.getAllProcessInfo", "supervisor.startProcessGroup",
                   "supervisor.tailProcessStdoutLog", "supervisor.readMainLog",
                   "system.multicall", "system.methodSignature"):
        assert needed in names
    assert d.call("system.methodSignature", ("supervisor.getProcessInfo",)) == [
        "struct", "string"]
    assert "@param string name" in d.call("system.methodHelp", ("supervisor.getProcessInfo",))


def test_multicall(rpc: tuple[Supervisor, Dispatcher]) -> None:
    _, d = rpc
    result = d.call("system.multicall", ([
        {"methodName": "supervisor.getAPIVersion", "params": []},
        {"methodName": "supervisor.getProcessInfo", "params": ["nosuch"]},
        {"methodName": "system.multicall", "params": [[]]},
    ],))
    assert not isinstance(result, Deferred)
    assert result[0] == "3.0"
    assert result[1] == {"faultCode": 10, "faultString": "BAD_NAME: nosuch"}
    assert result[2]["faultCode"] == FAULTS["INCORRECT_PARAMETERS"]


# XML 1.0 cannot carry control characters (with any encoder) and folds \r into \n.
xml_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")))
values = st.recursive(
    st.one_of(xml_text, st.integers(-2**31, 2**31 - 1), st.booleans()),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(xml_text, inner, max_size=4)),
    max_leaves=12)


@given(values)
def test_encoder_round_trips_through_the_standard_parser(value: Any) -> None:
    (decoded,), _ = xmlrpc.client.loads(dump_response(value))
    assert decoded == value


def test_fault_encoding() -> None:
    with pytest.raises(xmlrpc.client.Fault) as info:
        xmlrpc.client.loads(dump_fault(10, "BAD_NAME: x"))
    assert (info.value.faultCode, info.value.faultString) == (10, "BAD_NAME: x")


def test_sha_passwords() -> None:
    digest = hashlib.sha1(b"secret").hexdigest()
    assert check_password("{SHA}" + digest, "secret")
    assert not check_password("{SHA}" + digest, "other")
    assert check_password("plain", "plain") and not check_password("plain", "Plain")


@pytest.fixture
def inet(tmp_path: Path) -> Iterator[tuple[int, Supervisor]]:
    m = model(tmp_path, group("web", proc("web", "web")))
    sup = Supervisor(m, lambda: m)
    sup._activate(sup.group_configs)
    server = HttpServer(sup, make_dispatcher(sup))
    cfg = InetHttpServerConfig(section="inet_http_server", source=SPAN, host="127.0.0.1",
                               port=0, username="admin",
                               password="{SHA}" + hashlib.sha1(b"pw").hexdigest())
    server.open((cfg,))
    port = server.listeners[0][1].getsockname()[1]
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            sup.loop.run_once()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield port, sup
    done.set()
    sup.loop.wake()
    t.join(5)
    server.close()
    sup.log.close()


def test_http_basic_auth_with_sha_password(inet: tuple[int, Supervisor]) -> None:
    port, _ = inet
    good = xmlrpc.client.ServerProxy(f"http://admin:pw@127.0.0.1:{port}/RPC2")
    assert good.supervisor.getAPIVersion() == "3.0"
    assert len(good.supervisor.getAllProcessInfo()) == 1
    bad = xmlrpc.client.ServerProxy(f"http://admin:nope@127.0.0.1:{port}/RPC2")
    with pytest.raises(xmlrpc.client.ProtocolError) as info:
        bad.supervisor.getAPIVersion()
    assert info.value.errcode == 401
    anonymous = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/RPC2")
    with pytest.raises(xmlrpc.client.ProtocolError):
        anonymous.supervisor.getAPIVersion()


@given(st.integers(0, 2**31))
def test_uptime_reads_like_supervisord_s_timedelta(seconds: int) -> None:
    assert uptime(seconds) == str(datetime.timedelta(seconds=seconds))
