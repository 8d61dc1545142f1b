"""Defaults that depend on something else are said in the row, and everything reads them there.

`killasgroup` follows `stopasgroup`, `process_name` is `%(program_name)s`, `serverurl` AUTO is
computed: the loader (checked against supervisord 4.3.0), the YAML writer, docs/options.md, the
JSON Schema and echo-conf all take this from the row.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from supervisor_tools.convert.schema import build_schema
from supervisor_tools.convert.yaml_in import from_yaml_text
from supervisor_tools.convert.yaml_out import to_yaml
from supervisor_tools.generate.sample import full_sample
from supervisor_tools.model import load
from supervisor_tools.options.table import TABLE, OptionSpec, options_for
from tests.oracle import run_oracle

REPO = Path(__file__).resolve().parents[2]
PROCESS_KINDS = ("program", "eventlistener", "fcgi-program")
SECTION_HEAD = {"program": "program:p", "eventlistener": "eventlistener:p",
                "fcgi-program": "fcgi-program:p"}
EXTRA = {"program": "", "eventlistener": "events=TICK_5\n",
         "fcgi-program": "socket=tcp://127.0.0.1:9999\n"}


def _rows(attr: str) -> list[tuple[str, OptionSpec]]:
    return [(kind, row) for kind, rows in TABLE.items() for row in rows
            if getattr(row, attr) is not None]


FOLLOWING = _rows("follows")
COMPUTED = _rows("computed")


def test_the_dependent_defaults_are_in_the_rows() -> None:
    program = options_for("program")
    assert program["killasgroup"].follows == "stopasgroup"
    assert program["process_name"].computed is not None
    assert program["serverurl"].computed is not None
    for kind, row in FOLLOWING:
        followed = options_for(kind)[row.follows or ""]
        assert followed.type == row.type and followed.default == row.default, (kind, row.name)


def _write(tmp_path: Path, kind: str, body: str) -> Path:
    path = tmp_path / "supervisord.conf"
    path.write_text(f"[supervisord]\n[{SECTION_HEAD[kind]}]\ncommand=/bin/cat\n"
                    f"{EXTRA[kind]}{body}")
    return path


@pytest.mark.parametrize(("kind", "row"), [c for c in FOLLOWING if c[0] in PROCESS_KINDS],
                         ids=lambda v: v if isinstance(v, str) else v.name)
@pytest.mark.parametrize("value", ["true", "false"])
def test_loader_follows_as_supervisord_does(tmp_path: Path, kind: str, row: OptionSpec,
                                            value: str) -> None:
    path = _write(tmp_path, kind, f"{row.follows}={value}\n")
    result = load(str(path), host_checks=False)
    [proc] = result.model.processes()
    oracle = run_oracle(str(path))
    assert oracle["ok"], oracle
    [theirs] = oracle["config"]["groups"][0]["processes"]
    assert getattr(proc, row.name) == theirs[row.name] == (value == "true")
    # the YAML form leaves it out when it follows, and reading it back follows again
    text = to_yaml(result)
    assert f"{row.name}:" not in text
    ini = tmp_path / "again.conf"
    ini.write_text(from_yaml_text(text, str(tmp_path / "again.yaml")))
    again = load(str(ini), host_checks=False)
    assert getattr(again.model.processes()[0], row.name) == (value == "true")


@pytest.mark.parametrize(("kind", "row"), FOLLOWING + COMPUTED,
                         ids=lambda v: v if isinstance(v, str) else v.name)
def test_generated_docs_say_the_dependent_default(kind: str, row: OptionSpec) -> None:
    docs = (REPO / "docs" / "options.md").read_text()
    line = next(li for li in docs.splitlines() if li.startswith(f"| `{row.name}` |")
                and (row.follows or row.computed or "") in li)
    if row.follows is not None:
        assert f"the value of `{row.follows}`" in line
    else:
        assert f"{row.computed}" in line and f"`{row.default_text}`" in line

    schema = build_schema()
    committed = json.loads((REPO / "schemas" / "supervisor.schema.json").read_text())
    assert committed == schema
    described = json.dumps(schema)
    assert f"default {row.default_doc}" in described
    if row.follows is not None:
        # a schema default is one constant; a following default is not
        assert all("default" not in s for s in _option_schemas(schema, row.name)
                   if row.follows in s.get("description", ""))

    assert any(li.lstrip(";").startswith(f"{row.name}=") and f"default {row.default_doc}" in li
               for li in full_sample().splitlines())


def _option_schemas(node: object, name: str) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict) and isinstance(props.get(name), dict):
            found.append(props[name])
        for v in node.values():
            found.extend(_option_schemas(v, name))
    elif isinstance(node, list):
        for v in node:
            found.extend(_option_schemas(v, name))
    return found
