"""`svtool echo-conf systemd-unit`: a Type=notify unit for `svtool run` that systemd accepts."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from supervisor_tools.convert.supervisor_unit import stop_timeout, supervisor_unit
from supervisor_tools.model import load

from .helpers import REPO

DEMO = REPO / "fixtures/demo/supervisord.conf"


def _unit(path: Path, user_mode: bool = False) -> str:
    result = load(str(path), fragment=False, host_checks=False)
    assert result.ok
    return supervisor_unit(str(path), result.model, user_mode=user_mode)


def test_unit_runs_svtool_in_the_foreground_as_a_notify_service() -> None:
    unit = _unit(DEMO)
    lines = unit.splitlines()
    assert "Type=notify" in lines and "NotifyAccess=main" in lines
    exec_start = next(line for line in lines if line.startswith("ExecStart="))
    assert exec_start.endswith(f" run -n -c {DEMO}")
    assert exec_start.split("=", 1)[1].startswith("/")
    assert "ExecReload=/bin/kill -HUP $MAINPID" in lines
    assert "KillMode=mixed" in lines
    assert "Restart=on-failure" in lines
    assert "WantedBy=multi-user.target" in lines


def test_stop_timeout_covers_every_group_stopping_in_turn(tmp_path: Path) -> None:
    conf = tmp_path / "s.conf"
    conf.write_text("[supervisord]\n[program:a]\ncommand=/bin/cat\nstopwaitsecs=30\n"
                    "[program:b]\ncommand=/bin/cat\nnumprocs=2\nprocess_name=b%(process_num)d\n"
                    "stopwaitsecs=7\n")
    result = load(str(conf), host_checks=False)
    assert stop_timeout(result.model) == 30 + 7 + 15
    assert "TimeoutStopSec=52" in supervisor_unit(str(conf), result.model)


def test_system_unit_passes_systemd_analyze(verify: Callable[..., str]) -> None:
    assert verify({"svtool-demo.service": _unit(DEMO)}) == ""


def test_user_unit_passes_systemd_analyze(verify: Callable[..., str]) -> None:
    unit = _unit(DEMO, user_mode=True)
    assert "WantedBy=default.target" in unit
    assert verify({"svtool-demo.service": unit}, user=True) == ""


def test_percent_in_config_path_is_escaped(tmp_path: Path, verify: Callable[..., str]) -> None:
    folder = tmp_path / "100%"
    folder.mkdir()
    conf = folder / "supervisord.conf"
    conf.write_text("[supervisord]\n")
    unit = _unit(conf)
    assert "100%%/supervisord.conf" in unit
    assert verify({"svtool-pct.service": unit}) == ""


def test_cli_refuses_a_broken_config_and_writes_nothing(tmp_path: Path) -> None:
    conf = tmp_path / "bad.conf"
    conf.write_text("[supervisord]\nloglevel=loud\n")
    out = tmp_path / "svtool.service"
    proc = subprocess.run([sys.executable, "-m", "supervisor_tools", "echo-conf", "systemd-unit",
                           "-c", str(conf), "-o", str(out)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"{conf}:2:10: ")
    assert not out.exists()


def test_cli_writes_the_unit(tmp_path: Path) -> None:
    out = tmp_path / "svtool.service"
    proc = subprocess.run([sys.executable, "-m", "supervisor_tools", "echo-conf", "systemd-unit",
                           "-c", str(DEMO), "-o", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text() == _unit(DEMO)
