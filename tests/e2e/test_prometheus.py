"""A real Prometheus server (Debian's package, `make prometheus`) scrapes `svtool run` through
its password-protected TCP port and answers a query on the restart counter after a kill -9.

The server is started here on a free loopback port with its own configuration and storage
directory, so a Prometheus service the package may have set up is never the one queried.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import textwrap
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import SLEEPER_CMD, terminate
from tests.e2e.metrics_client import PASSWORD, USER, Guarded, free_port, scrape, value

PROMETHEUS = "/usr/bin/prometheus"


class Prometheus:
    def __init__(self, tmp: Path, target_port: int) -> None:
        assert os.access(PROMETHEUS, os.X_OK), (
            f"{PROMETHEUS} is missing: `make prometheus` installs Debian's prometheus package")
        self.port = free_port()
        self.target = f"127.0.0.1:{target_port}"
        self.config = tmp / "prometheus.yml"
        self.config.write_text(textwrap.dedent(f"""\
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: svtool
                metrics_path: /metrics
                static_configs:
                  - targets: ["{self.target}"]
                basic_auth:
                  username: {USER}
                  password: {PASSWORD}
            """))
        self.log = tmp / "prometheus.log"
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                [PROMETHEUS, f"--config.file={self.config}",
                 f"--storage.tsdb.path={tmp / 'tsdb'}",
                 f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=tmp)

    def api(self, path: str, **params: str) -> Any:
        url = f"http://127.0.0.1:{self.port}{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=10) as resp:
            data = json.loads(resp.read())
        assert data["status"] == "success", data
        return data["data"]

    def query(self, expr: str) -> list[float]:
        return [float(r["value"][1]) for r in self.api("/api/v1/query", query=expr)["result"]]

    def wait(self, what: str, pred: Any, timeout: float = 60) -> Any:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise AssertionError(f"prometheus exited: {self.log.read_text()[-2000:]}")
            try:
                got = pred()
            except OSError:
                got = None
            if got:
                return got
            time.sleep(0.25)
        raise AssertionError(f"timed out waiting for {what}; log: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        terminate(self.proc)


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[Guarded]:
    s = Guarded(tmp_path)
    yield s
    s.stop()


@pytest.mark.slow
def test_prometheus_sees_the_restart_after_kill_9(guarded: Guarded, tmp_path: Path) -> None:
    guarded.start(f"[program:web]\ncommand={SLEEPER_CMD}\nstartsecs=0\nautorestart=true\n")
    guarded.wait_state("web", "RUNNING")
    prom = Prometheus(tmp_path, guarded.port)
    try:
        restarts = 'supervisor_process_restarts_total{job="svtool",name="web",group="web"}'
        prom.wait("the first scrape", lambda: prom.query(restarts) == [0.0])
        targets = prom.api("/api/v1/targets")["activeTargets"]
        assert [(t["scrapeUrl"], t["health"]) for t in targets] == [
            (f"http://{prom.target}/metrics", "up")]
        # node_exporter's series answer the queries of existing dashboards.
        assert prom.query('node_supervisord_up{name="web"}') == [1.0]
        assert prom.query('supervisord_info{version="4.3.0"}') == [1.0]

        old = guarded.info("web")["pid"]
        os.kill(old, signal.SIGKILL)
        guarded.wait(lambda: value(scrape(guarded.port, auth=(USER, PASSWORD)),
                                   "supervisor_process_restarts_total", name="web",
                                   group="web") == 1, 20, "the restart counted by svtool")
        prom.wait("Prometheus to see the restart", lambda: prom.query(restarts) == [1.0])
        assert prom.query(f"increase({restarts}[1m]) > 0")
    finally:
        prom.stop()
