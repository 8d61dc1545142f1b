"""The compact XML-RPC encoder and the request reader: both agree with the standard library."""

from __future__ import annotations

import xmlrpc.client
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervisor_tools.runtime.xmlenc import dump_fault, dump_response, load_request

# Characters XML 1.0 can carry, including the whitespace a parser could be tempted to drop.
text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"))
               | st.sampled_from(" \t\n<>&'\"]]>"))
values = st.recursive(
    st.one_of(text, st.integers(-2**31, 2**31 - 1), st.booleans(), st.binary(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(text, inner, max_size=4)),
    max_leaves=16)


def _standard(value: Any) -> Any:
    return xmlrpc.client.loads(xmlrpc.client.dumps((value,), methodresponse=True),
                               use_builtin_types=True)


@given(values)
def test_parses_exactly_like_the_standard_marshaller_output(value: Any) -> None:
    ours = xmlrpc.client.loads(dump_response(value), use_builtin_types=True)
    assert ours == _standard(value)
    assert ours[0][0] == value


def test_strings_have_no_type_tag_and_no_whitespace() -> None:
    body = dump_response([{"name": "web", "pid": 12, "spawnerr": ""}])
    assert b"<string>" not in body and b"\n" not in body
    assert b"<member><name>name</name><value>web</value></member>" in body
    assert b"<value></value>" in body  # the empty string stays a string
    assert xmlrpc.client.loads(body)[0][0] == [{"name": "web", "pid": 12, "spawnerr": ""}]


def test_leading_and_trailing_whitespace_survive() -> None:
    assert xmlrpc.client.loads(dump_response("  two words \n"))[0][0] == "  two words \n"


def test_fault_parses_like_the_standard_one() -> None:
    for dump in (dump_fault(10, "BAD_NAME: a<b"),
                 xmlrpc.client.dumps(xmlrpc.client.Fault(10, "BAD_NAME: a<b"),
                                     methodresponse=True).encode()):
        try:
            xmlrpc.client.loads(dump)
        except xmlrpc.client.Fault as fault:
            assert (fault.faultCode, fault.faultString) == (10, "BAD_NAME: a<b")
        else:
            raise AssertionError("no fault")


call_values = st.recursive(
    st.one_of(text, st.integers(-2**31, 2**31 - 1), st.booleans(), st.none(),
              st.floats(allow_nan=False), st.binary(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(text, inner, max_size=4)),
    max_leaves=16)


@given(st.lists(call_values, max_size=4), st.sampled_from(
    ["supervisor.getAllProcessInfo", "system.multicall", "a.b", ""]))
def test_requests_read_exactly_like_the_standard_unmarshaller(params: list[Any],
                                                                method: str) -> None:
    body = xmlrpc.client.dumps(tuple(params), method, allow_none=True).encode("utf-8")
    assert load_request(body) == xmlrpc.client.loads(body)


HANDWRITTEN = [
    # untyped values are strings; whitespace around a typed value is dropped
    b"<?xml version='1.0'?><methodCall><methodName>supervisor.startProcess</methodName>"
    b"<params><param><value>web</value></param><param><value> <boolean>1</boolean> </value>"
    b"</param></params></methodCall>",
    b"<methodCall><methodName>system.listMethods</methodName></methodCall>",
    b"<methodCall><methodName>x</methodName><params><param><value><struct><member><name>a"
    b"</name><value><i8>7</i8></value></member><member><name>b</name><value><array><data>"
    b"<value><nil/></value><value><double>1.5</double></value><value/></data></array></value>"
    b"</member></struct></value></param></params></methodCall>",
    # the rarer types the reader hands on
    b"<methodCall><methodName>x</methodName><params><param><value><dateTime.iso8601>"
    b"20260101T10:00:00</dateTime.iso8601></value></param></params></methodCall>",
    b"<methodCall><methodName>x</methodName><params><param><value><ex:i4 xmlns:ex='u'>3"
    b"</ex:i4></value></param></params></methodCall>",
]

BROKEN = [
    b"<methodCall><methodName>x</methodName><params><param><value><boolean>2</boolean>"
    b"</value></param></params></methodCall>",
    b"<methodCall><params><param><value><struct></value></param></params></methodCall>",
    b"<methodCall><methodName>x</methodName><params><param><value><i4>z</i4></value>"
    b"</param></params></methodCall>",
    b"<methodCall></methodCall>",
    b"not xml at all",
]


@pytest.mark.parametrize("body", HANDWRITTEN)
def test_handwritten_requests_read_like_the_standard_unmarshaller(body: bytes) -> None:
    assert load_request(body) == xmlrpc.client.loads(body)


@pytest.mark.parametrize("body", BROKEN)
def test_broken_requests_are_refused_like_the_standard_unmarshaller(body: bytes) -> None:
    with pytest.raises(Exception):  # noqa: B017 - any parse error means 400 Bad Request
        xmlrpc.client.loads(body)
    with pytest.raises(Exception):  # noqa: B017
        load_request(body)
