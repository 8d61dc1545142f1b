"""supervisord 4.3.0 loads a config that uses the readiness keys, and reads it as if they
were not there (it ignores keys it does not know)."""

from __future__ import annotations

from pathlib import Path

from supervisor_tools.options.table import READINESS_OPTIONS

from . import run_oracle

EXAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "convert" / "configs" / \
    "readiness.conf"


def test_supervisord_loads_the_readiness_example(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    keys = {row.name for row in READINESS_OPTIONS}
    used = {line.split("=", 1)[0] for line in text.splitlines() if "=" in line}
    assert used & keys >= {"sd_notify", "watchdogsecs", "ready_log_line", "readytimeoutsecs",
                           "readiness_probe_http_get", "liveness_probe_tcp_socket",
                           "liveness_probe_exec"}
    plain = tmp_path / "plain.conf"
    plain.write_text("\n".join(line for line in text.splitlines()
                               if line.split("=", 1)[0] not in keys) + "\n", encoding="utf-8")
    with_keys = run_oracle(str(EXAMPLE))
    without = run_oracle(str(plain))
    assert with_keys["ok"], with_keys
    assert with_keys["config"]["groups"] == without["config"]["groups"]
    assert len(with_keys["config"]["groups"]) == 3
