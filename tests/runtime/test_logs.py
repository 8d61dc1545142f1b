"""Log files: rotation only at line boundaries, nothing lost, non-seekable targets, main log."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_tools.runtime.logs import (
    SPLIT_MARK,
    LogFile,
    MainLog,
    cleanup_auto_logs,
    read_slice,
    strip_ansi,
    tail_slice,
)


def numbered(n: int, width: int = 20) -> bytes:
    return b"".join(b"%08d " % i + b"x" * (width - 10) + b"\n" for i in range(n))


def chunks(data: bytes, sizes: list[int]) -> list[bytes]:
    out, pos, i = [], 0, 0
    while pos < len(data):
        size = sizes[i % len(sizes)] if sizes else len(data)
        out.append(data[pos:pos + size])
        pos += size
        i += 1
    return out


def rotated_files(path: Path) -> list[Path]:
    backups = sorted(path.parent.glob(path.name + ".*"), key=lambda p: -int(p.suffix[1:]))
    return backups + [path]


@settings(max_examples=30, deadline=None)
@given(lines_per_write=st.lists(st.integers(1, 40), min_size=1, max_size=8),
       maxbytes=st.integers(64, 900), n=st.integers(1, 120))
def test_output_written_in_whole_lines_is_never_split(tmp_path_factory: pytest.TempPathFactory,
                                                      lines_per_write: list[int],
                                                      maxbytes: int, n: int) -> None:
    path = tmp_path_factory.mktemp("rot") / "out.log"
    data = numbered(n)
    log = LogFile(str(path), maxbytes=maxbytes, backups=10_000)
    writes = chunks(data, [20 * k for k in lines_per_write])
    for chunk in writes:
        log.write(chunk)
    log.close()
    contents = [f.read_bytes() for f in rotated_files(path)]
    assert b"".join(contents) == data  # none lost, none duplicated, order kept, no mark
    for c in contents[:-1]:
        assert c.endswith(b"\n")  # every rotated file ends at a line boundary
        # over maxbytes only by the rest of the write that crossed it
        assert 0 < len(c) < maxbytes + max(len(w) for w in writes)


def test_a_line_longer_than_maxbytes_in_one_write_stays_whole(tmp_path: Path) -> None:
    path = tmp_path / "long.log"
    log = LogFile(str(path), maxbytes=50, backups=5)
    long_line = b"y" * 120 + b"\n"
    for part in (b"short\n", long_line, b"after\n"):
        log.write(part)
    log.close()
    contents = [f.read_bytes() for f in rotated_files(path)]
    assert contents == [b"short\n", long_line, b"after\n"]


def test_a_line_longer_than_maxbytes_in_pieces_is_split_at_the_bound(tmp_path: Path) -> None:
    path = tmp_path / "long.log"
    log = LogFile(str(path), maxbytes=50, backups=5)
    long_line = b"y" * 120 + b"\n"
    for part in (b"short\n", long_line[:60], long_line[60:], b"after\n"):
        log.write(part)
    log.close()
    contents = [f.read_bytes() for f in rotated_files(path)]
    assert contents == [b"short\n", b"y" * 50 + SPLIT_MARK, b"y" * 10 + long_line[60:],
                        b"after\n"]


def test_a_split_never_cuts_a_utf8_character(tmp_path: Path) -> None:
    path = tmp_path / "u.log"
    log = LogFile(str(path), maxbytes=10, backups=5)
    log.write("aaaaaaaaa€b".encode())  # the euro sign's 3 bytes straddle the bound
    log.close()
    contents = [f.read_bytes() for f in rotated_files(path)]
    assert contents == [b"aaaaaaaaa" + SPLIT_MARK, "€b".encode()]


def test_progress_output_without_newlines_rotates_at_the_bound(tmp_path: Path) -> None:
    # A progress bar redrawn with \r once made one file of 54 times its maxbytes.
    path = tmp_path / "progress.log"
    maxbytes = 100_000
    log = LogFile(str(path), maxbytes=maxbytes, backups=3)
    data = b"".join(b"\rprogress %d" % i for i in range(400_000))
    for chunk in chunks(data, [4096]):
        log.write(chunk)
    log.close()
    files = rotated_files(path)
    assert [f.name for f in files] == ["progress.log.3", "progress.log.2", "progress.log.1",
                                       "progress.log"]
    for f in files[:-1]:
        assert f.stat().st_size == maxbytes + len(SPLIT_MARK)
    assert path.stat().st_size < maxbytes
    kept = b"".join(f.read_bytes().removesuffix(SPLIT_MARK) for f in files)
    assert data.endswith(kept)


def test_backups_limit_keeps_the_newest_files(tmp_path: Path) -> None:
    path = tmp_path / "b.log"
    log = LogFile(str(path), maxbytes=40, backups=2)
    data = numbered(30)
    log.write(data)
    log.close()
    files = rotated_files(path)
    assert [f.name for f in files] == ["b.log.2", "b.log.1", "b.log"]
    joined = b"".join(f.read_bytes() for f in files)
    assert data.endswith(joined)  # the newest lines, contiguous


def test_backups_zero_truncates(tmp_path: Path) -> None:
    path = tmp_path / "t.log"
    log = LogFile(str(path), maxbytes=45, backups=0)
    log.write(numbered(10))
    log.close()
    assert list(tmp_path.iterdir()) == [path]
    text = path.read_bytes()
    assert len(text) <= 45 and text.endswith(b"\n") and numbered(10).endswith(text)


def test_non_seekable_target_is_written_without_rotation(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as f:
            received.append(f.read())

    t = threading.Thread(target=reader)
    t.start()
    log = LogFile(str(fifo), maxbytes=10, backups=3)  # rotation settings must be ignored
    log.write(numbered(50))
    log.close()
    t.join(10)
    assert received == [numbered(50)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]


def test_lazy_log_is_created_by_the_first_write(tmp_path: Path) -> None:
    path = tmp_path / "lazy.log"
    log = LogFile(str(path), lazy=True)
    assert not path.exists()
    log.write(b"hi\n")
    assert path.read_bytes() == b"hi\n"
    log.clear()
    assert path.read_bytes() == b""
    log.close()


def test_strip_ansi() -> None:
    assert strip_ansi(b"\x1b[1;31mred\x1b[0m plain \x1b[2K") == b"red plain "


def test_read_slice_semantics(tmp_path: Path) -> None:
    path = tmp_path / "r.log"
    path.write_bytes(b"0123456789")
    assert read_slice(str(path), -4, 0) == b"6789"
    assert read_slice(str(path), -40, 0) == b"0123456789"
    assert read_slice(str(path), 2, 3) == b"234"
    assert read_slice(str(path), 5, 0) == b"56789"
    for offset, length in ((-2, 1), (0, -1)):
        with pytest.raises(ValueError, match="BAD_ARGUMENTS"):
            read_slice(str(path), offset, length)
    with pytest.raises(ValueError, match="FAILED"):
        read_slice(str(tmp_path / "missing"), 0, 0)


def test_tail_slice_semantics(tmp_path: Path) -> None:
    path = tmp_path / "t.log"
    path.write_bytes(b"0123456789")
    assert tail_slice(str(path), 0, 4) == (b"6789", 10, True)
    assert tail_slice(str(path), 8, 4) == (b"6789", 10, False)
    assert tail_slice(str(path), 10, 4) == (b"", 10, False)


def test_main_log_format_and_level(tmp_path: Path) -> None:
    path = tmp_path / "main.log"
    log = MainLog(str(path), "info")
    log.debug("hidden")
    log.info("spawned: 'web' with pid 123")
    log.warn("careful")
    log.close()
    lines = path.read_text().splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO spawned: 'web' with pid 123",
                        lines[0])
    assert lines[1].endswith(" WARN careful")


def test_main_log_rotates(tmp_path: Path) -> None:
    path = tmp_path / "main.log"
    log = MainLog(str(path), "info", maxbytes=200, backups=2)
    for i in range(40):
        log.info(f"message {i}")
        log.flush()
    log.close()
    assert (tmp_path / "main.log.1").exists() and (tmp_path / "main.log.2").exists()
    assert all(p.read_text().endswith("\n") for p in tmp_path.iterdir() if p.stat().st_size)


def test_cleanup_removes_old_auto_logs_of_the_same_identifier(tmp_path: Path) -> None:
    names = ["web-stdout---supervisor-abcd1234.log", "web-stdout---supervisor-abcd1234.log.3",
             "web-stdout---other-abcd1234.log", "notes.txt"]
    for n in names:
        (tmp_path / n).write_text("x")
    cleanup_auto_logs(str(tmp_path), "supervisor")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt",
                                                          "web-stdout---other-abcd1234.log"]
