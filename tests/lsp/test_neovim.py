"""A real editor: headless Neovim (Debian's `neovim`, `make neovim`) opens a broken config,
starts `svtool lsp` as its language server and receives the diagnostics."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from tests.lsp.conftest import SERVER

SCRIPT = Path(__file__).with_name("nvim_diagnostics.lua")
NVIM = shutil.which("nvim") or "/usr/bin/nvim"


def test_neovim_receives_the_diagnostics(tmp_path: Path) -> None:
    assert os.access(NVIM, os.X_OK), "Neovim is missing: make neovim"
    conf = tmp_path / "broken.conf"
    conf.write_text("[program:web]\ncommand=/bin/cat\nautostart=maybe\n\n"
                    "[group:site]\nprograms=web,ghost\n")
    out = tmp_path / "diagnostics.json"
    env = {**os.environ, "SVTOOL_LSP_CMD": json.dumps(SERVER), "SVTOOL_NVIM_OUT": str(out),
           "XDG_STATE_HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)}
    subprocess.run([NVIM, "--headless", "--clean", str(conf), "-c", f"luafile {SCRIPT}"],
                   cwd=tmp_path, env=env, timeout=120, check=True,
                   stdin=subprocess.DEVNULL, capture_output=True)
    got = json.loads(out.read_text())
    assert got.get("uri") == conf.as_uri(), got
    shown = sorted((d["lnum"] + 1, d["col"] + 1, d["code"]) for d in got["diagnostics"])
    assert shown == [(3, 11, "SV103"), (6, 10, "SV108")]
    assert all(d["severity"] == 1 for d in got["diagnostics"])  # vim.diagnostic.severity.ERROR
