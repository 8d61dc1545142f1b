"""`/metrics` of `svtool run`: every scrape parsed by prometheus_client, its values checked
against getAllProcessInfo and against what the test made the children do."""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from supervisor_tools.runtime import metricdefs
from tests.e2e.conftest import SLEEPER_CMD, Supervisor, pyfile
from tests.e2e.metrics_client import PASSWORD, USER, Guarded, free_port, get, parse, scrape, value


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[Guarded]:
    s = Guarded(tmp_path)
    yield s
    s.stop()


def test_types_and_help_are_those_defined(svtool: Supervisor) -> None:
    svtool.start(f"[program:web]\ncommand={SLEEPER_CMD}\nstartsecs=0\n")
    svtool.wait_state("web", "RUNNING")
    status, _headers, body = get(svtool.sock)
    assert status == 200
    types, samples = parse(body)
    for metric in metricdefs.METRICS:
        family = metric.name.removesuffix("_total") if metric.type == "counter" else metric.name
        assert types[family] == metric.type, metric.name
        assert f"# HELP {metric.name} {metric.help}\n" in body.decode()
    assert value(samples, "supervisord_up") == 1
    assert 'node_supervisord_start_time_seconds{name="web",group="web"} ' in body.decode()
    assert value(samples, "supervisord_info", version="4.3.0") == 1


def test_values_follow_the_process_table(svtool: Supervisor) -> None:
    echo = pyfile(svtool.tmp, "echo", """\
        import sys
        sys.stdout.write('x' * 1000)
        sys.stderr.write('y' * 500)
        sys.exit(3)
        """)
    svtool.start(f"""
        [program:web]
        command={SLEEPER_CMD}
        startsecs=0

        [program:pool]
        command={SLEEPER_CMD}
        process_name=%(program_name)s_%(process_num)d
        numprocs=2
        startsecs=1

        [program:missing]
        command=/no/such/binary
        startretries=1

        [program:echo]
        command={echo}
        startsecs=0
        autorestart=false
        """)
    for name in ("web", "pool:pool_0", "pool:pool_1"):
        svtool.wait_state(name, "RUNNING")
    svtool.wait_state("echo", "EXITED")
    svtool.wait_state("missing", "FATAL", timeout=30)
    samples = scrape(svtool.sock)
    infos = svtool.rpc().supervisor.getAllProcessInfo()
    assert len(infos) == 5
    for info in infos:
        labels = {"name": info["name"], "group": info["group"]}
        up = info["statename"] in ("STARTING", "RUNNING", "STOPPING")
        assert value(samples, "node_supervisord_state", **labels) == info["state"]
        assert value(samples, "node_supervisord_exit_status", **labels) == info["exitstatus"]
        assert value(samples, "node_supervisord_up", **labels) == (1 if up else 0)
        # The parser names every counter sample *_total; the exposition has node_exporter's
        # own name (test_types_and_help_are_those_defined).
        assert value(samples, "node_supervisord_start_time_seconds_total", **labels) == (
            info["start"] if up else None)
        running = info["statename"] == "RUNNING"
        assert value(samples, "supervisor_process_info", **labels, state=info["statename"],
                     exit_status=str(info["exitstatus"])) == (1 if running else 0)
        uptime = value(samples, "supervisor_process_uptime", **labels)
        if running:
            assert uptime is not None and 0 <= uptime - (info["now"] - info["start"]) <= 2
        else:
            assert uptime is None
    web = {"name": "web", "group": "web"}
    missing = {"name": "missing", "group": "missing"}
    assert value(samples, "node_supervisord_exit_status", name="echo", group="echo") == 3
    # /no/such/binary: two failed spawns (the start and its one retry), two BACKOFFs, FATAL.
    assert value(samples, "supervisor_process_spawn_errors_total", **missing) == 2
    assert value(samples, "supervisor_process_backoffs_total", **missing) == 2
    assert value(samples, "supervisor_process_fatal_total", **missing) == 1
    assert value(samples, "supervisor_process_start_duration_seconds_count", **missing) == 0
    for name in ("web", "echo"):
        assert value(samples, "supervisor_process_fatal_total", name=name, group=name) == 0
        assert value(samples, "supervisor_process_spawn_errors_total",
                     name=name, group=name) == 0
    # startsecs=0: RUNNING at the spawn itself; startsecs=1: about a second after it.
    assert value(samples, "supervisor_process_start_duration_seconds_count", **web) == 1
    assert value(samples, "supervisor_process_start_duration_seconds_sum", **web) == 0
    for pool in ("pool_0", "pool_1"):
        labels = {"name": pool, "group": "pool"}
        assert value(samples, "supervisor_process_start_duration_seconds_count", **labels) == 1
        took = value(samples, "supervisor_process_start_duration_seconds_sum", **labels)
        assert took is not None and 0.5 <= took <= 10
    echo_labels = {"name": "echo", "group": "echo"}
    assert value(samples, "supervisor_process_log_bytes_total", **echo_labels,
                 stream="stdout") == 1000
    assert value(samples, "supervisor_process_log_bytes_total", **echo_labels,
                 stream="stderr") == 500
    assert value(samples, "supervisor_process_restarts_total", **web) == 0

    # kill -9: autorestart (unexpected exit) starts it again, and the counter says so.
    old = svtool.info("web")["pid"]
    os.kill(old, signal.SIGKILL)
    svtool.wait(lambda: svtool.info("web")["pid"] not in (0, old), 20, "web restarted")
    samples = svtool.wait(
        lambda: (lambda s: s if value(s, "supervisor_process_restarts_total", **web) == 1
                 else None)(scrape(svtool.sock)), 20, "the restart to be counted")
    assert value(samples, "supervisor_process_start_duration_seconds_count", **web) == 2
    # A restart asked for by a client is not an automatic one.
    svtool.ctl("restart", "web", check=True)
    samples = scrape(svtool.sock)
    assert value(samples, "supervisor_process_restarts_total", **web) == 1
    assert value(samples, "supervisor_process_start_duration_seconds_count", **web) == 3


