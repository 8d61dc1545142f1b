"""Facts about the machine (users, directories, environment variables, absolute includes) never
change what the model says the config means; with host checks they are recorded as well,
where supervisord 4.3.0 on this machine would refuse or warn."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervisor_tools.model import load
from supervisor_tools.model.model import ProcessConfig
from supervisor_tools.model.show import model_json
from tests.model.differential import oracle_env
from tests.oracle import run_oracle

MAIN = "[supervisord]\nlogfile = {dir}/supervisord.log\npidfile = {dir}/supervisord.pid\n"
ENV = {k: v for k, v in oracle_env().items() if not k.startswith("SVTOOL_T_")}


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "supervisord.conf"
    path.write_text(MAIN.format(dir=tmp_path) + body)
    return path


def processes(path: Path, host: bool, env: dict[str, str] | None = None) -> list[ProcessConfig]:
    return load(str(path), environ=ENV if env is None else env, host_checks=host) \
        .model.processes()


@pytest.mark.parametrize("host", [False, True])
def test_a_log_directory_missing_here_keeps_its_configured_path(tmp_path: Path,
                                                                host: bool) -> None:
    path = write(tmp_path, "[program:a]\ncommand = /bin/cat\n"
                 "stdout_logfile = /nonexistent-svtool/%(program_name)s.log\n"
                 "stdout_logfile_maxbytes = 0\n"
                 "stderr_logfile = /nonexistent-svtool/%(program_name)s.log\n")
    result = load(str(path), environ=ENV, host_checks=host)
    (proc,) = result.model.processes()
    assert proc.stdout_logfile == proc.stderr_logfile == "/nonexistent-svtool/a.log"
    assert [e.code for e in result.errors] == (["host-path"] * 2 if host else [])
    # the path is not AUTO, so nothing says an AUTO log never rotates
    assert all(w.code != "auto-log-no-rotation" for w in result.warnings)
    if host:
        assert not run_oracle(str(path), env=ENV)["ok"]


def test_a_user_missing_here_keeps_its_name(tmp_path: Path) -> None:
    path = write(tmp_path, "[program:a]\ncommand = /bin/cat\nuser = no-such-user-svtool\n")
    assert [p.user for p in processes(path, True)] == ["no-such-user-svtool"]
    assert [p.user for p in processes(path, False)] == ["no-such-user-svtool"]


def test_no_auto_log_warning_for_stderr_under_redirect_stderr(tmp_path: Path) -> None:
    path = write(tmp_path, "[program:a]\ncommand = /bin/cat\nredirect_stderr = true\n"
                 "stdout_logfile = /dev/stdout\nstdout_logfile_maxbytes = 0\n"
                 "stderr_logfile_maxbytes = 0\n"
                 "[program:b]\ncommand = /bin/cat\nstderr_logfile_maxbytes = 0\n")
    warnings = load(str(path), environ=ENV, host_checks=False).warnings
    assert [(w.code, w.span.line) for w in warnings] == [("auto-log-no-rotation", 10)]


UNSET = ("[program:a]\ncommand = /bin/cat --port %(ENV_SVTOOL_T_PORT)s\n"
         "numprocs = %(ENV_SVTOOL_T_N)s\n"
         "stdout_logfile = %(ENV_SVTOOL_T_LOGS)s/%(program_name)s.log\n"
         "environment = HOME=\"%(ENV_SVTOOL_T_HOME)s\"\n")


def test_an_unset_variable_keeps_a_stand_in(tmp_path: Path) -> None:
    path = write(tmp_path, UNSET)
    result = load(str(path), environ=ENV, host_checks=False)
    # recorded for what needs the value here (a converter, the runtime; lint's host rule),
    # and nothing else: no expansion error, no invalid numprocs
    assert {e.code for e in result.errors} == {"env-unset"}
    (proc,) = result.model.processes()
    # the reference stands in for the value, which only the target machine knows
    assert proc.command == "/bin/cat --port %(ENV_SVTOOL_T_PORT)s"
    assert proc.stdout_logfile == "%(ENV_SVTOOL_T_LOGS)s/a.log"
    assert proc.environment["HOME"] == "%(ENV_SVTOOL_T_HOME)s"
    assert proc.numprocs == 1


@pytest.mark.parametrize("host", [False, True])
def test_an_unset_variable_is_recorded_as_such(tmp_path: Path, host: bool) -> None:
    path = write(tmp_path, UNSET)
    result = load(str(path), environ=ENV, host_checks=host)
    assert sorted((e.code, e.span.line) for e in result.errors) == \
        [("env-unset", 5), ("env-unset", 6), ("env-unset", 7), ("env-unset", 8)]
    assert any("SVTOOL_T_PORT is not set here" in e.message for e in result.errors)
    verdict = run_oracle(str(path), env=ENV)
    assert not verdict["ok"] and "ENV_SVTOOL_T_" in verdict["error"]


def test_a_set_variable_is_used_as_supervisord_uses_it(tmp_path: Path) -> None:
    path = write(tmp_path, UNSET)
    env = {**ENV, "SVTOOL_T_PORT": "8080", "SVTOOL_T_N": "1", "SVTOOL_T_LOGS": str(tmp_path),
           "SVTOOL_T_HOME": "/home/a"}
    for host in (False, True):
        result = load(str(path), environ=env, host_checks=host)
        assert result.errors == ()
        (proc,) = result.model.processes()
        assert proc.command == "/bin/cat --port 8080"
    verdict = run_oracle(str(path), env=env)
    assert verdict["ok"]


@pytest.mark.parametrize("text", ["%(ENV_)s", "%(nope)s", "%(ENV_X"])
def test_what_no_environment_can_expand_stays_an_error(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, f"[program:a]\ncommand = /bin/cat {text}\n")
    for host in (False, True):
        errors = load(str(path), environ=ENV, host_checks=host).errors
        assert [e.code for e in errors] == ["expansion"]
    assert not run_oracle(str(path), env=ENV)["ok"]


@pytest.mark.parametrize(("pattern", "by_default"), [
    ("conf.d/*.conf", True),
    ("%(here)s/conf.d/*.conf", True),
    ("/nonexistent-svtool/conf.d/*.conf", False),
    ("%(ENV_SVTOOL_T_CONFD)s/*.conf", False),
])
def test_which_includes_that_match_nothing_are_config_facts(tmp_path: Path, pattern: str,
                                                            by_default: bool) -> None:
    path = write(tmp_path, f"[include]\nfiles = {pattern}\n")
    for host in (False, True):
        warnings = load(str(path), environ=ENV, host_checks=host).warnings
        found = [w.code for w in warnings if w.code == "include-no-match"]
        # an unset variable is recorded as such (env-unset) instead
        expected = by_default or (host and "ENV_" not in pattern)
        assert found == (["include-no-match"] if expected else [])


@pytest.mark.parametrize(("option", "value"), [("user", "app:web"), ("user", "app web"),
                                               ("user", ""), ("chown", "app:"),
                                               ("chown", "a b:web"), ("sd-user", "a:b")])
def test_a_name_no_machine_can_have_is_a_config_error(tmp_path: Path, option: str,
                                                      value: str) -> None:
    section = {"user": "[program:a]\ncommand = /bin/cat\n", "sd-user": "",
               "chown": f"[unix_http_server]\nfile = {tmp_path}/s.sock\n"}[option]
    path = write(tmp_path, f"{section}{option.removeprefix('sd-')} = {value}\n")
    for host in (False, True):
        errors = load(str(path), environ=ENV, host_checks=host).errors
        assert [e.code for e in errors] == ["invalid-value"]
        assert "on any machine" in errors[0].message
    assert not run_oracle(str(path), env=ENV)["ok"]


def test_without_host_checks_the_loader_asks_the_machine_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import grp
    import importlib
    import os
    import pwd

    asked: list[str] = []

    def spy(name: str, real: object) -> object:
        def call(*args: object) -> object:
            asked.append(f"{name}{args}")
            return real(*args)  # type: ignore[operator]
        return call

    path = write(tmp_path, "user = nobody\n"
                 "[rpcinterface:supervisor]\n"
                 "supervisor.rpcinterface_factory = supervisor.rpcinterface:x\n"
                 "[unix_http_server]\nfile = /run/s.sock\nchown = nobody:nogroup\n"
                 "[eventlistener:l]\ncommand = /bin/cat\nevents = TICK_5\n"
                 "result_handler = nosuchmodule_svtool:handler\n"
                 "[program:a]\ncommand = /bin/cat\nuser = no-such-user-svtool\n"
                 "directory = /nonexistent-svtool\n"
                 "stdout_logfile = /nonexistent-svtool/a.log\n")
    for module, name in ((pwd, "getpwnam"), (pwd, "getpwuid"), (grp, "getgrnam"),
                         (grp, "getgrgid"), (importlib, "import_module")):
        monkeypatch.setattr(module, name, spy(name, getattr(module, name)))
    real_isdir = os.path.isdir
    monkeypatch.setattr(os.path, "isdir", lambda p: (asked.append(f"isdir({p})")
                                                     if "nonexistent" in str(p) else None)
                        or real_isdir(p))
    result = load(str(path), environ=ENV, host_checks=False)
    assert result.errors == ()
    assert asked == []
    load(str(path), environ=ENV, host_checks=True)
    assert any(a.startswith("getpwnam") for a in asked)
    assert any(a.startswith("import_module") for a in asked)
    assert any(a.startswith("isdir") for a in asked)


def test_a_converter_still_refuses_an_unset_variable(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from supervisor_tools.convert.source import load_for_conversion
    from supervisor_tools.errors import ConfigErrors

    monkeypatch.delenv("SVTOOL_T_PORT", raising=False)
    path = write(tmp_path, "[program:a]\ncommand = /bin/cat --port %(ENV_SVTOOL_T_PORT)s\n")
    with pytest.raises(ConfigErrors) as caught:
        load_for_conversion(str(path))
    assert "SVTOOL_T_PORT is not set here" in str(caught.value.errors[0])


WILD = Path(__file__).resolve().parents[2] / ".." / "shared" / "wild-configs"


def wild_entries() -> list[str]:
    with open(WILD / "SOURCES.tsv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [str(WILD / "cases" / row["case"] / row["entry"]) for row in rows]


@pytest.mark.parametrize("environ", [{}, ENV], ids=["empty-env", "env"])
def test_host_checks_never_change_what_real_configs_mean(environ: dict[str, str]) -> None:
    entries = wild_entries()
    assert len(entries) == 172
    differ = [path for path in entries
              if model_json(load(path, environ=environ, host_checks=False).model)
              != model_json(load(path, environ=environ, host_checks=True).model)]
    assert differ == []


PATHS = st.sampled_from(["/nonexistent-svtool/%(program_name)s.log", "{tmp}/%(program_name)s.log",
                         "%(ENV_SVTOOL_T_LOGS)s/x.log", "AUTO", "NONE", "/dev/stdout"])
USERS = st.sampled_from(["nobody", "no-such-user-svtool", "%(ENV_SVTOOL_T_USER)s", "0"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(PATHS, PATHS, USERS, st.booleans()), min_size=1, max_size=4))
def test_host_checks_never_change_the_model(tmp_path: Path,
                                            programs: list[tuple[str, str, str, bool]]) -> None:
    body = "".join(f"[program:p{i}]\ncommand = /bin/cat\nstdout_logfile = {out}\n"
                   f"stderr_logfile = {err}\nuser = {user}\nredirect_stderr = {redirect}\n"
                   for i, (out, err, user, redirect) in enumerate(programs))
    path = write(tmp_path, body.replace("{tmp}", str(tmp_path)))
    quiet = load(str(path), environ=ENV, host_checks=False)
    checked = load(str(path), environ=ENV, host_checks=True)
    assert model_json(quiet.model) == model_json(checked.model)
    # the host checks only add findings, of their own codes
    extra = {e.code for e in checked.errors} - {e.code for e in quiet.errors}
    assert extra <= {"host-path", "host-user"}
