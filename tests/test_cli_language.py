"""The command line is one language: the same short option means the same thing in every
command, JSON is `--format json` everywhere, and `svtool --help` shows whole descriptions."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from supervisor_tools.cli import cli
from tests.lint.test_cli import invoke as invoke_in

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "demo" / "supervisord.conf"
# the one meaning of each shared short option: its long name
SHORT = {"-c": "--config", "-o": "--output", "-q": "--quiet", "-s": "--serverurl"}


def commands(group: click.Group = cli, prefix: str = "svtool") -> Iterator[
        tuple[str, click.Command]]:
    for name, command in group.commands.items():
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix} {name}")


def invoke(args: list[str], cwd: Path = ROOT) -> tuple[int, str, str]:
    return invoke_in(args, cwd)


@pytest.mark.parametrize(("where", "command"), list(commands()))
def test_shared_short_options_mean_one_thing(where: str, command: click.Command) -> None:
    if where == "svtool run":
        return  # supervisord's own flags, checked below: a drop-in takes its command line
    for param in command.params:
        if not isinstance(param, click.Option):
            continue
        for short, long in SHORT.items():
            if short in param.opts:
                assert param.opts[param.opts.index(short) + 1] == long, (where, param.opts)
            if long in param.opts:
                assert short in param.opts, (where, param.opts)


@pytest.mark.parametrize(("where", "command"), list(commands()))
def test_json_is_format_json_everywhere(where: str, command: click.Command) -> None:
    names = {opt for p in command.params for opt in getattr(p, "opts", [])}
    if "--json" in names:
        fmt = next(p for p in command.params if "--format" in getattr(p, "opts", []))
        assert isinstance(fmt.type, click.Choice) and "json" in fmt.type.choices, where


@pytest.mark.parametrize("group", [["--help"], ["echo-conf", "--help"]])
def test_help_shows_whole_descriptions(group: list[str]) -> None:
    code, out, _ = invoke(group)
    listing = " ".join(out.split("Commands:")[1].split())
    assert code == 0 and "..." not in listing
    parent = cli if group == ["--help"] else cli.commands["echo-conf"]
    assert isinstance(parent, click.Group)
    for name, command in parent.commands.items():
        assert command.short_help, name
        assert f"{name} {' '.join(command.short_help.split())}" in listing


def test_config_is_the_argument_or_dash_c() -> None:
    by_argument = invoke(["show", "--json", str(DEMO)])
    assert by_argument[0] == 0
    assert invoke(["show", "-c", str(DEMO), "--format", "json"]) == by_argument
    assert invoke(["show", "--config", str(DEMO), "--json"]) == by_argument
    assert invoke(["to-yaml", "-c", str(DEMO)])[1] == invoke(["to-yaml", str(DEMO)])[1]
    code, _, err = invoke(["show", "-c", str(DEMO), "other.conf"])
    assert code == 2 and "name the config once" in err
    code, _, err = invoke(["to-systemd"])
    assert code == 2 and "-c/--config" in err


def test_rules_format_json_is_rules_json() -> None:
    code, out, _ = invoke(["rules", "--format", "json"])
    assert code == 0 and out == invoke(["rules", "--json"])[1]
    assert {"id", "name", "severity"} <= set(json.loads(out)[0])


def test_lint_dash_c_names_the_main_config(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "main").mkdir()
    main = tmp_path / "main" / "supervisord.conf"
    main.write_text(f"[supervisord]\n[include]\nfiles = {tmp_path}/conf.d/*.conf\n"
                    "[program:web]\ncommand = /bin/cat\n")
    (tmp_path / "conf.d" / "web.conf").write_text("[program:web]\ncommand = /bin/cat\n")
    root = invoke(["lint", "--no-config", "--config-root", str(main), "conf.d/web.conf"],
                  tmp_path)
    assert "SV212" in root[1]  # defined twice: seen only inside the main config
    assert invoke(["lint", "--no-config", "-c", str(main), "conf.d/web.conf"], tmp_path) == root
    assert invoke(["lint", "--no-config", "conf.d/web.conf"], tmp_path) != root
    code, _, err = invoke(["lint", "-c", "missing.conf", "conf.d/web.conf"], tmp_path)
    assert code == 2 and "'-c' / '--config'" in err


def test_lint_settings_file_by_settings_or_the_old_config_spelling(tmp_path: Path) -> None:
    (tmp_path / "web.conf").write_text("[program:web]\ncommand = /usr/bin/web\nstartsecs = -1\n")
    (tmp_path / "strict.toml").write_text('fail-on = "warning"\n')
    assert invoke(["lint", "web.conf"], tmp_path)[0] == 0
    assert invoke(["lint", "--settings", "strict.toml", "web.conf"], tmp_path)[0] == 1
    assert invoke(["lint", "--config", "strict.toml", "web.conf"], tmp_path)[0] == 1
    assert invoke(["lint", "-c", "strict.toml", "web.conf"], tmp_path)[0] == 1
    (tmp_path / ".svtool.toml").write_text('fail-on = "warning"\n')
    assert invoke(["lint", "web.conf"], tmp_path)[0] == 1
    assert invoke(["lint", "--no-settings", "web.conf"], tmp_path)[0] == 0


def test_lint_output_has_the_long_name_of_every_other_command(tmp_path: Path) -> None:
    (tmp_path / "web.conf").write_text("[program:web]\ncommand = /usr/bin/web\n")
    assert invoke(["lint", "--output", "r.txt", "web.conf"], tmp_path)[0] == 0
    assert (tmp_path / "r.txt").read_text() == invoke(["lint", "web.conf"], tmp_path)[1]


def test_run_takes_supervisords_command_line() -> None:
    from supervisor.options import ServerOptions

    theirs = ServerOptions()
    short = {o.rstrip(":") for o in theirs.short_options}
    long = {o.rstrip("=") for o in theirs.long_options}
    run = cli.commands["run"]
    pairs = [(o, p.opts) for p in run.params if isinstance(p, click.Option) for o in p.opts
             if len(o) == 2]
    assert {o for o, _ in pairs} >= {"-c", "-n", "-s", "-q", "-l", "-e", "-j", "-i", "-k", "-d"}
    for flag, spelled in pairs:
        # a flag supervisord 4.3.0 has means what it means there: its long name is among the
        # names this option answers to
        assert flag[1] in short, flag
        assert any(o[2:] in long for o in spelled if o.startswith("--")), spelled
    opts = {opt: p.name for p in run.params for opt in getattr(p, "opts", [])}
    assert opts["-s"] == opts["--silent"] == "silent"
    assert opts["-q"] == opts["--childlogdir"] == "childlogdir"
    assert re.search(r"-s, --silent", invoke(["run", "--help"])[1])
