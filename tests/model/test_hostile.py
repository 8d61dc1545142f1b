"""Hostile input gets a one-line positioned error or a correct result, fast, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_tools.model import load

# Generous: these guard against hangs and quadratic blow-ups, not for speed (see bench/).
TIMEOUT = 60


def svtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "supervisor_tools", *args], capture_output=True,
                          text=True, timeout=TIMEOUT)


def assert_one_line_errors(proc: subprocess.CompletedProcess[str], path: Path) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    for line in proc.stderr.splitlines():
        assert line.startswith(f"{path}:"), line


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "random.conf"
    path.write_bytes(os.urandom(4096))
    assert_one_line_errors(svtool("show", str(path)), path)


def test_non_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.conf"
    path.write_bytes("[supervisord]\n[program:a]\ncommand=/bin/echo café\n".encode("latin-1"))
    proc = svtool("show", str(path))
    assert_one_line_errors(proc, path)
    assert f"{path}:3:22:" in proc.stderr


def test_two_megabyte_line(tmp_path: Path) -> None:
    path = tmp_path / "long.conf"
    path.write_text("[supervisord]\n[program:a]\ncommand=/bin/echo " + "x" * 2_000_000 + "\n")
    proc = svtool("show", "--json", str(path))
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout) > 2_000_000


def test_twenty_thousand_programs(tmp_path: Path) -> None:
    path = tmp_path / "many.conf"
    body = "".join(f"[program:p{i}]\ncommand=/bin/cat\n" for i in range(20_000))
    path.write_text("[supervisord]\n" + body)
    proc = svtool("show", "--json", str(path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count('"kind": "program"') == 20_000


def test_huge_numprocs(tmp_path: Path) -> None:
    path = tmp_path / "numprocs.conf"
    path.write_text("[supervisord]\n[program:a]\ncommand=/bin/cat\n"
                    "process_name=%(process_num)s\nnumprocs=100000000\n")
    proc = svtool("show", str(path))
    assert_one_line_errors(proc, path)
    assert f"{path}:5:10:" in proc.stderr


def test_unreadable_file_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.conf"
    path.write_text("[supervisord]\n")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("os.open", refuse)  # the files are read through os.open
    result = load(str(path))
    assert [str(e) for e in result.errors] == [f"{path}:1:1: cannot read file: Permission denied"]


def test_directory_as_config(tmp_path: Path) -> None:
    assert_one_line_errors(svtool("show", str(tmp_path)), tmp_path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.conf"
    proc = svtool("show", str(path))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"{path}:1:1: could not find config file {path}"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_loader_never_raises(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.conf"
        path.write_bytes(b"[supervisord]\n" + data)
        result = load(str(path), environ={})
        for err in result.errors:
            assert err.span.file == str(path)
