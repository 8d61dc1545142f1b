"""A value that fails to convert is classified by the kind its type gives, never by its text."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from supervisor_tools.model import load
from supervisor_tools.options import types as t

MISSING_USER = "svtool-no-such-user-x"
MISSING_DIR = "/nonexistent-svtool-dir/sub"


def _codes(tmp_path: Path, body: str) -> set[str]:
    path = tmp_path / "supervisord.conf"
    path.write_text(f"[supervisord]\n[program:p]\ncommand=/bin/cat\n{body}")
    return {e.code for e in load(str(path), host_checks=True).errors}


@pytest.mark.parametrize(("body", "code"), [
    # a wrong value whose text happens to read like a missing directory or user is still
    # just a wrong value, wherever the config is read
    ("autostart=does not exist\n", "invalid-value"),
    ("startsecs=Invalid user\n", "invalid-value"),
    ("autorestart=is not an existing directory\n", "invalid-value"),
    (f"user={MISSING_USER}\n", "host-user"),
    (f"stdout_logfile={MISSING_DIR}/out.log\n", "host-path"),
])
def test_loader_codes_come_from_the_kind(tmp_path: Path, body: str, code: str) -> None:
    assert code in _codes(tmp_path, body)
    assert {"invalid-value", "host-user", "host-path"} & _codes(tmp_path, body) == {code}


@pytest.mark.parametrize(("type_", "text", "kind"), [
    (t.USER, MISSING_USER, t.HOST_USER),
    (t.USERGROUP, f"root:{MISSING_USER}", t.HOST_USER),
    (t.DIRECTORY, MISSING_DIR, t.HOST_PATH),
    (t.DIRPATH, f"{MISSING_DIR}/x.pid", t.HOST_PATH),
    (t.BOOLEAN, "maybe", t.INVALID),
    (t.SIGNAL, "NOPE", t.INVALID),
    (t.USER, "a b", t.INVALID),
])
def test_types_give_the_kind(type_: t.ValueType, text: str, kind: str) -> None:
    with pytest.raises(t.ConversionError) as info:
        type_.convert(text, host=True)
    assert info.value.kind == kind
    # the kind survives pickling (a forked parse returns errors by pickle)
    again = pickle.loads(pickle.dumps(info.value))
    assert (again.kind, str(again)) == (kind, str(info.value))
    # without host checks a host-only failure is no failure at all
    if kind != t.INVALID:
        type_.convert(text, host=False)
