"""svtool's one file writer: the target changes in one step or not at all, no temp file is
left, links stay links, modes stay, and a failure is one line."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from supervisor_tools.errors import SvtoolError
from supervisor_tools.files import current_umask, write_atomic


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



def test_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "secret.conf"
    target.write_text("old")
    os.chmod(target, 0o600)
    write_atomic(str(target), "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.conf"
    os.symlink("real.conf", link)
    write_atomic(str(link), "new")
    assert link.is_symlink() and (tmp_path / "real.conf").read_text() == "new"


@pytest.mark.parametrize("failing", ["fsync", "chmod", "replace"])
def test_failure_mid_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              failing: str) -> None:
    target = tmp_path / "a.conf"
    target.write_text("old content\n")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, broken)
    with pytest.raises(SvtoolError) as info:
        write_atomic(str(target), "new content that never lands\n" * 1000)
    monkeypatch.undo()
    assert str(info.value) == f"cannot write {target}: No space left on device"
    assert target.read_text() == "old content\n"
    assert os.listdir(tmp_path) == ["a.conf"]


def test_interrupted_write_leaves_no_temp_file(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.conf"
    target.write_text("old")

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(str(target), "new")
    monkeypatch.undo()
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["a.conf"]


def _small_files_only() -> None:
    # a file may not grow past 16 bytes: every write of the commands below fails half-way,
    # with EFBIG (the signal that would otherwise kill the process is ignored)
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (16, 16))


@pytest.mark.parametrize("argv", [
    ["lint", "--fix", "web.conf"],
    ["lint", "-o", "web.conf", "web.conf"],
    ["echo-conf", "-o", "web.conf"],
    ["from-yaml", "web.yaml", "-o", "web.conf"],
    ["to-systemd", "web.conf", "-o", "."],
])
def test_failed_write_is_one_line_exit_2_and_changes_nothing(tmp_path: Path,
                                                             argv: list[str]) -> None:
    conf = "[supervisord]\n[program:web]\ncommand = /bin/cat\nautorestrt = true\n"
    (tmp_path / "web.conf").write_text(conf)
    (tmp_path / "web.yaml").write_text("programs:\n  web:\n    command: /bin/cat\n")
    (tmp_path / "web.service").write_text("old unit\n")
    proc = subprocess.run([sys.executable, "-m", "supervisor_tools", *argv],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60,
                          preexec_fn=_small_files_only)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[-1].startswith("svtool: cannot write ") and "File too large" in lines[-1]
    assert "Traceback" not in proc.stderr
    assert (tmp_path / "web.conf").read_text() == conf
    assert (tmp_path / "web.service").read_text() == "old unit\n"
    assert sorted(os.listdir(tmp_path)) == ["web.conf", "web.service", "web.yaml"]


def test_an_existing_file_keeps_its_owner_where_allowed(tmp_path: Path) -> None:
    target = tmp_path / "app.conf"
    target.write_text("old")
    if os.geteuid() == 0:
        os.chown(target, 1, 1)  # root rewrites a file owned by someone else
    before = target.stat()
    write_atomic(str(target), "new")
    after = target.stat()
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    assert target.read_text() == "new"