def test_log_rotations_are_counted_per_stream(svtool: Supervisor) -> None:
    # 50 lines of 100 bytes into a 1000-byte log: rotated at each 10th line, 5 times.
    writer = pyfile(svtool.tmp, "writer", """\
        import sys, time
        for i in range(50):
            sys.stdout.write(f'{i:04d}' + 'z' * 95 + '\\n')
            sys.stdout.flush()
        time.sleep(1000)
        """)
    svtool.start(f"""
        [program:writer]
        command={writer}
        startsecs=0
        stdout_logfile={svtool.tmp}/writer.log
        stdout_logfile_maxbytes=1000
        stdout_logfile_backups=2
        redirect_stderr=true
        """)
    labels = {"name": "writer", "group": "writer", "stream": "stdout"}
    samples = svtool.wait(
        lambda: (lambda s: s if value(s, "supervisor_process_log_bytes_total", **labels)
                 == 5000 else None)(scrape(svtool.sock)), 20, "all output logged")
    assert value(samples, "supervisor_process_log_rotations_total", **labels) == 5
    assert (svtool.tmp / "writer.log.2").exists() and not (svtool.tmp / "writer.log.3").exists()
    # redirect_stderr: stderr is part of stdout and has no series of its own.
    assert value(samples, "supervisor_process_log_bytes_total", name="writer", group="writer",
                 stream="stderr") is None


def test_counters_survive_a_reload(svtool: Supervisor) -> None:
    svtool.start(f"[program:web]\ncommand={SLEEPER_CMD}\nstartsecs=0\n")
    svtool.wait_state("web", "RUNNING")
    old = svtool.info("web")["pid"]
    os.kill(old, signal.SIGKILL)
    web = {"name": "web", "group": "web"}
    svtool.wait(lambda: value(scrape(svtool.sock), "supervisor_process_restarts_total",
                              **web) == 1, 20, "the restart to be counted")
    svtool.ctl("reload", check=True)
    svtool.wait(lambda: svtool._answers() and svtool.state("web") == "RUNNING", 30,
                "web running after the reload")
    samples = scrape(svtool.sock)
    assert value(samples, "supervisor_process_restarts_total", **web) == 1
    assert value(samples, "supervisor_process_start_duration_seconds_count", **web) == 3


def test_auth_guards_metrics_on_both_sockets(guarded: Guarded) -> None:
    guarded.start(f"[program:web]\ncommand={SLEEPER_CMD}\nstartsecs=0\n")
    guarded.wait_state("web", "RUNNING")
    for where in (guarded.sock, guarded.port):
        assert get(where)[0] == 401
        assert get(where, auth=(USER, "wrong"))[0] == 401
        assert get(where, auth=("other", PASSWORD))[0] == 401
        samples = scrape(where, auth=(USER, PASSWORD))
        assert value(samples, "node_supervisord_up", name="web", group="web") == 1
        assert get(where, auth=(USER, PASSWORD), method="POST")[0] == 405
        assert get(where, "/metricsz", auth=(USER, PASSWORD))[0] == 404
        assert get(where, "/metrics?x=1", auth=(USER, PASSWORD))[0] == 200


def test_password_less_port_applies_the_host_rule(svtool: Supervisor) -> None:
    port = free_port()
    svtool.start(f"""
        [program:web]
        command={SLEEPER_CMD}
        startsecs=0

        [inet_http_server]
        port=127.0.0.1:{port}
        """)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: rebound.example\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 421 ")
    assert value(scrape(port), "node_supervisord_up", name="web", group="web") == 1
