"""Checks of the supervisord oracle itself (tests/oracle/supervisor_oracle.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from . import ORACLE_SCRIPT, run_oracle

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / "fixtures" / "configs"
SUPERVISOR = REPO / "fixtures" / "supervisor"
MINIMAL_ENV = {"PATH": "/usr/bin:/bin"}

DEFAULT_PROCESS: dict[str, Any] = {
    "name": "a",
    "program": "a",
    "group": "a",
    "command": "/bin/cat",
    "directory": None,
    "user": None,
    "umask": None,
    "priority": 999,
    "autostart": True,
    "autorestart": "unexpected",
    "startsecs": 1,
    "startretries": 3,
    "exitcodes": [0],
    "stopsignal": "TERM",
    "stopwaitsecs": 10,
    "stopasgroup": False,
    "killasgroup": False,
    "redirect_stderr": False,
    "environment": {},
    "serverurl": None,
    "stdout_logfile": "AUTO",
    "stdout_logfile_maxbytes": 50 * 1024 * 1024,
    "stdout_logfile_backups": 10,
    "stdout_capture_maxbytes": 0,
    "stdout_events_enabled": False,
    "stdout_syslog": False,
    "stderr_logfile": "AUTO",
    "stderr_logfile_maxbytes": 50 * 1024 * 1024,
    "stderr_logfile_backups": 10,
    "stderr_capture_maxbytes": 0,
    "stderr_events_enabled": False,
    "stderr_syslog": False,
}


def _groups(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    assert result["ok"], result
    return {g["name"]: g for g in result["config"]["groups"]}


def test_valid_config_exact_json() -> None:
    result = run_oracle(str(CONFIGS / "valid" / "comment-space-semicolon.conf"), env=MINIMAL_ENV)
    assert result == {
        "ok": True,
        "warnings": [],
        "config": {
            "supervisord": {
                "minfds": 1024,
                "minprocs": 200,
                "directory": None,
                "user": None,
                "umask": 0o22,
                "logfile": "supervisord.log",
                "logfile_maxbytes": 50 * 1024 * 1024,
                "logfile_backups": 10,
                "loglevel": "info",
                "pidfile": "supervisord.pid",
                "identifier": "supervisor",
                "nodaemon": False,
                "silent": False,
                "childlogdir": "/tmp",
                "nocleanup": False,
                "strip_ansi": False,
                "environment": {},
            },
            "groups": [
                {"name": "a", "priority": 999, "kind": "program", "processes": [DEFAULT_PROCESS]}
            ],
            "servers": [],
        },
    }


def test_numprocs_names_and_conversions() -> None:
    groups = _groups(run_oracle(str(CONFIGS / "valid" / "numprocs-start-offset.conf")))
    assert [p["name"] for p in groups["a"]["processes"]] == ["a-08-of-3", "a-09-of-3", "a-10-of-3"]
    sig = _groups(run_oracle(str(CONFIGS / "valid" / "stopsignal-sig-ign.conf")))
    assert sig["a"]["processes"][0]["stopsignal"] == "HUP"
    assert sig["b"]["processes"][0]["stopsignal"] == "0"
    restart = _groups(run_oracle(str(CONFIGS / "valid" / "autorestart-variants.conf")))
    assert [restart[n]["processes"][0]["autorestart"] for n in "abcde"] == [
        True,
        False,
        "unexpected",
        True,
        False,
    ]


def test_recovered_facts_user_kind_result_handler_socket() -> None:
    users = _groups(run_oracle(str(CONFIGS / "valid" / "program-user-root.conf")))
    assert [users[n]["processes"][0]["user"] for n in "ab"] == ["root", "0"]

    result = run_oracle(str(CONFIGS / "valid" / "group-same-name-as-program.conf"))
    assert [
        (g["name"], g["kind"], [p["program"] for p in g["processes"]])
        for g in result["config"]["groups"]
    ] == [("a", "group", ["b"]), ("a", "program", ["a"])]

    pool = _groups(run_oracle(str(CONFIGS / "valid" / "listener-events-variants.conf")))["e"]
    assert pool["kind"] == "eventlistener" and pool["priority"] == -1
    assert pool["result_handler"] == "supervisor.dispatchers:default_handler"
    assert pool["events"] == [
        "PROCESS_COMMUNICATION",
        "PROCESS_STATE",
        "SUPERVISOR_STATE_CHANGE_RUNNING",
        "TICK_5",
    ]

    fcgi = _groups(run_oracle(str(CONFIGS / "valid" / "fcgi-unix-socket.conf")))["f"]
    assert (fcgi["kind"], fcgi["socket"], fcgi["socket_mode"], fcgi["socket_backlog"]) == (
        "fcgi-program",
        "unix:///tmp/f.sock",
        0o660,
        128,
    )


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        (
            "fcgi-relative-socket.conf",
            "('Unix socket path %s is not an absolute path', 'relative/path') in [fcgi-program:foo] socket",
        ),
        ("group-unknown-member.conf", "[group:foo] names unknown program or fcgi-program notthere"),
        (
            "program-without-command.conf",
            "program section program:foo does not specify a command in section 'program:foo' "
            "(file: '{path}')",
        ),
        (
            "malformed-junk-line.conf",
            "Source contains parsing errors: '{path}'\n\t[line  2]: 'junk\\n'",
        ),
    ],
)
def test_invalid_config_exact_message(fixture: str, message: str) -> None:
    path = str(SUPERVISOR / fixture)
    assert run_oracle(path) == {"ok": False, "error": message.format(path=path)}


def test_warnings_are_reported() -> None:
    result = run_oracle(str(SUPERVISOR / "redirect-stderr-with-logfile.conf"))
    assert result["warnings"] == [
        "For [program:foo], redirect_stderr=true but stderr_logfile has also been set to a "
        "filename, the filename has been ignored"
    ]
    assert result["config"]["groups"][0]["processes"][0]["stderr_logfile"] == "NONE"


def test_fragment_keeps_its_own_here() -> None:
    path = CONFIGS / "fragments" / "here.conf"
    result = run_oracle(str(path), fragment=True)
    assert result["ok"] and result["config"]["supervisord"] is None
    proc = result["config"]["groups"][0]["processes"][0]
    assert proc["command"] == f"/bin/echo {path.parent}"
    assert proc["stdout_logfile"] == f"{path.parent}/h.log"
    bad = CONFIGS / "fragments" / "missing-command.conf"
    assert run_oracle(str(bad), fragment=True)["error"] == (
        f"program section program:a does not specify a command in section 'program:a' "
        f"(file: '{bad}')"
    )


def test_environment_is_exactly_the_one_given(tmp_path: Path) -> None:
    conf = tmp_path / "env.conf"
    conf.write_text("[supervisord]\n[program:a]\ncommand=/bin/echo %(ENV_SVTOOL_X)s %(ENV_NOPE)s\n")
    result = run_oracle(str(conf), env={"SVTOOL_X": "y"})
    # no LC_CTYPE from CPython's locale coercion, no PATH from the parent process
    assert (
        "Available names: ENV_SVTOOL_X, group_name, here, host_node_name, numprocs, "
        "process_num, program_name in section" in result["error"]
    )


def test_problems_never_give_a_traceback() -> None:
    for fixture, fragment in [
        ("invalid/non-utf8-in-value.conf", False),
        ("invalid/listener-result-handler-relative-module.conf", False),
        ("fragments/bom.conf", True),
    ]:
        args = [sys.executable, str(ORACLE_SCRIPT), str(CONFIGS / fixture)]
        proc = subprocess.run(
            args + (["--fragment"] if fragment else []),
            capture_output=True,
            text=True,
            env=dict(os.environ),
            check=True,
        )
        assert "Traceback" not in proc.stderr
        assert proc.stdout.startswith('{"ok": false, "error": ')
    decode = run_oracle(str(CONFIGS / "invalid" / "non-utf8-in-value.conf"))
    assert decode["error"].startswith("'utf-8' codec can't decode byte")
