"""Request heads: strict framing, one reading of every byte stream, never an exception other
than the HttpError that becomes a 4xx."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervisor_tools.runtime.httpwire import HttpError, parse_head


def head(*lines: str) -> bytes:
    return "\r\n".join(["POST /RPC2 HTTP/1.1", *lines]).encode("utf-8")


def test_a_plain_request() -> None:
    req = parse_head(head("Host: localhost", "Content-Type: text/xml; charset=utf-8",
                          "Content-Length: 12", "Connection: keep-alive"))
    assert (req.method, req.path, req.version, req.length) == ("POST", "/RPC2", "HTTP/1.1", 12)
    assert req.media_type == "text/xml" and req.keep_alive
    assert parse_head(b"GET / HTTP/1.0").length == 0
    assert not parse_head(b"GET / HTTP/1.0").keep_alive


def test_the_same_length_twice_is_one_length() -> None:
    assert parse_head(head("Content-Length: 5", "Content-Length: 5")).length == 5
    assert parse_head(head("Content-Length: 5, 5")).length == 5


@pytest.mark.parametrize("line", [
    "Content-Length: -5", "Content-Length: -0", "Content-Length: +5", "Content-Length: 5x",
    "Content-Length: 0x10", "Content-Length: 1e3", "Content-Length:", "Content-Length: 5 5",
    "Content-Length: 5, 6", "Content-Length: \u0665", "Content-Length: 1234567890123456789",
    "Transfer-Encoding: chunked", "Transfer-Encoding: identity",
    "Bad Name: x", "Host : x", " folded", "no colon", "X: a\x00b", "X: a\rb", ":empty",
])
def test_malformed_heads_are_400(line: str) -> None:
    with pytest.raises(HttpError) as info:
        parse_head(head(line))
    assert info.value.status == "400 Bad Request"


def test_conflicting_repeated_lengths_are_400() -> None:
    with pytest.raises(HttpError):
        parse_head(head("Content-Length: 5", "Content-Length: 6"))


@pytest.mark.parametrize("line", [b"", b"GET", b"GET /", b"GET / HTTP/2.0", b"GET  / HTTP/1.1",
                                  b"GET / HTTP/1.1 x", b"G(T / HTTP/1.1", b"GET /a b HTTP/1.1",
                                  b"GET / http/1.1"])
def test_malformed_request_lines_are_400(line: bytes) -> None:
    with pytest.raises(HttpError):
        parse_head(line)


@given(st.binary(max_size=300))
def test_any_bytes_give_a_request_or_an_http_error(data: bytes) -> None:
    try:
        req = parse_head(data)
    except HttpError as exc:
        assert exc.status.startswith("4")
        return
    assert req.length >= 0 and req.version in ("HTTP/1.0", "HTTP/1.1")


@given(st.lists(st.sampled_from(["Content-Length", "content-length", "Transfer-Encoding",
                                 "Host", "Expect"]), max_size=4),
       st.lists(st.text(alphabet="0123456789-+ ,xabc\t", max_size=8), min_size=4, max_size=4))
def test_a_length_is_accepted_only_when_unambiguous(names: list[str], values: list[str]) -> None:
    lines = [f"{n}: {v}" for n, v in zip(names, values, strict=False)]
    lengths = {p.strip(" \t") for n, v in zip(names, values, strict=False)
               if n.lower() == "content-length" for p in v.split(",")}
    try:
        req = parse_head(head(*lines))
    except HttpError:
        return
    assert not any(n.lower() == "transfer-encoding" for n in names)
    if lengths:
        (only,) = lengths
        assert only.isdigit() and req.length == int(only)
    else:
        assert req.length == 0
