"""Log integrity under rotation: mixed lines and output without newlines, any chunking.

Whatever the child writes and however its output is cut into writes, the backups and the
current file, oldest first and each without its trailing split mark, are exactly the output;
no file passes its bound by more than one write (or the mark); no split cuts a UTF-8
character that came in one write.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_tools.runtime.logfile import SPLIT_MARK, LogFile

# Newlines, carriage returns and characters of 1 to 4 UTF-8 bytes; no "[" so that the
# output itself never contains the mark.
TEXT = st.text(alphabet="ab \r\n\té€😀", max_size=60)
PROGRESS = st.integers(0, 10**6).map(lambda i: f"\rprogress {i}")
OUTPUT = st.lists(st.one_of(TEXT, PROGRESS, TEXT.map(lambda t: t + "\n")), max_size=30)


def rotated_files(path: Path) -> list[Path]:
    backups = sorted(path.parent.glob(path.name + ".*"), key=lambda p: -int(p.suffix[1:]))
    return backups + [path]


def split_into_writes(text: str, sizes: list[int], by_character: bool) -> list[bytes]:
    """`text` as UTF-8, cut into writes of `sizes` bytes (or characters) in turn."""
    data: str | bytes = text if by_character else text.encode()
    out, pos, i = [], 0, 0
    while pos < len(data):
        size = sizes[i % len(sizes)]
        piece = data[pos:pos + size]
        out.append(piece.encode() if isinstance(piece, str) else piece)
        pos += size
        i += 1
    return out


def read_back(path: Path) -> tuple[bytes, list[tuple[bytes, bool]]]:
    """The output the files hold, and each file's output with whether it was split."""
    files = rotated_files(path)
    parts: list[tuple[bytes, bool]] = []
    for f in files[:-1]:
        content = f.read_bytes()
        split = content.endswith(SPLIT_MARK)
        if split:
            content = content[:-len(SPLIT_MARK)]
        else:
            assert content.endswith(b"\n"), f"{f.name} ends neither a line nor with the mark"
        parts.append((content, split))
    parts.append((files[-1].read_bytes(), False))
    for content, _ in parts:
        assert SPLIT_MARK not in content  # a mark only ever ends a file
    return b"".join(c for c, _ in parts), parts


def check(path: Path, data: bytes, writes: list[bytes], maxbytes: int,
          whole_characters: bool = True) -> list[bool]:
    joined, parts = read_back(path)
    assert joined == data  # nothing lost, nothing duplicated, order kept
    largest = max((len(w) for w in writes), default=0)
    for content, split in parts:
        if split:
            assert len(content) <= maxbytes  # split at the bound
        else:
            assert len(content) < maxbytes + largest  # past it only by the crossing write
        if whole_characters:
            content.decode("utf-8")  # every file starts and ends on a character boundary
    return [split for _, split in parts]


def write_all(path: Path, data: bytes, writes: list[bytes], maxbytes: int) -> None:
    # Enough backups to keep every file: each holds at least one byte of output.
    log = LogFile(str(path), maxbytes=maxbytes, backups=len(data) + 1)
    for w in writes:
        log.write(w)
        if log.rotatable:
            assert log.size < maxbytes  # every write leaves room: the next one is checked
    log.close()


@settings(max_examples=200, deadline=None)
@given(output=OUTPUT, sizes=st.lists(st.integers(1, 300), min_size=1, max_size=6),
       by_character=st.booleans(), maxbytes=st.integers(16, 400))
def test_rotation_keeps_every_byte_and_every_bound(tmp_path_factory: pytest.TempPathFactory,
                                                   output: list[str], sizes: list[int],
                                                   by_character: bool, maxbytes: int) -> None:
    path = tmp_path_factory.mktemp("integrity") / "out.log"
    text = "".join(output)
    data = text.encode()
    writes = split_into_writes(text, sizes, by_character)
    write_all(path, data, writes, maxbytes)
    # A character that came in two writes may be split; one that came whole never is.
    check(path, data, writes, maxbytes, whole_characters=by_character)


@settings(max_examples=100, deadline=None)
@given(output=st.text(alphabet="ab\r\né€😀", max_size=40),
       sizes=st.lists(st.integers(1, 12), min_size=1, max_size=4),
       by_character=st.booleans(), maxbytes=st.integers(1, 15))
def test_tiny_bounds_still_keep_every_byte(tmp_path_factory: pytest.TempPathFactory,
                                           output: str, sizes: list[int], by_character: bool,
                                           maxbytes: int) -> None:
    path = tmp_path_factory.mktemp("tiny") / "out.log"
    data = output.encode()
    writes = split_into_writes(output, sizes, by_character)
    write_all(path, data, writes, maxbytes)
    # A bound below 4 bytes may have to cut a character; nothing else changes.
    check(path, data, writes, maxbytes, whole_characters=by_character and maxbytes >= 4)


def test_mixed_output_rotates_at_lines_and_splits_at_the_bound(tmp_path: Path) -> None:
    path = tmp_path / "mixed.log"
    text = "".join(f"line {i}\n" if i % 3 else f"\rstep {i}" * 40 for i in range(300))
    data = text.encode()
    writes = split_into_writes(text, [7, 64, 300, 1], by_character=False)
    log = LogFile(str(path), maxbytes=200, backups=10_000)
    for w in writes:
        log.write(w)
    log.close()
    splits = check(path, data, writes, 200)
    assert any(splits) and not all(splits[:-1])  # both kinds of rotation happened
