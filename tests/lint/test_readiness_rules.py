"""SV271 and SV272 find a probe setting wherever supervisord reads it from: the program's own
section or [DEFAULT], for each of the probe's keys (the rules skip a program that writes none)."""

from __future__ import annotations

from pathlib import Path

import pytest

from supervisor_tools.lint.engine import lint_paths
from supervisor_tools.options.readiness import PROBE_KINDS, PROBE_TARGETS, PROBE_TIMING, probe_key

SETTINGS = [probe_key(k, f) for k in PROBE_KINDS for f, _, _ in PROBE_TIMING] + ["readytimeoutsecs"]


def _findings(tmp_path: Path, text: str) -> list[tuple[str, int]]:
    path = tmp_path / "web.conf"
    path.write_text(text)
    return [(d.code, d.span.line) for d in lint_paths([str(path)])
            if d.code in ("SV271", "SV272")]


@pytest.mark.parametrize("key", SETTINGS)
def test_a_setting_without_its_probe_is_found_in_the_section(tmp_path: Path, key: str) -> None:
    text = f"[program:web]\ncommand = /usr/bin/web\n{key} = 5\n"
    assert _findings(tmp_path, text) == [("SV271", 3)]


@pytest.mark.parametrize("key", SETTINGS)
def test_a_setting_without_its_probe_is_found_in_default(tmp_path: Path, key: str) -> None:
    text = f"[DEFAULT]\n{key} = 5\n\n[program:web]\ncommand = /usr/bin/web\n"
    assert _findings(tmp_path, text) == [("SV271", 2)]


def test_a_setting_with_its_probe_is_not_found(tmp_path: Path) -> None:
    text = ("[program:web]\ncommand = /usr/bin/web\nsd_notify = true\nreadytimeoutsecs = 30\n"
            "liveness_probe_tcp_socket = 127.0.0.1:80\nliveness_probe_period_seconds = 5\n")
    assert _findings(tmp_path, text) == []


@pytest.mark.parametrize("kind", PROBE_KINDS)
def test_a_second_target_is_found(tmp_path: Path, kind: str) -> None:
    first, second = (probe_key(kind, t) for t in PROBE_TARGETS[1:])
    text = (f"[program:web]\ncommand = /usr/bin/web\n{first} = http://127.0.0.1:80/\n"
            f"{second} = 127.0.0.1:80\n")
    assert _findings(tmp_path, text) == [("SV272", 4)]
