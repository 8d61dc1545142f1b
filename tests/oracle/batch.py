"""Run supervisord 4.3.0's loader over many files in one fresh interpreter (batch_oracle.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

BATCH_SCRIPT = Path(__file__).with_name("batch_oracle.py")


def run_oracle_batch(paths: list[str], env: dict[str, str], *,
                     neutral: bool = False) -> list[dict[str, Any]]:
    """supervisord's verdict on each of `paths` (main files), in the environment `env` only.

    neutral=True: users, directories and plugin modules missing on this machine count as
    present (see batch_oracle.py), so only what the text decides can make a file fail.
    """
    request = json.dumps({"env": env, "paths": paths, "neutral": neutral})
    proc = subprocess.run([sys.executable, str(BATCH_SCRIPT)], input=request, env=dict(env),
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"batch oracle failed (exit {proc.returncode}):\n{proc.stderr}")
    results: list[dict[str, Any]] = json.loads(proc.stdout)
    assert len(results) == len(paths)
    return results
