"""to-systemd of the restart policy and container mode, and of supervisord's default back-off."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from supervisor_tools.cli import cli
from supervisor_tools.convert.source import load_for_conversion
from supervisor_tools.convert.systemd_out import Conversion, SystemdOptions, to_systemd
from supervisor_tools.convert.systemd_restart import systemd_waits


def convert(tmp_path: Path, text: str) -> Conversion:
    src = tmp_path / "supervisord.conf"
    src.write_text(text)
    result = load_for_conversion(str(src))
    return to_systemd(result.model, SystemdOptions(which=lambda p: True))


def directives(conv: Conversion, name: str) -> list[str]:
    return [line for unit, text in conv.units.items() if unit.startswith(name)
            for line in text.splitlines() if "=" in line and not line.startswith("#")]


def test_a_default_back_off_the_config_does_not_write_is_no_loss(tmp_path: Path) -> None:
    # Regression: an untouched startretries=3 made --strict fail on a config that writes
    # nothing systemd cannot express.
    conv = convert(tmp_path, "[program:web]\ncommand = /bin/true\n")
    assert not any("startretries" in item.message for item in conv.lost), conv.lost
    out = tmp_path / "units"
    result = CliRunner().invoke(cli, ["to-systemd", str(tmp_path / "supervisord.conf"),
                                      "-o", str(out), "--strict"])
    assert result.exit_code == 0, result.output


def test_a_written_growing_back_off_is_still_reported_at_its_value(tmp_path: Path) -> None:
    conv = convert(tmp_path, "[program:web]\ncommand = /bin/true\nstartretries = 3\n")
    assert [(i.span.line, "startretries=3" in i.message) for i in conv.lost] == [(3, True)]


def test_a_config_without_the_new_keys_converts_as_before(tmp_path: Path) -> None:
    conv = convert(tmp_path, "[program:web]\ncommand = /bin/true\nstartsecs = 2\n")
    lines = directives(conv, "web")
    assert "RestartSec=1" in lines and "StartLimitBurst=4" in lines
    assert "StartLimitIntervalSec=12" in lines
    assert not [line for line in lines if line.startswith(("RestartSteps", "RestartMax",
                                                            "SuccessAction", "FailureAction"))]


def test_backoff_keys_become_restart_steps_and_max_delay(tmp_path: Path) -> None:
    conv = convert(tmp_path, "[program:w]\ncommand = /bin/true\nbackoffincrement = 2\n"
                             "backoffmultiplier = 3\nmaxbackoff = 54\n")
    lines = directives(conv, "w")
    # 2, 6, 18, 54: systemd's own exponential curve from RestartSec= to RestartMaxDelaySec=
    assert {"RestartSec=2", "RestartSteps=3", "RestartMaxDelaySec=54"} <= set(lines)
    assert not conv.lost, conv.lost


def test_waits_unlike_systemds_curve_are_reported(tmp_path: Path) -> None:
    conv = convert(tmp_path, "[program:w]\ncommand = /bin/true\nmaxbackoff = 5\n")
    lines = directives(conv, "w")
    assert {"RestartSec=1", "RestartSteps=4", "RestartMaxDelaySec=5"} <= set(lines)
    [lost] = conv.lost
    assert lost.span.line == 3 and "waits 1, 2, 3, 4, 5 s before the cap" in lost.message


def test_waits_without_a_cap_are_reported(tmp_path: Path) -> None:
    conv = convert(tmp_path, "[program:w]\ncommand = /bin/true\nbackoffmultiplier = 2\n")
    [lost] = conv.lost
    assert "grow without limit" in lost.message and "RestartSec=1" in lost.message


def test_unlimited_retries_turn_the_start_limit_off(tmp_path: Path) -> None:
    conv = convert(tmp_path, "[program:w]\ncommand = /bin/true\nstartretries = -1\n")
    lines = directives(conv, "w")
    assert "StartLimitIntervalSec=0" in lines
    assert not [line for line in lines if line.startswith("StartLimitBurst")]


def test_backoffreset_is_a_loss(tmp_path: Path) -> None:
    conv = convert(tmp_path, "[program:w]\ncommand = /bin/true\nbackoffreset = 60\n")
    assert [i.span.line for i in conv.lost if "backoffreset" in i.message] == [3]


@pytest.mark.parametrize(("text", "expected"), [
    ("[program:w]\ncommand = /bin/true\nexit_on_end = true\n", True),
    ("[supervisord]\nexit_on_end = true\n[program:w]\ncommand = /bin/true\n", True),
    ("[supervisord]\nexit_on_end = true\n[program:w]\ncommand = /bin/true\nexit_on_end = no\n",
     False),
    ("[program:w]\ncommand = /bin/true\n", False),
])
def test_exit_on_end_makes_the_manager_exit(tmp_path: Path, text: str, expected: bool) -> None:
    lines = directives(convert(tmp_path, text), "w")
    assert ("SuccessAction=exit" in lines and "FailureAction=exit" in lines) is expected


def test_systemd_waits_reach_the_cap_in_the_steps_given() -> None:
    assert systemd_waits(1, 16, 5) == pytest.approx([1, 2, 4, 8, 16])
    assert systemd_waits(3, 3, 1) == [3]


@pytest.mark.parametrize("all_values", [False, True])
def test_the_yaml_form_keeps_the_new_keys(tmp_path: Path, all_values: bool) -> None:
    import jsonschema
    import yaml

    from supervisor_tools.convert.schema import build_schema
    from supervisor_tools.convert.yaml_in import from_yaml_text
    from supervisor_tools.convert.yaml_out import to_yaml
    from supervisor_tools.model import load

    src = tmp_path / "supervisord.conf"
    src.write_text("[supervisord]\nexit_on_end = true\n[program:w]\ncommand = /bin/true\n"
                   "backoffincrement = 0.5\nbackoffmultiplier = 2\nmaxbackoff = 30\n"
                   "backoffreset = 60\nstartretries = -1\nexit_on_end = false\n")
    before = load_for_conversion(str(src))
    text = to_yaml(before, all_values=all_values)
    data = yaml.safe_load(text)
    jsonschema.Draft202012Validator(build_schema()).validate(data)
    assert data["programs"]["w"]["backoffincrement"] == 0.5
    assert data["programs"]["w"]["maxbackoff"] == 30
    back = tmp_path / "back.conf"
    back.write_text(from_yaml_text(text, "in.yaml"))
    after = load(str(back), fragment=False, host_checks=False)
    assert after.ok, [str(e) for e in after.errors]
    [p] = after.model.processes()
    assert (p.backoffincrement, p.backoffmultiplier, p.maxbackoff, p.backoffreset,
            p.startretries, p.exit_on_end) == (0.5, 2.0, 30.0, 60.0, -1, False)
    assert after.model.supervisord is not None and after.model.supervisord.exit_on_end
