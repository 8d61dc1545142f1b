"""Every svtool extension row a program reads in one go (restart policy, readiness and
liveness, dependencies, log format) takes its written value, from the section or from [DEFAULT], and its row's default
when left out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from supervisor_tools.model.groups import _PROCESS_EXTENSIONS, _SECTION_EXTENSIONS
from supervisor_tools.model.resolve import load
from supervisor_tools.options.table import options_for

NAMES = (*_SECTION_EXTENSIONS, *_PROCESS_EXTENSIONS)
CANDIDATES = ("7", "true", "false", "/bin/true", "http://127.0.0.1:8/ready", "127.0.0.1:8",
              "ready")


def _written(name: str) -> tuple[str, Any]:
    """A text for the option that reads as something other than its default."""
    row = options_for("program")[name]
    for text in (*CANDIDATES, *((row.example,) if row.example else ())):
        try:
            value = row.type.convert(text, host=False)
        except ValueError:
            continue
        if value != row.default:
            return text, value
    raise AssertionError(f"no candidate value for {name}")


def test_the_names_cover_the_extension_rows() -> None:
    assert len(NAMES) == len(set(NAMES)) > 20


@pytest.mark.parametrize("where", ["section", "DEFAULT", "unset"])
@pytest.mark.parametrize("name", NAMES)
def test_an_extension_row_is_read(tmp_path: Path, name: str, where: str) -> None:
    text, value = _written(name)
    line = f"{name} = {text}\n"
    conf = tmp_path / "supervisord.conf"
    conf.write_text(("[DEFAULT]\n" + line if where == "DEFAULT" else "") +
                    "[program:web]\ncommand = /usr/bin/web\n" +
                    (line if where == "section" else ""))
    result = load(str(conf), host_checks=False)
    (proc,) = result.model.processes()
    expected = options_for("program")[name].default if where == "unset" else value
    assert getattr(proc, name) == expected
