"""Atomic writes: the target changes in one step or not at all, and no temp file is left."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from supervisor_tools.errors import SvtoolError
from supervisor_tools.generate.output import current_umask, write_atomic


def test_new_file_gets_the_usual_mode(tmp_path: Path) -> None:
    target = tmp_path / "a.conf"
    write_atomic(str(target), "x\n")
    assert target.read_text() == "x\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~current_umask()


def test_failed_replace_leaves_the_old_state_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "inside").write_text("keep")
    with pytest.raises(SvtoolError, match="cannot write"):
        write_atomic(str(target), "x\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
    assert (target / "inside").read_text() == "keep"


def test_symlinked_target_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.conf"
    real.write_text("old")
    link = tmp_path / "link.conf"
    os.symlink(real, link)
    write_atomic(str(link), "new")
    assert real.read_text() == "new"
    assert link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.conf", "real.conf"]

