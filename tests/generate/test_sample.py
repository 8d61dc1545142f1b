"""The annotated sample and the minimal config: complete, and loadable as generated."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_tools.errors import SvtoolError
from supervisor_tools.generate.sample import (
    SAMPLE_HEADERS,
    SAMPLE_ORDER,
    full_sample,
    minimal_config,
)
from supervisor_tools.model import load
from supervisor_tools.options.table import TABLE
from tests.generate.helpers import lint_errors, process_configs, supervisor_load, svtool_load

HEADER_RE = re.compile(r"^;?\[(?P<name>[^\]]+)\]", re.MULTILINE)
LINE_RE = re.compile(r"^;?(?P<key>[\w.]+) ?= ?(?P<value>.*?)(?:\s+;.*)?$")


def blocks(text: str) -> dict[str, list[str]]:
    """Section name -> its lines (commented or not), in order."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        header = HEADER_RE.match(line)
        if header:
            current = out.setdefault(header.group("name"), [])
        elif current is not None and line and not line.startswith("; "):
            current.append(line)
    return out


def test_every_kind_of_the_table_is_in_the_sample() -> None:
    assert sorted(SAMPLE_ORDER) == sorted(TABLE)


def test_every_option_of_the_table_is_in_its_section() -> None:
    sample = blocks(full_sample())
    for kind, rows in TABLE.items():
        lines = sample[SAMPLE_HEADERS.get(kind, kind)]
        keys = [m.group("key") for m in map(LINE_RE.match, lines) if m]
        assert keys == [r.name for r in rows], kind
        for line, r in zip(lines, rows, strict=True):
            if r.required:
                assert "(required)" in line
            elif r.default_text:
                assert r.default_text in line.partition(" ; ")[2] or "default" in r.doc, line
            assert r.doc in line


def test_sample_loads_in_supervisord_and_svtool(tmp_path: Path) -> None:
    path = tmp_path / "supervisord.conf"
    path.write_text(full_sample())
    options = supervisor_load(path)
    assert options.logfile == str(tmp_path / "supervisord.log")
    servers = options.configroot.supervisord.server_configs
    assert [s["file"] for s in servers] == [str(tmp_path / "supervisor.sock")]
    result = svtool_load(path)
    assert result.ok, result.errors
    assert not result.warnings
    assert lint_errors(path) == []


def uncomment_all(text: str) -> str:
    return "\n".join(line[1:] if re.match(r"^;[\[\w]", line) else line
                     for line in text.splitlines()) + "\n"


def test_every_sample_value_is_valid_when_uncommented(tmp_path: Path) -> None:
    # Values naming users and paths of another machine are not checked here.
    path = tmp_path / "all.conf"
    path.write_text(uncomment_all(full_sample()))
    result = load(str(path), host_checks=False)
    # the sample group names example programs that the sample does not define
    assert {e.code for e in result.errors} == {"group-unknown-program"}, result.errors
    kinds = {g.kind for g in result.model.groups}
    assert kinds >= {"eventlistener", "fcgi-program"}, kinds


def test_minimal_config_loads_in_supervisord_and_svtool(tmp_path: Path) -> None:
    base = tmp_path / "sv"
    for sub in ("log", "conf.d"):
        (base / sub).mkdir(parents=True)
    path = base / "supervisord.conf"
    path.write_text(minimal_config(str(base)))
    options = supervisor_load(path)
    assert options.logfile == str(base / "log" / "supervisord.log")
    assert options.childlogdir == str(base / "log")
    assert "/tmp/" not in path.read_text().replace(str(tmp_path), "")
    assert process_configs(options) == {}
    result = svtool_load(path)
    assert result.ok, result.errors
    assert lint_errors(path) == []


def test_minimal_escapes_percent_and_glob_characters_in_the_directory(tmp_path: Path) -> None:
    base = tmp_path / "100%[x]"
    for sub in ("log", "conf.d"):
        (base / sub).mkdir(parents=True)
    path = base / "supervisord.conf"
    path.write_text(minimal_config(str(base)))
    (base / "conf.d" / "a.conf").write_text("[program:a]\ncommand=/bin/cat\n")
    options = supervisor_load(path)
    assert options.pidfile == str(base / "supervisord.pid")
    assert list(process_configs(options)) == ["a"]


@settings(max_examples=40, deadline=None)
@given(st.text(st.sampled_from("a%[]*?é'\"$#;:,=() \t"), min_size=1, max_size=6))
def test_minimal_any_directory_is_refused_or_works(name: str) -> None:
    with tempfile.TemporaryDirectory(prefix="svtool-min-") as tmp:
        base = Path(tmp) / name
        try:
            text = minimal_config(str(base))
        except SvtoolError:
            return
        for sub in ("log", "conf.d"):
            (base / sub).mkdir(parents=True)
        (base / "conf.d" / "a.conf").write_text("[program:a]\ncommand=/bin/cat\n")
        path = base / "supervisord.conf"
        path.write_text(text)
        options = supervisor_load(path)
        assert options.pidfile == str(base / "supervisord.pid")
        assert options.childlogdir == str(base / "log")
        assert list(process_configs(options)) == ["a"]
        servers = options.configroot.supervisord.server_configs
        assert [s["file"] for s in servers] == [str(base / "supervisor.sock")]


@pytest.mark.parametrize(("directory", "message"), [
    ("/srv/a ;b", "comment"),
    ("/srv/a\nb", "single line"),
    ("/" + "d" * 120, "longer than"),
    ("/srv/a b", "whitespace"),
])
def test_minimal_refuses_directories_it_cannot_write(directory: str, message: str) -> None:
    with pytest.raises(SvtoolError, match=message):
        minimal_config(directory)
