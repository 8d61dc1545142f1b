"""Logs that cannot be written: a full disk, a file-size limit, a rotation that is refused.

Writing a log never raises; the trouble is said once, what is lost is counted, and the log
says so when it works again. /dev/full fails every write with ENOSPC; RLIMIT_FSIZE (in a child
process, which ignores SIGXFSZ as every Python process does) gives EFBIG past a size and can
be lifted again to end the episode.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from supervisor_tools.runtime import logfile
from supervisor_tools.runtime.logs import LogFile, MainLog

Reports = list[tuple[str, str]]


def recorder() -> tuple[Reports, logfile.Report]:
    reports: Reports = []
    return reports, lambda level, message: reports.append((level, message))


def test_a_full_disk_is_reported_once_and_never_raises() -> None:
    reports, report = recorder()
    log = LogFile("/dev/full", maxbytes=100, backups=2, report=report, label="the test log")
    for _ in range(50):
        log.write(b"some output\n")
    log.reopen()
    log.close()
    assert reports == [("error", "cannot write the test log /dev/full: No space left on "
                                 "device; its output is dropped until it can be written again")]
    assert log.lost == 50 * len(b"some output\n")


def test_the_main_log_on_a_full_disk_flushes_and_closes_quietly(
        capfd: pytest.CaptureFixture[str]) -> None:
    log = MainLog("/dev/full", "info")
    for i in range(600):  # past the batch size, so log() itself flushes too
        log.info(f"message {i}")
    log.flush()
    log.reopen()
    log.close()
    err = capfd.readouterr().err
    assert err == ("svtool: cannot write the main log /dev/full: No space left on device; "
                   "its output is dropped until it can be written again\n")


def run_limited(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    code = textwrap.dedent("""\
        import resource, sys
        from supervisor_tools.runtime.logs import MainLog
        _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)

        def limit(size):
            resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
        """) + textwrap.dedent(script)
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, text=True,
                          capture_output=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": os.getcwd()})


def test_the_main_log_says_what_was_lost_when_it_works_again(tmp_path: Path) -> None:
    res = run_limited("""\
        log = MainLog("main.log", "info")
        log.info("before")
        log.flush()
        limit(4096)
        log.info("x" * 5000)
        log.flush()
        log.info("also lost")
        log.flush()
        limit(hard)
        log.info("after")
        log.close()
        """, tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ("svtool: cannot write the main log main.log: File too large; its "
                          "output is dropped until it can be written again\n")
    lines = (tmp_path / "main.log").read_text().splitlines()
    prefix = len(lines[0]) - len("before")
    partial = 4096 - (len(lines[0]) + 1)  # the long line, cut where the limit stopped it
    assert lines[1] == lines[1][:prefix] + "x" * (partial - prefix) and len(lines[1]) == partial
    assert lines[2][prefix:] == "after"  # on a line of its own after the cut one
    assert " WARN the main log main.log is written again; " in lines[3]
    assert "(File too large)" in lines[3] and len(lines) == 4
    lost = (prefix + 5000 + 1 - partial) + (prefix + len("also lost") + 1)
    assert f"; {lost} bytes were lost since " in lines[3]


def test_a_refused_rotation_keeps_writing_and_is_retried(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logfile, "ROTATE_RETRY_SECONDS", 0.0)
    path = tmp_path / "out.log"
    (tmp_path / "out.log.1").mkdir()  # a rename onto a directory fails
    reports, report = recorder()
    log = LogFile(str(path), maxbytes=20, backups=1, report=report, label="the test log")
    data = b"".join(b"line %02d\n" % i for i in range(10))
    log.write(data[:40])
    log.write(data[40:64])
    assert path.read_bytes() == data[:64]  # nothing lost while rotation fails
    assert reports == [("error", f"cannot rotate the test log {path}: Is a directory; it "
                                 f"grows past its maxbytes until it can")]
    (tmp_path / "out.log.1").rmdir()
    log.write(data[64:72])
    log.close()
    assert (tmp_path / "out.log.1").read_bytes() == data[:64]
    assert path.read_bytes() == data[64:72]
    assert reports[1:] == [("warn", f"the test log {path} rotates again")]


def test_private_logs_are_created_for_the_owner_only(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        fresh = LogFile(str(tmp_path / "auto.log"), maxbytes=10, backups=1, private=True)
        fresh.write(b"0123456789abc\n0123\n")  # rotates: the new file is private too
        fresh.close()
        public = LogFile(str(tmp_path / "named.log"))
        public.close()
    finally:
        os.umask(old)
    for name in ("auto.log", "auto.log.1"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "named.log").stat().st_mode) == 0o644


def test_a_private_log_narrows_a_wider_file_and_never_follows_a_symlink(
        tmp_path: Path) -> None:
    wide = tmp_path / "wide.log"
    wide.write_bytes(b"")
    wide.chmod(0o666)
    LogFile(str(wide), private=True).close()
    assert stat.S_IMODE(wide.stat().st_mode) == 0o600
    target = tmp_path / "elsewhere"
    (tmp_path / "link.log").symlink_to(target)
    reports, report = recorder()
    log = LogFile(str(tmp_path / "link.log"), private=True, lazy=True, report=report)
    log.write(b"secret\n")
    assert not target.exists()
    assert len(reports) == 1 and reports[0][0] == "error"


def test_a_reload_onto_an_unusable_main_log_keeps_going(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    log = MainLog(str(tmp_path / "main.log"), "info")
    log.info("before")
    missing = tmp_path / "gone" / "main.log"
    log.reconfigure(str(missing), "info", 0, 0)  # the directory does not exist
    log.info("lost")
    log.flush()
    (tmp_path / "gone").mkdir()
    log.info("back")
    log.close()
    assert capfd.readouterr().err == (
        f"svtool: cannot write the main log {missing}: No such file or directory; its output "
        f"is dropped until it can be written again\n")
    lines = missing.read_text().splitlines()
    assert lines[0].endswith(" INFO back") and " is written again; " in lines[1]
    assert (tmp_path / "main.log").read_text().endswith(" INFO before\n")
