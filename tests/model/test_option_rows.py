"""Every default, type and level of an option is the one its row in options/table.py says.

The model's dataclasses read most field defaults from the rows; the runtime's Policy and the
fields whose value takes another form repeat them. These tests fail as soon as a field says
something the table does not, or a field's annotation cannot hold what the row's type converts
to, or an option the row reads once per group sits on the process (or the other way round).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any

import pytest

from supervisor_tools.model import model as m
from supervisor_tools.model.restart import RestartPolicy
from supervisor_tools.options import types as t
from supervisor_tools.options.table import TABLE, OptionSpec, options_for
from supervisor_tools.runtime.states import Policy

# dataclass -> the section kind whose rows name its fields
HOLDERS: list[tuple[type[Any], str]] = [
    (m.ProcessConfig, "program"),
    (m.GroupConfig, "eventlistener"),
    (m.GroupConfig, "fcgi-program"),
    (m.SupervisordConfig, "supervisord"),
    (m.UnixHttpServerConfig, "unix_http_server"),
    (m.InetHttpServerConfig, "inet_http_server"),
    (m.SupervisorctlConfig, "supervisorctl"),
    (Policy, "program"),
    (RestartPolicy, "program"),
]

# Fields that carry an option in another form than its row's value, and how the row's value
# becomes that form. Each is a deliberate change of representation, not a second default.
FORM: dict[tuple[type[Any], str], Any] = {
    # the runtime signals by number; the model keeps the name
    (Policy, "stopsignal"): t.signal_number,
    # [inet_http_server] port is split into host and port fields
    (m.InetHttpServerConfig, "port"): lambda v: v[1],
}
# A pool's priority is the [eventlistener] row (-1); GroupConfig has no default for it.
NO_DEFAULT_ON: set[tuple[type[Any], str]] = {(m.GroupConfig, "priority")}
# GroupConfig serves every group kind: an option of only some kinds is None on the others,
# and the loader always sets it from the row on the kinds that have it.
ONLY_SOME_KINDS: set[tuple[type[Any], str]] = {(m.GroupConfig, "result_handler")}


def _field_default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


def _option_fields() -> list[tuple[type[Any], str, dataclasses.Field[Any], OptionSpec]]:
    out = []
    for cls, kind in HOLDERS:
        rows = options_for(kind)
        for f in dataclasses.fields(cls):
            if f.name in rows:
                out.append((cls, kind, f, rows[f.name]))
    return out


OPTION_FIELDS = _option_fields()


def _id(case: tuple[type[Any], str, dataclasses.Field[Any], OptionSpec]) -> str:
    return f"{case[0].__name__}.{case[2].name}[{case[1]}]"


def conforms(value: Any, hint: Any) -> bool:
    """Whether `value` is something a field annotated `hint` may hold."""
    if hint is Any:
        return True
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, h) for h in typing.get_args(hint))
    if origin is typing.Literal:
        return value in typing.get_args(hint)
    if hint is type(None):
        return value is None
    if origin is tuple:
        args = typing.get_args(hint)
        return isinstance(value, tuple) and all(conforms(v, args[0]) for v in value)
    if origin in (Mapping, dict):
        k, v = typing.get_args(hint)
        return isinstance(value, Mapping) and all(
            conforms(a, k) and conforms(b, v) for a, b in value.items())
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def test_every_model_option_field_is_checked() -> None:
    # guard against the table of holders going stale: each holder has option fields
    assert {c for c, *_ in OPTION_FIELDS} == {c for c, _ in HOLDERS}
    assert len(OPTION_FIELDS) > 60


@pytest.mark.parametrize("case", OPTION_FIELDS, ids=_id)
def test_field_default_is_the_rows(
        case: tuple[type[Any], str, dataclasses.Field[Any], OptionSpec]) -> None:
    cls, _, f, row = case
    default = _field_default(f)
    if (cls, f.name) in NO_DEFAULT_ON:
        assert default is dataclasses.MISSING
        return
    if (cls, f.name) in ONLY_SOME_KINDS:
        assert default is None
        return
    if row.required:
        return
    if row.computed is not None and default is None:
        return  # None: the loader leaves it for supervisord to compute, as the row says
    expected = FORM.get((cls, f.name), lambda v: v)(row.default)
    assert default == expected, f"{cls.__name__}.{f.name} defaults to {default!r}, " \
                                f"the table says {row.default!r}"


@pytest.mark.parametrize("case", OPTION_FIELDS, ids=_id)
def test_field_type_holds_the_rows_values(
        case: tuple[type[Any], str, dataclasses.Field[Any], OptionSpec]) -> None:
    cls, _, f, row = case
    hint = typing.get_type_hints(cls)[f.name]
    form = FORM.get((cls, f.name), lambda v: v)
    samples = [row.default] if row.default is not None else []
    if row.example is not None:
        samples.append(row.type.convert(row.example, host=False))
    for sample in samples:
        assert conforms(form(sample), hint), \
            f"{cls.__name__}.{f.name}: {hint} cannot hold {row.type.name} value {sample!r}"


def test_group_level_options_live_on_the_group() -> None:
    group_fields = {f.name for f in dataclasses.fields(m.GroupConfig)}
    process_fields = {f.name for f in dataclasses.fields(m.ProcessConfig)}
    for kind in ("program", "eventlistener", "fcgi-program"):
        for row in TABLE[kind]:
            if row.level == "group":
                assert row.name in group_fields, (kind, row.name)
                assert row.name not in process_fields, (kind, row.name)
            else:
                assert row.name in process_fields or row.name == "process_name", (kind, row.name)
