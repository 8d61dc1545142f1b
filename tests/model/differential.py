"""Compare svtool's loader with supervisord 4.3.0's on one config file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from supervisor_tools.model import load
from supervisor_tools.model.show import model_json
from tests.oracle import run_oracle

ROOT = Path(__file__).resolve().parents[2]


def entry_points() -> list[tuple[str, bool]]:
    """Every fixture supervisord can be pointed at: (path, is_fragment)."""
    out: list[tuple[str, bool]] = []
    fx = ROOT / "fixtures"
    for folder in ("configs/valid", "configs/invalid"):
        base = fx / folder
        for p in sorted(base.glob("*")):
            if p.is_file() and p.suffix in (".conf", ".ini"):
                out.append((str(p), False))
            elif p.is_dir() and (p / "main.conf").exists():
                out.append((str(p / "main.conf"), False))
    for p in sorted((fx / "configs/fragments").glob("*")):
        if p.is_file():
            out.append((str(p), True))
    for p in sorted((fx / "supervisor").rglob("*")):
        if p.is_file() and p.suffix in (".conf", ".ini") and p.parent.name not in (
                "example", "conf.d", "included"):
            out.append((str(p), False))
    for p in sorted((fx / "seeds").glob("*")):
        if p.is_file() and p.suffix in (".conf", ".ini"):
            text = p.read_text(encoding="utf-8", errors="replace")
            out.append((str(p), "[supervisord]" not in text))
    return out


def compare(expected: Any, actual: Any, where: str, problems: list[str]) -> None:
    """Every key the oracle reports must match; extra svtool keys are fine."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{where}.{key}: missing in svtool")
            else:
                compare(value, actual[key], f"{where}.{key}", problems)
    elif isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            problems.append(f"{where}: {len(expected)} items in supervisord, {len(actual)} in "
                            f"svtool: {expected!r} vs {actual!r}"[:600])
            return
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            compare(e, a, f"{where}[{i}]", problems)
    elif expected != actual:
        problems.append(f"{where}: supervisord {expected!r}, svtool {actual!r}")


def disagreements(path: str, fragment: bool, env: dict[str, str]) -> list[str]:
    oracle = run_oracle(path, fragment=fragment, env=env)
    ours = load(path, fragment=fragment, environ=env)
    if oracle["ok"] != ours.ok:
        if oracle["ok"]:
            return [f"supervisord accepts, svtool rejects: {[str(e) for e in ours.errors]}"]
        return [f"supervisord rejects ({oracle['error']}), svtool accepts"]
    if not oracle["ok"]:
        return []
    problems: list[str] = []
    compare(oracle["config"], model_json(ours.model), "config", problems)
    return problems


def oracle_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.setdefault("HOME", "/root")
    return env
