"""from-systemd: systemd's dialect read right, golden INI, losses reported, output loadable."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from supervisor_tools.cli import cli
from supervisor_tools.convert.systemd_in import from_systemd, unit_paths
from supervisor_tools.convert.systemd_ini import parse_unit_text, read_unit, split_commands
from supervisor_tools.convert.systemd_words import parse_timespan
from supervisor_tools.errors import SvtoolError
from supervisor_tools.model import load
from supervisor_tools.model.show import model_json
from tests.oracle import run_oracle

from .helpers import FIXTURES, GOLDEN, REPO, check_golden, subset

UNITS = FIXTURES / "units"
CASES = sorted(UNITS.iterdir())


def rel(path: Path) -> str:
    return str(path.relative_to(REPO))


def convert_case(path: Path) -> tuple[str, str]:
    conv = from_systemd(unit_paths([rel(path)]))
    return conv.text, "".join(f"{item}\n" for item in conv.lost)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_golden_ini_and_warnings(case: Path) -> None:
    text, warnings = convert_case(case)
    check_golden(GOLDEN / "from-systemd" / f"{case.stem}.conf", text)
    check_golden(GOLDEN / "from-systemd" / f"{case.stem}.warnings", warnings)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_output_loads_in_svtool_and_in_supervisord_alike(case: Path, tmp_path: Path) -> None:
    text, _ = convert_case(case)
    out = tmp_path / "converted.conf"
    out.write_text(text, encoding="utf-8")
    ours = load(str(out), fragment=True, host_checks=True)
    assert ours.ok, [str(e) for e in ours.errors]
    theirs = run_oracle(str(out), fragment=True)
    assert theirs["ok"], theirs.get("error")
    assert subset(theirs["config"]["groups"], model_json(ours.model)["groups"]) == []


def test_dialect_continuation_reset_and_drop_ins() -> None:
    unit = read_unit(rel(UNITS / "dialect" / "dialect.service"))
    envs = [d.value for d in unit.assignments("Service", "Environment")]
    assert envs == ['"GREETING=hello world" PORT=8080', "EXTRA=from-drop-in"]
    user = unit.last("Service", "User")
    assert user is not None and user.value == "daemon"
    assert user.span.file.endswith("20-restart.conf") and user.span.line == 4
    start = unit.last("Service", "ExecStart")
    assert start is not None and start.span.line == 10
    assert split_commands(start.value)[0][-2:] == ["single # not a comment", "100%%"]


def test_template_instances_from_the_target_become_numprocs() -> None:
    text, _ = convert_case(UNITS / "template")
    assert "numprocs = 3\nnumprocs_start = 2\n" in text
    assert "--port '80%(process_num)s'" in text


def test_every_unsupported_directive_is_reported_with_its_position() -> None:
    _, warnings = convert_case(UNITS / "lost")
    lines = warnings.splitlines()
    for key in ("Type=forking", "PIDFile=", "EnvironmentFile=", "ExecStartPre=", "ExecReload=",
                "LimitNOFILE=", "ProtectSystem=", "NoNewPrivileges=", "RestartSec=", "Group=",
                "Restart=on-abnormal", "WorkingDirectory=~", "After=network-online.target"):
        assert any(key in line for line in lines), key
    assert any(line.startswith(f"{rel(UNITS / 'lost' / 'app.timer')}:1:1:") for line in lines)
    assert any(":11:1:" in line and "prefix '@'" in line for line in lines)


def test_split_commands_follows_systemds_rules() -> None:
    assert split_commands(r"""/bin/echo "a b" 'c d' e\sf "\x41\n" ; /bin/true""") == [
        ["/bin/echo", "a b", "c d", "e f", "A\n"], ["/bin/true"]]
    assert split_commands('/bin/echo "" x') == [["/bin/echo", "", "x"]]
    with pytest.raises(ValueError):
        split_commands('/bin/echo "open')
    with pytest.raises(ValueError):
        split_commands(r"/bin/echo a\ b")  # systemd knows no backslash-space escape


def test_continuation_lines_and_comments() -> None:
    ds = parse_unit_text("[Service]\nExecStart=/bin/a \\\n# skipped\n  b\nX=1\n", "u")
    assert [(d.key, d.value, d.span.line) for d in ds] == [("ExecStart", "/bin/a    b", 2),
                                                          ("X", "1", 5)]


def test_env_lookup_becomes_supervisords_own_path_lookup(tmp_path: Path) -> None:
    unit = tmp_path / "celery.service"
    unit.write_text("[Service]\nExecStart=/usr/bin/env celery -A app worker\n")
    assert "command = celery -A app worker\n" in from_systemd([str(unit)]).text


def test_byte_order_mark_and_crlf_are_read_like_systemd() -> None:
    ds = parse_unit_text("\ufeff[Service]\r\nUser=www-data\r\n", "u")
    assert [(d.section, d.key, d.value) for d in ds] == [("Service", "User", "www-data")]


def test_timespans() -> None:
    assert parse_timespan("90") == 90
    assert parse_timespan("1min 30s") == 90
    assert parse_timespan("500ms") == 0.5
    with pytest.raises(ValueError):
        parse_timespan("soon")


def test_unit_without_exec_start_is_refused(tmp_path: Path) -> None:
    unit = tmp_path / "empty.service"
    unit.write_text("[Service]\nUser=root\n")
    out = tmp_path / "out.conf"
    result = CliRunner().invoke(cli, ["from-systemd", str(unit), "-o", str(out)])
    assert result.exit_code == 2
    assert f"{unit}:1:1: empty.service has no ExecStart=" in result.output
    assert not out.exists()


def test_bad_unit_line_is_refused_with_its_position(tmp_path: Path) -> None:
    unit = tmp_path / "bad.service"
    unit.write_text("[Service]\nExecStart=/bin/true\nnonsense line\n")
    with pytest.raises(SvtoolError) as exc:
        from_systemd([str(unit)])
    assert str(exc.value).startswith(f"{unit}:3:1:")


def test_strict_fails_on_losses_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.conf"
    result = CliRunner().invoke(cli, ["from-systemd", str(UNITS / "lost"), "-o", str(out),
                                      "--strict"])
    assert result.exit_code == 1
    assert "error:" in result.output
    assert not out.exists()


def test_cli_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "out.conf"
    result = CliRunner().invoke(cli, ["from-systemd", str(UNITS / "template"), "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_text().startswith("; generated by svtool from-systemd\n")


def test_environment_value_with_quotes_at_its_ends_is_lost_not_changed(tmp_path: Path) -> None:
    # supervisord strips quote characters from both ends of a value, so "x" would read as x
    unit = tmp_path / "web.service"
    unit.write_text('[Service]\nExecStart=/bin/cat\nEnvironment="A=\\"x\\"" B=kept\n')
    conv = from_systemd([str(unit)])
    assert 'environment = B="kept"\n' in conv.text
    assert [lost.message.rpartition(": A: ")[2] for lost in conv.lost] == [
        "a value cannot start or end with a quote character (supervisord strips them)"]
