"""A child's stdin written as the pipe drains: everything arrives, in order, up to a bound."""

from __future__ import annotations

import contextlib
import os
import random
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_tools.runtime.loop import Loop
from supervisor_tools.runtime.stdin import STDIN_BUFFER_MAX, StdinFull, StdinWriter


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    r, w = os.pipe()
    os.set_blocking(w, False)
    os.set_blocking(r, False)
    yield r, w
    for fd in (r, w):
        with contextlib.suppress(OSError):
            os.close(fd)


def drain(loop: Loop, writer: StdinWriter, r: int, want: int) -> bytes:
    got = bytearray()
    while len(got) < want:
        with contextlib.suppress(BlockingIOError):
            got += os.read(r, 10_000)  # a slow reader: less than a pipe-full at a time
        if writer.unsent:
            pump(loop)  # when the pipe has room again, the loop writes more
    return bytes(got)


def pump(loop: Loop) -> None:
    """One pass of the loop that never sleeps long: a pipe with a little room left may not
    count as writable yet, and the reader is this same thread."""
    loop.call_later(0.001, lambda: None)
    loop.run_once()


def test_megabytes_in_several_writes_arrive_whole_and_in_order(pipe: tuple[int, int]) -> None:
    r, w = pipe
    loop = Loop()
    writer = StdinWriter(loop, w)
    rng = random.Random(4)
    parts = [rng.randbytes(n) for n in (1 << 20, 3, 300_000, 70_000)]
    for part in parts:
        writer.write(part)
    assert writer.unsent > 0  # more than the pipe holds waits in the buffer
    assert drain(loop, writer, r, sum(map(len, parts))) == b"".join(parts)
    assert writer.unsent == 0 and w not in loop.selector.get_map()
    loop.close()


def test_data_past_the_bound_is_refused_whole(pipe: tuple[int, int]) -> None:
    r, w = pipe
    loop = Loop()
    writer = StdinWriter(loop, w, limit=200_000)
    writer.write(b"a" * 150_000)
    queued = writer.unsent
    with pytest.raises(StdinFull):
        writer.write(b"b" * (200_001 - queued))
    assert writer.unsent == queued  # nothing of the refused call was queued
    writer.write(b"c" * (200_000 - queued))  # up to the bound is fine
    assert drain(loop, writer, r, 150_000 + 200_000 - queued) == (
        b"a" * 150_000 + b"c" * (200_000 - queued))
    assert STDIN_BUFFER_MAX >= 1 << 20
    loop.close()


def test_a_closed_reader_is_a_broken_pipe_now_and_later(pipe: tuple[int, int]) -> None:
    r, w = pipe
    loop = Loop()
    writer = StdinWriter(loop, w)
    writer.write(b"x" * 200_000)
    os.close(r)
    loop.run_once()  # the pipe reports writable (broken); what waits is dropped
    assert writer.broken and writer.unsent == 0
    with pytest.raises(BrokenPipeError):
        writer.write(b"more")
    loop.close()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 200_000), min_size=1, max_size=8), st.integers(999, 70_000),
       st.integers(0, 2**32))
def test_whatever_the_sizes_the_reader_gets_every_byte_in_order(sizes: list[int], step: int,
                                                               seed: int) -> None:
    rng = random.Random(seed)
    r, w = os.pipe()
    os.set_blocking(w, False)
    os.set_blocking(r, False)
    loop = Loop()
    writer = StdinWriter(loop, w)
    parts = [rng.randbytes(n) for n in sizes]
    got = bytearray()
    try:
        for part in parts:
            writer.write(part)
            with contextlib.suppress(BlockingIOError):
                got += os.read(r, step)
        while len(got) < sum(sizes):
            with contextlib.suppress(BlockingIOError):
                got += os.read(r, step)
            if writer.unsent:
                pump(loop)
        assert bytes(got) == b"".join(parts) and writer.unsent == 0
    finally:
        loop.close()
        os.close(r)
        os.close(w)
