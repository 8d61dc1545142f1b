"""The value types of the readiness options: what they accept, refuse and give back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervisor_tools.options.conversion import ConversionError
from supervisor_tools.options.readiness import (
    HOST_PORT,
    HTTP_URL,
    REGEX,
    split_host_port,
)

hosts = st.sampled_from(["127.0.0.1", "localhost", "db.internal", "::1", "10.0.0.7"])
ports = st.integers(1, 65535)


@given(hosts, ports)
def test_host_port_is_stable_text(host: str, port: int) -> None:
    written = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    value = HOST_PORT.convert(written)
    assert HOST_PORT.convert(value) == value
    assert split_host_port(value) == (host, port)


@given(ports)
def test_a_bare_port_is_loopback(port: int) -> None:
    assert split_host_port(HOST_PORT.convert(str(port))) == ("127.0.0.1", port)


@pytest.mark.parametrize("bad", ["127.0.0.1:0", "127.0.0.1:65536", "x:y", "", "host:"])
def test_host_port_refusals(bad: str) -> None:
    with pytest.raises(ConversionError):
        HOST_PORT.convert(bad)


@pytest.mark.parametrize("good", ["http://127.0.0.1/", "http://localhost:8080/ready?x=1",
                                  "http://[::1]:9000/h", "https://x/", "https://[::1]:8443/h"])
def test_http_urls(good: str) -> None:
    assert HTTP_URL.convert(f" {good} ") == good


@pytest.mark.parametrize("bad", ["127.0.0.1:80/x", "http:///x", "http://x:99999/", "ftp://x",
                                 "https://x:0x1/", "httpss://x/", "https:///x"])
def test_http_url_refusals(bad: str) -> None:
    with pytest.raises(ConversionError):
        HTTP_URL.convert(bad)


def test_regex_is_checked_and_kept_as_written() -> None:
    assert REGEX.convert(r"^ready \d+$") == r"^ready \d+$"
    with pytest.raises(ConversionError, match="not a valid regular expression"):
        REGEX.convert("(unclosed")
