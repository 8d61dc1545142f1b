"""YAML conversions keep what the config wrote: continued values, empty programs, defaults left
out, and %(here)s / %(ENV_X)s kept as expressions unless --resolved."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from supervisor_tools.cli import cli
from supervisor_tools.convert.source import load_for_conversion
from supervisor_tools.convert.yaml_in import from_yaml_text
from supervisor_tools.convert.yaml_out import to_yaml
from supervisor_tools.model import load
from tests.oracle import run_oracle

CONTINUED = """[supervisord]
[program:a]
command=/bin/sh -c
  "echo hello"
[program:b]
command=/bin/echo x

  after_blank
"""


def back_to_ini(conf: Path, tmp: Path, **kw: bool) -> Path:
    out = tmp / "back" / "supervisord.conf"
    out.parent.mkdir(exist_ok=True)
    out.write_text(from_yaml_text(to_yaml(load_for_conversion(str(conf)), **kw), "in.yaml"),
                   encoding="utf-8")
    return out


def test_a_value_continued_over_lines_survives_ini_yaml_ini(tmp_path: Path) -> None:
    conf = tmp_path / "supervisord.conf"
    conf.write_text(CONTINUED, encoding="utf-8")
    out = back_to_ini(conf, tmp_path)
    assert 'command = /bin/sh -c\n    "echo hello"\n' in out.read_text()
    ours = load(str(out), host_checks=False)
    assert ours.ok
    commands = {p.name: p.command for p in ours.model.processes()}
    assert commands == {"a": '/bin/sh -c\n"echo hello"', "b": "/bin/echo x\n\nafter_blank"}
    theirs = run_oracle(str(out))
    assert theirs["ok"], theirs.get("error")
    assert {p["name"]: p["command"] for g in theirs["config"]["groups"]
            for p in g["processes"]} == commands


def test_a_numprocs_0_program_stays_an_empty_group(tmp_path: Path) -> None:
    conf = tmp_path / "supervisord.conf"
    conf.write_text("[supervisord]\n[program:z]\ncommand=/bin/cat\nnumprocs=0\n"
                    "[program:y]\ncommand=/bin/cat\nnumprocs=0\n[group:g]\nprograms=y\n",
                    encoding="utf-8")
    doc = yaml.safe_load(to_yaml(load_for_conversion(str(conf))))
    assert doc["programs"]["z"] == {"command": "/bin/cat", "numprocs": 0}
    assert doc["programs"]["y"] == {"command": "/bin/cat", "numprocs": 0}
    assert doc["groups"]["g"] == {"programs": ["y"]}
    after = load(str(back_to_ini(conf, tmp_path)), host_checks=False)
    assert {g.name: g.processes for g in after.model.groups} == {"z": (), "g": ()}
    theirs = run_oracle(str(back_to_ini(conf, tmp_path)))
    assert sorted(g["name"] for g in theirs["config"]["groups"]) == ["g", "z"]


def test_defaults_the_config_did_not_write_are_left_out(tmp_path: Path) -> None:
    conf = tmp_path / "supervisord.conf"
    conf.write_text("[supervisord]\n[program:a]\ncommand=/bin/cat\n"
                    "[program:b]\ncommand=/bin/cat\npriority=5\n", encoding="utf-8")
    doc = yaml.safe_load(to_yaml(load_for_conversion(str(conf))))
    assert doc["programs"] == {"a": {"command": "/bin/cat"},
                               "b": {"command": "/bin/cat", "priority": 5}}
    # supervisord's 0700 for a unix socket is its default, not the section's choice
    conf.write_text("[supervisord]\n[fcgi-program:php]\ncommand=/usr/bin/php-cgi\n"
                    "socket=unix:///run/php.sock\n", encoding="utf-8")
    doc = yaml.safe_load(to_yaml(load_for_conversion(str(conf))))
    assert doc["fcgi-programs"] == {"php": {"command": "/usr/bin/php-cgi",
                                            "socket": "unix:///run/php.sock"}}


MACHINE = """[supervisord]
[unix_http_server]
file=%(here)s/supervisor.sock
username=admin
password=%(ENV_SV_PASS)s
[program:e]
command=%(here)s/run --home %(ENV_HOME)s
directory=%(here)s
"""


@pytest.fixture
def machine_conf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SV_PASS", "s3cret-value")
    conf = tmp_path / "supervisord.conf"
    conf.write_text(MACHINE, encoding="utf-8")
    return conf


def test_here_and_env_stay_expressions(machine_conf: Path, tmp_path: Path) -> None:
    text = to_yaml(load_for_conversion(str(machine_conf)))
    assert "s3cret-value" not in text and str(tmp_path) not in text
    doc = yaml.safe_load(text)
    assert doc["unix_http_server"]["password"] == "%(ENV_SV_PASS)s"
    assert doc["unix_http_server"]["file"] == "%(here)s/supervisor.sock"
    assert doc["programs"]["e"] == {"command": "%(here)s/run --home %(ENV_HOME)s",
                                    "directory": "%(here)s"}
    # read back elsewhere, %(here)s means the new file's directory
    out = back_to_ini(machine_conf, tmp_path)
    proc = load(str(out), host_checks=False).model.processes()[0]
    assert proc.directory == str(out.parent)


def test_resolved_writes_what_this_machine_reads(machine_conf: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["to-yaml", "--resolved", str(machine_conf)])
    assert result.exit_code == 0, result.output
    doc = yaml.safe_load(result.output)
    assert doc["unix_http_server"]["password"] == "s3cret-value"
    assert doc["programs"]["e"]["directory"] == str(tmp_path)
    plain = CliRunner().invoke(cli, ["to-yaml", str(machine_conf)])
    assert "s3cret-value" not in plain.output


def test_here_is_expanded_where_an_include_replaced_it_as_text(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "web.conf").write_text(
        "[program:web]\ncommand=%(here)s/run\n", encoding="utf-8")
    conf = tmp_path / "supervisord.conf"
    conf.write_text("[supervisord]\n[inet_http_server]\nport=127.0.0.1:9001\n"
                    "username=%(here)s\npassword=p\n[include]\nfiles=conf.d/*.conf\n",
                    encoding="utf-8")
    doc = yaml.safe_load(to_yaml(load_for_conversion(str(conf))))
    assert doc["inet_http_server"]["username"] == str(tmp_path)
    assert doc["programs"]["web"]["command"] == f"{tmp_path}/conf.d/run"
    after = load(str(back_to_ini(conf, tmp_path)), host_checks=False)
    assert after.ok, [str(e) for e in after.errors]
