"""Helpers of the converter tests: golden files and systemd-analyze verification.

Golden files live in fixtures/convert/golden; refresh them on purpose with
`SVTOOL_UPDATE_GOLDEN=1 pytest tests/convert`.

systemd-analyze verify checks that each ExecStart= executable exists, so units are verified in a
fake root (`--root`, one per test run): a copy of the machine's unit directory (for multi-user.target and friends),
the units under etc/systemd/system, and an empty executable file at every ExecStart= path
(bare names under usr/bin, where systemd's fixed search path finds them). systemd-analyze exits
0 on many problems, so its stderr is the verdict: it must be empty.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from supervisor_tools.convert.systemd_ini import parse_unit_text, split_commands

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "convert"
GOLDEN = FIXTURES / "golden"
SEEDS = REPO / "fixtures" / "seeds"
UPDATE = os.environ.get("SVTOOL_UPDATE_GOLDEN") == "1"
SYSTEM_UNITS = ("/usr/lib/systemd/system", "/lib/systemd/system")


def check_golden(path: Path, actual: str) -> None:
    """Compare with the golden file, or rewrite it when SVTOOL_UPDATE_GOLDEN=1."""
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"missing golden file {path}; run SVTOOL_UPDATE_GOLDEN=1 pytest"
    assert actual == path.read_text(encoding="utf-8"), f"{path} differs"


def subset(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Where svtool's model differs from supervisord's on a key supervisord reports."""
    if isinstance(expected, dict):
        return [p for k, v in expected.items()
                for p in subset(v, actual.get(k) if isinstance(actual, dict) else None,
                                f"{where}.{k}")]
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [p for i, (e, a) in enumerate(zip(expected, actual, strict=True))
                for p in subset(e, a, f"{where}[{i}]")]
    return [] if expected == actual else [f"{where}: supervisord {expected!r}, svtool {actual!r}"]


def systemd_analyze() -> str:
    exe = shutil.which("systemd-analyze") or "/usr/bin/systemd-analyze"
    if not os.path.exists(exe):
        pytest.fail("systemd-analyze is required to verify generated units")
    return exe


def _executables(text: str) -> list[str]:
    out: list[str] = []
    for d in parse_unit_text(text, "<unit>"):
        if d.key.startswith("Exec") and d.value:
            try:
                commands = split_commands(d.value)
            except ValueError:
                continue  # systemd-analyze reports the line itself
            # the path as systemd execs it: specifiers expanded (only %% occurs here)
            out.extend(cmd[0].lstrip("-@+!:").replace("%%", "%") for cmd in commands)
    return out


@functools.cache
def _fake_root() -> Path:
    """One fake root per test run: copying the machine's unit directory is the slow part."""
    unit_src = next((p for p in SYSTEM_UNITS if os.path.isdir(p)), None)
    assert unit_src is not None, "no system unit directory on this machine"
    root = Path(tempfile.mkdtemp(prefix="svtool-convert-root-"))
    atexit.register(shutil.rmtree, root, True)
    shutil.copytree(unit_src, root / "usr/lib/systemd/system", symlinks=True)
    return root


def verify_units(units: dict[str, str], tmp: Path, user: bool = False) -> str:
    """stderr of systemd-analyze verify over every unit (and every listed instance).

    System units are verified in a fake root. The user manager refuses --root, so user units
    are verified in place and their executables must exist on this machine.
    """
    root = _fake_root()
    if user:
        unit_dir = tmp / "user-units"
    else:
        unit_dir = root / "etc/systemd/system"
        shutil.rmtree(unit_dir, ignore_errors=True)  # the units of the previous check
    unit_dir.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    for name, text in units.items():
        (unit_dir / name).write_text(text, encoding="utf-8")
        names.append(name)
        for exe in _executables(text):
            if user:
                assert os.access(exe, os.X_OK), f"user units need {exe} on this machine"
                continue
            target = root / (exe.lstrip("/") if exe.startswith("/") else "usr/bin/" + exe)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("#!/bin/sh\n")
            target.chmod(0o755)
        for d in parse_unit_text(text, name):
            if d.key == "Wants":
                names.extend(w for w in d.value.split() if "@" in w and not w.endswith("@"))
    cmd = [systemd_analyze(), "verify", "--man=no"]
    env = dict(os.environ)
    if user:
        # The user manager needs a runtime directory even to load units.
        runtime = tmp / "runtime"
        runtime.mkdir(mode=0o700, exist_ok=True)
        env["XDG_RUNTIME_DIR"] = str(runtime)
        cmd.append("--user")
    else:
        cmd.append(f"--root={root}")
    cmd += [str(unit_dir / n) for n in dict.fromkeys(names)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
    return proc.stderr
