"""A small, fast XML-RPC response encoder for the value types the API returns.

The standard library's marshaller walks values through several layers of dispatch; the
supervisor's replies are only strings, ints, bools, lists and string-keyed dicts, so a direct
encoder answers a 500-process getAllProcessInfo several times faster.

The reply is also kept small, because a client spends most of a big call parsing it: strings
are written as `<value>text</value>` (the XML-RPC spec's default type, which every client reads
as a string), ints as `<i4>`, and there is no whitespace between elements.
"""

from __future__ import annotations

import base64
from typing import Any

_HEAD = b"<?xml version='1.0'?><methodResponse>"
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _escape(s: str) -> str:
    # The common case, a plain name or path, needs no copy.
    if "&" in s or "<" in s or ">" in s:
        return s.translate(_ESCAPES)
    return s


def _encode(value: Any, out: list[str]) -> None:
    t = type(value)
    if t is str:
        out.append(f"<value>{_escape(value)}</value>")
    elif t is bool:
        out.append("<value><boolean>1</boolean></value>" if value
                   else "<value><boolean>0</boolean></value>")
    elif t is int:
        out.append(f"<value><i4>{value}</i4></value>")
    elif t is dict:
        out.append("<value><struct>")
        for k, v in value.items():
            out.append(f"<member><name>{_escape(str(k))}</name>")
            _encode(v, out)
            out.append("</member>")
        out.append("</struct></value>")
    elif t is list or t is tuple:
        out.append("<value><array><data>")
        for v in value:
            _encode(v, out)
        out.append("</data></array></value>")
    elif t is float:
        out.append(f"<value><double>{value!r}</double></value>")
    elif t is bytes:
        out.append(f"<value><base64>{base64.b64encode(value).decode('ascii')}</base64></value>")
    elif value is None:
        out.append("<value><nil/></value>")
    else:
        raise TypeError(f"cannot marshal {t.__name__}")


def dump_response(value: Any) -> bytes:
    out = ["<params><param>"]
    _encode(value, out)
    out.append("</param></params></methodResponse>")
    return _HEAD + "".join(out).encode("utf-8")


def dump_fault(code: int, text: str) -> bytes:
    out = ["<fault>"]
    _encode({"faultCode": code, "faultString": text}, out)
    out.append("</fault></methodResponse>")
    return _HEAD + "".join(out).encode("utf-8")
