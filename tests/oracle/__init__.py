"""Run supervisord 4.3.0's own config loader on a file and get its verdict as a dict.

`run_oracle(path)` runs `supervisor_oracle.py` in a fresh interpreter (the same `sys.executable`)
so that supervisor's module-level state and the environment it captures are never shared with
the test process. The result is the JSON object the script prints (see its docstring).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ORACLE_SCRIPT = Path(__file__).with_name("supervisor_oracle.py")


def run_oracle(
    path: str, *, fragment: bool = False, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Load `path` with supervisor 4.3.0 and return {"ok": ..., "config"/"error": ..., ...}.

    `env` is exactly the environment supervisor sees (default: a copy of os.environ); it is also
    sent on stdin so that variables the interpreter adds at start-up (LC_CTYPE from locale
    coercion) do not leak into the ENV_* expansion names.
    """
    environ = dict(os.environ) if env is None else dict(env)
    args = [sys.executable, str(ORACLE_SCRIPT), path, "--env-stdin"]
    if fragment:
        args.append("--fragment")
    proc = subprocess.run(
        args,
        input=json.dumps(environ),
        env=environ,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(
            f"oracle failed on {path} (exit {proc.returncode}):\n{proc.stderr}{proc.stdout}"
        )
    result: dict[str, Any] = json.loads(proc.stdout)
    return result
