"""`make demo`: the clean example passes, the flawed one shows the kinds of mistakes real
configs have, and the target still succeeds."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from supervisor_tools.lint.engine import lint_paths
from tests.lint.fixtures import ROOT

DEMO = ROOT / "fixtures" / "demo"


def test_the_clean_example_is_clean() -> None:
    assert lint_paths([str(DEMO / "supervisord.conf")]) == []


def test_the_flawed_example_shows_real_mistakes() -> None:
    found = [(Path(d.span.file).name, d.span.line, d.code)
             for d in lint_paths([str(DEMO / "flawed" / "supervisord.conf")])]
    assert found == [
        ("app.conf", 5, "SV210"),   # a misspelled key (autorestrat)
        ("app.conf", 7, "SV103"),   # a value supervisord rejects (startsecs=10s)
        ("app.conf", 15, "SV247"),  # two processes writing one log file
    ]


def demo_recipe() -> list[str]:
    """The command lines of the Makefile's demo target."""
    text = (ROOT / "Makefile").read_text()
    body = re.search(r"^demo:.*\n((?:\t.*\n)+)", text, re.M)
    assert body is not None
    return [line[1:].lstrip("@") for line in body.group(1).splitlines()]


def test_make_demo_lints_both_examples_and_succeeds() -> None:
    outputs = []
    bin_dir = str(Path(sys.executable).parent)
    for line in demo_recipe():
        cmd = line.replace("$(BIN)", bin_dir).replace("$$", "$")
        proc = subprocess.run(cmd, shell=True, cwd=ROOT, capture_output=True, text=True)
        assert proc.returncode == 0, (cmd, proc.stdout, proc.stderr)
        outputs.append(proc.stdout)
    out = "".join(outputs)
    assert "All checks passed." in out
    assert "fixtures/demo/flawed/conf.d/app.conf:" in out
    for code in ("SV210", "SV103", "SV247"):
        assert code in out
