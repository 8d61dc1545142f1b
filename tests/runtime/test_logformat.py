"""Child log formats: whole lines out of any chunks, every byte kept, the held part bounded."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_tools.runtime.logformat import LineFormatter, formatters


def records(out: bytes) -> list[dict[str, object]]:
    assert out == b"" or out.endswith(b"\n")
    return [json.loads(line) for line in out.split(b"\n")[:-1]]


def rebuilt(recs: list[dict[str, object]]) -> bytes:
    """The output again: each message, with its newline unless the record is partial."""
    return b"".join(str(r["message"]).encode("utf-8", "surrogateescape")
                    + (b"" if r.get("partial") else b"\n") for r in recs)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=20), st.integers(min_value=1, max_value=16))
def test_json_lines_give_back_the_output_from_any_chunks(chunks: list[bytes],
                                                         limit: int) -> None:
    fmt = LineFormatter("json", "web", "grp", "stdout", clock=lambda: 1.0, limit=limit)
    out = b""
    for chunk in chunks:
        out += fmt.feed(chunk)
        assert len(fmt.held) <= limit  # bounded, whatever the writer sends
    out += fmt.flush()
    recs = records(out)
    assert rebuilt(recs) == b"".join(chunks)
    for r in recs:
        assert (r["process"], r["group"], r["stream"]) == ("web", "grp", "stdout")
        assert len(str(r["message"]).encode("utf-8", "surrogateescape")) <= limit


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\n",
                                               blacklist_categories=("Cs",)), max_size=30),
                max_size=10))
def test_whole_lines_are_whole_records(lines: list[str]) -> None:
    fmt = LineFormatter("json", "web", "web", "stderr", clock=lambda: 1.0)
    data = "".join(line + "\n" for line in lines).encode()
    recs = records(fmt.feed(data[: len(data) // 2]) + fmt.feed(data[len(data) // 2:])
                   + fmt.flush())
    assert [r["message"] for r in recs] == lines
    assert not any(r.get("partial") for r in recs)


def test_a_json_record_says_when_where_and_what() -> None:
    fmt = LineFormatter("json", "web_1", "web", "stderr", clock=lambda: 1764804001.25)
    out = fmt.feed("héllo \"x\"\n".encode())
    assert json.loads(out) == {"timestamp": "2025-12-03T23:20:01.250Z", "process": "web_1",
                               "group": "web", "stream": "stderr", "message": "héllo \"x\""}
    assert "héllo".encode() in out  # readable UTF-8, not \u escapes


def test_bytes_that_are_not_utf8_are_escaped_and_kept() -> None:
    fmt = LineFormatter("json", "a", "a", "stdout", clock=lambda: 0.0)
    out = fmt.feed(b"\xff\xfe ok\n")
    assert b"\\udcff\\udcfe ok" in out
    assert rebuilt(records(out)) == b"\xff\xfe ok\n"


def test_prefix_lines() -> None:
    fmt = LineFormatter("prefix", "g1", "grp", "stdout", clock=lambda: 0.0)
    out = fmt.feed(b"one\ntw") + fmt.feed(b"o\nthr") + fmt.flush()
    lines = out.decode().splitlines()
    assert [line.split(" ", 2)[2] for line in lines] == ["grp:g1 stdout | one",
                                                         "grp:g1 stdout | two",
                                                         "grp:g1 stdout | thr"]
    assert all(len(line.split(" ")[1]) == len("00:00:00,000") for line in lines)


def test_raw_has_no_formatter() -> None:
    assert formatters("raw", "a", "a") == {}
    assert set(formatters("json", "a", "a")) == {"stdout", "stderr"}
