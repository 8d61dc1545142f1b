"""The speed tricks kept (bench/LOAD_RESULTS.md says why) give what the plain code they stand in
for gives: each is held here to the standard library or constructor it replaces."""

from __future__ import annotations

import dataclasses
import itertools
import os
import platform
import tempfile
from pathlib import Path

import pytest

from supervisor_tools.errors import Span
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rules.dependencies import graph
from supervisor_tools.model.depgraph import build_graph
from supervisor_tools.model.reader import Reader
from supervisor_tools.model.resolve import load
from supervisor_tools.options.types import system_tempdir
from supervisor_tools.syntax import ast
from supervisor_tools.syntax.ast import fast_constructor
from supervisor_tools.syntax.parser import parse


def _stdlib_tempdir() -> str:
    tempfile.tempdir = None  # gettempdir() remembers its first answer
    try:
        return tempfile.gettempdir()
    finally:
        tempfile.tempdir = None


@pytest.mark.parametrize("setting", ["unset", "usable", "missing", "a file", "empty"])
def test_system_tempdir_is_what_tempfile_picks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               setting: str) -> None:
    (tmp_path / "file").write_text("")
    value = {"usable": str(tmp_path), "missing": str(tmp_path / "nope"),
             "a file": str(tmp_path / "file"), "empty": ""}.get(setting)
    for name in ("TMPDIR", "TEMP", "TMP"):
        monkeypatch.delenv(name, raising=False)
    if value is not None:
        monkeypatch.setenv("TMPDIR", value)
    assert system_tempdir() == _stdlib_tempdir()
    if setting == "usable":
        assert system_tempdir() == str(tmp_path)


def test_a_later_variable_is_used_when_the_first_is_unusable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / "nope"))
    monkeypatch.setenv("TEMP", str(tmp_path))
    monkeypatch.delenv("TMP", raising=False)
    assert system_tempdir() == _stdlib_tempdir() == str(tmp_path)


NODES = [ast.Blank, ast.Comment, ast.BadLine, ast.Header, ast.ValueLine, ast.Option,
         ast.Section, ast.Document]


@pytest.mark.parametrize("cls", NODES, ids=lambda c: c.__name__)
def test_fast_constructor_builds_what_the_class_builds(cls: type) -> None:
    doc = parse("; head\n[program:x]\ncommand = /bin/cat ; c\n  more\n\njunk\n", "x.conf")
    found = [n for n in _walk(doc) if type(n) is cls]
    assert found, cls
    for node in found:
        values = [getattr(node, f.name) for f in dataclasses.fields(node)]
        built = fast_constructor(cls)(*values)
        assert type(built) is cls
        assert built == cls(*values) == node
        with pytest.raises(dataclasses.FrozenInstanceError):
            built.span = Span.point("y.conf")  # still frozen


def _walk(node: object) -> list[object]:
    out = [node]
    for f in dataclasses.fields(node):  # type: ignore[arg-type]
        value = getattr(node, f.name)
        for item in value if isinstance(value, tuple) and not isinstance(value, Span) \
                else [value]:
            if dataclasses.is_dataclass(item):
                out.extend(_walk(item))
    return out


def test_tempdir_candidates_are_the_ones_tempfile_knows() -> None:
    # the order of the fallbacks after the variables, as tempfile lists them on POSIX
    fallbacks = [d for d in tempfile._candidate_tempdir_list()  # type: ignore[attr-defined]
                 if d not in {os.environ.get(n) for n in ("TMPDIR", "TEMP", "TMP")}]
    assert fallbacks[:3] == ["/tmp", "/var/tmp", "/usr/tmp"]


def test_the_node_name_is_what_platform_says() -> None:
    assert Reader({}, host_checks=False).node == platform.node()


# one program's dependency keys, each left out or set (depends_on and the wait may name the
# other program, a group, or nothing that exists)
_DEPENDS = ("", "depends_on = db", "depends_on = nothing")
_SWITCH = ("", "dependent_startup = true", "dependent_startup = false")
_WAIT = ("", "dependent_startup_wait_for = db:running", "dependent_startup_wait_for = web:exited")


@pytest.mark.parametrize("keys", list(itertools.product(_DEPENDS, _SWITCH, _WAIT)))
def test_the_dependency_rules_skip_the_graph_only_when_it_is_empty(
        tmp_path: Path, keys: tuple[str, ...]) -> None:
    conf = tmp_path / "supervisord.conf"
    conf.write_text("[program:web]\ncommand = /usr/bin/web\n" + "\n".join(keys) +
                    "\n[program:db]\ncommand = /usr/bin/db\n")
    result = load(str(conf))
    assert result.ok, result.errors
    assert (graph(Context(result)) is None) == build_graph(result.model).empty
