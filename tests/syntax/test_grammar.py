"""The generated parser matches the grammar, and every fixture prints back byte for byte."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from supervisor_tools.syntax.parser import parse, read_file
from supervisor_tools.syntax.printer import print_document

ROOT = Path(__file__).resolve().parents[2]


def _utf8(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False  # refused with a positioned error: test_non_utf8_is_refused_with_position
    return True


FIXTURE_FILES = sorted(
    p for p in (ROOT / "fixtures").rglob("*")
    if p.is_file() and p.suffix in (".conf", ".ini") and _utf8(p)
)


def test_generated_parser_is_fresh() -> None:
    spec = importlib.util.spec_from_file_location("build_parser", ROOT / "grammar/build_parser.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = (ROOT / "supervisor_tools/syntax/_tables.py").read_text(encoding="utf-8")
    stamp = f"# grammar-sha256: {module.grammar_digest()}\n"
    assert stamp in current, "run `make grammar` after editing grammar/supervisor.lark"


def test_there_are_fixtures() -> None:
    assert len(FIXTURE_FILES) > 100


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_fixture_round_trip(path: Path) -> None:
    text = path.read_bytes().decode("utf-8")
    assert print_document(parse(text, str(path))) == text


def test_spans_point_at_keys_and_values() -> None:
    doc = parse("[program:a]\n  command = /bin/cat ; c\nnumprocs: 2\n", "x.conf")
    opt = doc.sections[0].options()[0]
    assert (opt.key_span.line, opt.key_span.col, opt.key_span.end_col) == (2, 3, 10)
    assert (opt.value_span.line, opt.value_span.col, opt.value_span.end_col) == (2, 13, 21)
    assert doc.sections[0].header.name_span.col == 2
    second = doc.sections[0].options()[1]
    assert (second.key, second.value, second.value_span.col) == ("numprocs", "2", 11)


def test_continuation_value_and_span() -> None:
    doc = parse("[a]\nk = one\n\n  ; note\n  two\nnext=1\n", "x.conf")
    opt = doc.sections[0].options()[0]
    assert opt.value == "one\n\ntwo"
    assert (opt.value_span.line, opt.value_span.end_line) == (2, 5)


def test_non_utf8_is_refused_with_position(tmp_path: Path) -> None:
    path = tmp_path / "bad.conf"
    path.write_bytes(b"[supervisord]\nlogfile=caf\xe9\n")
    with pytest.raises(Exception) as info:
        read_file(str(path))
    assert str(info.value).startswith(f"{path}:2:12: ")
