"""YAML: the schema stays fresh, golden conversions, round trips, positioned errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from supervisor_tools.cli import cli
from supervisor_tools.convert.schema import SCHEMA_ID, build_schema, schema_text
from supervisor_tools.convert.source import load_for_conversion
from supervisor_tools.convert.yaml_in import from_yaml_text
from supervisor_tools.convert.yaml_out import to_yaml
from supervisor_tools.errors import ConfigErrors, SvtoolError
from supervisor_tools.model import load
from supervisor_tools.model.show import model_json
from supervisor_tools.options.table import options_for
from tests.oracle import run_oracle

from .helpers import FIXTURES, GOLDEN, REPO, check_golden, subset
from .test_to_systemd import ALL_SEEDS, CONFIGS

SCHEMA_FILE = REPO / "schemas" / "supervisor.schema.json"
YAML_DIR = FIXTURES / "yaml"
INPUTS = CONFIGS + ALL_SEEDS


def rel(path: Path) -> str:
    return str(path.relative_to(REPO))


def without_sources(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: without_sources(v) for k, v in data.items() if k != "source"}
    if isinstance(data, list):
        return [without_sources(v) for v in data]
    return data


def test_committed_schema_is_what_the_option_table_generates() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), \
        "schemas/supervisor.schema.json is stale: run `svtool schema -o schemas/supervisor.schema.json`"


def test_schema_is_valid_2020_12_with_docs_and_defaults_from_the_table() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    program = schema["$defs"]["program"]["properties"]
    for name, row in options_for("program").items():
        assert program[name]["description"].startswith(row.doc)
    assert program["stopsignal"]["default"] == "TERM"
    assert program["stdout_logfile_maxbytes"]["default"] == "50MB"
    assert program["autostart"]["default"] is True
    assert schema["$defs"]["program"]["required"] == ["command"]


def test_schema_command_check(tmp_path: Path) -> None:
    stale = tmp_path / "schema.json"
    stale.write_text("{}")
    runner = CliRunner()
    assert runner.invoke(cli, ["schema", "--check", "-o", str(stale)]).exit_code == 1
    assert runner.invoke(cli, ["schema", "-o", str(stale)]).exit_code == 0
    assert runner.invoke(cli, ["schema", "--check", "-o", str(stale)]).exit_code == 0


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_golden_to_yaml(path: Path) -> None:
    text = to_yaml(load_for_conversion(rel(path)))
    assert text.startswith(f"# yaml-language-server: $schema={SCHEMA_ID}\n")
    check_golden(GOLDEN / "to-yaml" / f"{path.stem}.yaml", text)


@pytest.mark.parametrize("all_values", [False, True])
@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_ini_to_yaml_to_ini_keeps_the_model(path: Path, all_values: bool,
                                            tmp_path: Path) -> None:
    before = load_for_conversion(rel(path))
    text = to_yaml(before, all_values=all_values)
    jsonschema.Draft202012Validator(build_schema()).validate(yaml.safe_load(text))
    out = tmp_path / "back.conf"
    out.write_text(from_yaml_text(text, "in.yaml"), encoding="utf-8")
    after = load(str(out), fragment=before.model.fragment, host_checks=False)
    assert after.ok, [str(e) for e in after.errors]
    assert without_sources(model_json(after.model)) == without_sources(model_json(before.model))


def test_all_writes_every_program_option() -> None:
    doc = yaml.safe_load(to_yaml(load_for_conversion(rel(FIXTURES / "configs" / "groups.conf")),
                                 all_values=True))
    api = doc["programs"]["api"]
    # an option without a default that the section leaves unset has no value to write
    unset = {"user", "directory", "umask", "ready_log_line", "childlog_format",
             *(f"{kind}_probe_{target}" for kind in ("readiness", "liveness")
               for target in ("exec", "http_get", "tcp_socket"))}
    assert set(options_for("program")) - set(api) <= unset
    assert api["stdout_logfile_maxbytes"] == "50MB"


def test_golden_from_yaml_and_both_loaders_agree(tmp_path: Path) -> None:
    src = YAML_DIR / "handwritten.yaml"
    text = from_yaml_text(src.read_text(encoding="utf-8"), rel(src))
    check_golden(GOLDEN / "from-yaml" / "handwritten.conf", text)
    out = tmp_path / "supervisord.conf"
    out.write_text(text, encoding="utf-8")
    ours = load(str(out), host_checks=True)
    assert ours.ok, [str(e) for e in ours.errors]
    theirs = run_oracle(str(out))
    assert theirs["ok"], theirs.get("error")
    assert subset(theirs["config"]["groups"], model_json(ours.model)["groups"]) == []
    worker = ours.model.group("backend")
    assert worker is not None
    assert [p.name for p in worker.processes][-3:] == ["worker_00", "worker_01", "worker_02"]


def test_schema_errors_point_at_yaml_lines_and_columns() -> None:
    src = YAML_DIR / "errors.yaml"
    with pytest.raises(ConfigErrors) as exc:
        from_yaml_text(src.read_text(encoding="utf-8"), rel(src))
    got = [f"{e.span.line}:{e.span.col} {e.message.split(':')[0]}" for e in exc.value.errors]
    assert got == [
        "4:16 programs.web.autostart",
        "5:15 programs.web.numprocs",
        "6:30 programs.web.stdout_logfile_maxbytes",
        "7:5 programs.web.colour",
        "8:3 programs.nocommand",
        "13:15 groups.g.priority",
    ]


def test_yaml_syntax_and_duplicate_keys_are_positioned() -> None:
    with pytest.raises(SvtoolError) as exc:
        from_yaml_text("programs:\n  a:\n    command: x\n    command: y\n", "d.yaml")
    assert str(exc.value).startswith("d.yaml:4:5: YAML: duplicate key 'command'")
    with pytest.raises(SvtoolError) as exc:
        from_yaml_text("programs:\n  a: [1,\n", "s.yaml")
    assert str(exc.value).startswith("s.yaml:3:1: YAML:")


def test_values_ini_cannot_hold_are_refused_with_a_position() -> None:
    with pytest.raises(SvtoolError) as exc:
        # supervisord strips each continuation line, so " y" cannot come back
        from_yaml_text("programs:\n  a:\n    command: \"x\\n y\"\n", "n.yaml")
    assert str(exc.value).startswith("n.yaml:3:14:")


def test_cli_refuses_bad_yaml_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.conf"
    result = CliRunner().invoke(cli, ["from-yaml", str(YAML_DIR / "errors.yaml"), "-o", str(out)])
    assert result.exit_code == 2
    assert f"{YAML_DIR / 'errors.yaml'}:4:16: programs.web.autostart:" in result.output
    assert not out.exists()


def test_to_yaml_says_that_include_is_merged_not_kept() -> None:
    result = CliRunner().invoke(cli, ["to-yaml", rel(FIXTURES / "configs" / "seed-004-split.conf")])
    assert result.exit_code == 0
    assert ("fixtures/convert/configs/seed-004-split.conf:3:9: warning: [include] files = "
            "../../seeds/004-web-app.conf ../../seeds/004-app-workers-group.conf: the YAML holds "
            "the 2 included file(s) merged in") in result.output


def test_schema_url_for_editors() -> None:
    result = CliRunner().invoke(cli, ["to-yaml", rel(FIXTURES / "configs" / "groups.conf"),
                                      "--schema-url", "../schemas/supervisor.schema.json"])
    assert result.output.startswith(
        "# yaml-language-server: $schema=../schemas/supervisor.schema.json\n")


def test_cli_to_yaml_and_back(tmp_path: Path) -> None:
    runner = CliRunner()
    yml = tmp_path / "c.yaml"
    ini = tmp_path / "c.conf"
    assert runner.invoke(cli, ["to-yaml", str(FIXTURES / "configs" / "full.conf"),
                               "-o", str(yml)]).exit_code == 0
    assert runner.invoke(cli, ["from-yaml", str(yml), "-o", str(ini)]).exit_code == 0
    assert "[program:worker]" in ini.read_text()


# supervisord reads [include] only in its main file, so a fragment that includes others means
# something else to the oracle (which reads fragments as included files).
ORACLE_INPUTS = [p for p in INPUTS if not (p.read_text(encoding="utf-8").count("[include]")
                                           and "[supervisord]" not in p.read_text())]


@pytest.mark.parametrize("path", ORACLE_INPUTS, ids=lambda p: p.name)
def test_supervisord_reads_the_round_tripped_ini_as_it_reads_the_original(
        path: Path, tmp_path: Path) -> None:
    before = load_for_conversion(rel(path))
    fragment = before.model.fragment
    original = run_oracle(str(path), fragment=fragment)
    out = tmp_path / "back.conf"
    out.write_text(from_yaml_text(to_yaml(before), "in.yaml"), encoding="utf-8")
    converted = run_oracle(str(out), fragment=fragment)
    assert converted["ok"] == original["ok"], (original.get("error"), converted.get("error"))
    if original["ok"]:
        assert without_sources(converted["config"]) == without_sources(original["config"])
