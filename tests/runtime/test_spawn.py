"""What a child gets: argv, executable lookup with supervisord's errors, environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from supervisor_tools.errors import Span
from supervisor_tools.model.model import ProcessConfig
from supervisor_tools.runtime.spawn import (
    SpawnError,
    child_environment,
    parse_command,
    resolve_executable,
)


def pc(**kw: object) -> ProcessConfig:
    base: dict[str, object] = {"name": "web_1", "program": "web", "group": "pool",
                               "kind": "program", "process_num": 1,
                               "source": Span.point("x.conf"), "command": "/bin/true"}
    base.update(kw)
    return ProcessConfig(**base)  # type: ignore[arg-type]


def test_parse_command_uses_shell_quoting() -> None:
    assert parse_command("python -c 'print(1)' \"a b\"") == ["python", "-c", "print(1)", "a b"]
    with pytest.raises(SpawnError, match="command is empty"):
        parse_command("   ")
    with pytest.raises(SpawnError, match="can't parse command"):
        parse_command("echo 'unterminated")


def test_resolve_executable_errors(tmp_path: Path) -> None:
    script = tmp_path / "tool"
    script.write_text("#!/bin/sh\n")
    with pytest.raises(SpawnError) as info:
        resolve_executable(str(script), {})
    assert info.value.fault == "NOT_EXECUTABLE" and "is not executable" in info.value.message
    script.chmod(0o755)
    assert resolve_executable(str(script), {}) == str(script)
    assert resolve_executable("tool", {"PATH": f"/nonexistent:{tmp_path}"}) == str(script)
    with pytest.raises(SpawnError) as info:
        resolve_executable(str(tmp_path), {})
    assert info.value.message == f"command at {str(tmp_path)!r} is a directory"
    with pytest.raises(SpawnError) as info:
        resolve_executable("no-such-tool", {"PATH": str(tmp_path)})
    assert info.value.fault == "NO_FILE"
    assert info.value.message == "can't find command 'no-such-tool'"


def test_environment_merge_order() -> None:
    env = child_environment(pc(environment={"A": "1", "SUPERVISOR_GROUP_NAME": "mine"}),
                            "unix:///run/s.sock", base={"PATH": "/bin", "A": "0"})
    assert env == {"PATH": "/bin", "A": "1", "SUPERVISOR_ENABLED": "1",
                   "SUPERVISOR_SERVER_URL": "unix:///run/s.sock",
                   "SUPERVISOR_PROCESS_NAME": "web_1", "SUPERVISOR_GROUP_NAME": "mine"}


def test_program_serverurl_wins_and_none_means_no_variable() -> None:
    env = child_environment(pc(serverurl="http://elsewhere:9001"), "unix:///s", base={})
    assert env["SUPERVISOR_SERVER_URL"] == "http://elsewhere:9001"
    assert "SUPERVISOR_SERVER_URL" not in child_environment(pc(), None, base={})


def test_inherits_the_supervisor_environment() -> None:
    env = child_environment(pc(), None)
    assert env["PATH"] == os.environ["PATH"]
