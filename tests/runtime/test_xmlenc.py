"""The compact XML-RPC encoder: the standard library reads it exactly as its own output."""

from __future__ import annotations

import xmlrpc.client
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from supervisor_tools.runtime.xmlenc import dump_fault, dump_response

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
