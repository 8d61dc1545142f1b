"""Every converter refuses bad input with a positioned error and leaves its output untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from supervisor_tools.cli import cli

BAD_INI = "[program:bad]\ncommand=/bin/cat\nautostart=maybe\n"
BAD_UNIT = "[Service]\nExecStart=/bin/true\nthis is not a directive\n"
BAD_YAML = "programs:\n  bad:\n    command: /bin/cat\n    autostart: maybe\n"

CASES = [
    ("to-systemd", "bad.conf", BAD_INI, "bad.conf:3:11:"),
    ("to-yaml", "bad.conf", BAD_INI, "bad.conf:3:11:"),
    ("from-systemd", "bad.service", BAD_UNIT, "bad.service:3:1:"),
    ("from-yaml", "bad.yaml", BAD_YAML, "bad.yaml:4:16:"),
]


@pytest.mark.parametrize(("command", "name", "text", "where"), CASES,
                         ids=[c[0] for c in CASES])
def test_bad_input_exit_2_positioned_and_output_untouched(
        command: str, name: str, text: str, where: str, tmp_path: Path) -> None:
    src = tmp_path / name
    src.write_text(text)
    out = tmp_path / "out"
    if command == "to-systemd":
        out.mkdir()
        (out / "keep.service").write_text("old")
    else:
        out.write_text("old")
    result = CliRunner().invoke(cli, [command, str(src), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert f"{tmp_path}/{where}" in result.output
    assert "Traceback" not in result.output
    if command == "to-systemd":
        assert [p.name for p in out.iterdir()] == ["keep.service"]
    else:
        assert out.read_text() == "old"
    assert not [p for p in tmp_path.rglob(".svtool-*")]  # no temporary file left behind


@pytest.mark.parametrize("command", ["to-systemd", "to-yaml", "from-systemd", "from-yaml"])
def test_missing_input_is_a_positioned_error(command: str, tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    result = CliRunner().invoke(cli, [command, str(missing)])
    assert result.exit_code == 2
    assert str(missing) in result.output
    assert "Traceback" not in result.output
