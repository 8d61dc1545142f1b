"""Settings files, select/ignore, per-file ignores, severity overrides and suppression comments."""

from __future__ import annotations

from pathlib import Path

import pytest

from supervisor_tools.errors import Severity, SvtoolError
from supervisor_tools.lint import config
from supervisor_tools.lint.config import Settings
from supervisor_tools.lint.engine import lint_paths, run

PROGRAM = "[program:web]\ncommand = /usr/bin/web\nstartsecs = -1\nstopsignal = KILL\n"


def codes(paths: list[str], settings: Settings | None = None) -> list[str]:
    return [f"{d.span.line}:{d.code}" for d in run(paths, settings).diagnostics]


@pytest.fixture()
def web(tmp_path: Path) -> Path:
    path = tmp_path / "web.conf"
    path.write_text(PROGRAM)
    return path


def test_select_and_ignore_by_id_prefix_and_name(web: Path) -> None:
    assert codes([str(web)]) == ["3:SV234", "4:SV235"]
    assert codes([str(web)], Settings(select=("SV234",))) == ["3:SV234"]
    assert codes([str(web)], Settings(ignore=("stopsignal-kill",))) == ["3:SV234"]
    assert codes([str(web)], Settings(ignore=("SV23",))) == []
    assert [d.code for d in lint_paths([str(web)], select=["SV2"], ignore=["SV235"])] == \
        ["SV234"]


def test_host_checks_are_opt_in_and_follow_select_and_ignore(tmp_path: Path) -> None:
    path = tmp_path / "web.conf"
    path.write_text("[program:web]\ncommand = /usr/bin/web\nuser = no-such-user-svtool\n")
    assert lint_paths([str(path)]) == []
    assert [d.code for d in lint_paths([str(path)], host_checks=True)] == ["SV116"]
    assert [d.code for d in lint_paths([str(path)], select=["DEFAULT", "host"])] == ["SV116"]
    assert [d.code for d in lint_paths([str(path)], select=["host-user"])] == ["SV116"]
    assert lint_paths([str(path)], select=["ALL"], host_checks=False) == []
    assert lint_paths([str(path)], select=["ALL"], ignore=["host"]) == []
    assert not Settings().host_checks_needed()
    assert not Settings(select=("SV1",)).host_checks_needed()  # a prefix: default rules only
    assert not Settings(select=("ALL",), ignore=("SV116", "SV117", "SV118", "SV119"))\
        .host_checks_needed()
    assert Settings(select=("ALL",), ignore=("SV116",)).host_checks_needed()
    assert Settings(host_checks=True).host_checks_needed()


def test_inline_and_previous_line_and_file_suppressions(tmp_path: Path) -> None:
    path = tmp_path / "web.conf"
    path.write_text("[program:web]\ncommand = /usr/bin/web\nstartsecs = -1 ; svtool: disable=SV234\n"
                    "; svtool: disable=stopsignal-kill\nstopsignal = KILL\n"
                    "startsecs = 0 ; svtool: disable=all\n")
    assert codes([str(path)]) == []
    path.write_text("; svtool: disable-file=SV235, SV234\n" + PROGRAM)
    assert codes([str(path)]) == []


def test_unknown_rule_ids_in_comments_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "web.conf"
    path.write_text("; svtool: disable-file=SV999\n[program:web]\ncommand = /usr/bin/web\n"
                    "startsecs = -1 ; svtool: disable=SV234,nope\n")
    found = run([str(path)]).diagnostics
    assert [(d.span.line, d.span.col, d.code) for d in found] == [(1, 24, "SV001"),
                                                                  (4, 40, "SV001")]
    assert "'nope'" in found[1].message


def test_settings_file_in_pyproject(tmp_path: Path, web: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n\n[tool.svtool]\nignore = ["SV235", "SV77"]\n'
                         'severity = { SV234 = "info" }\nfail-on = "warning"\n'
                         'per-file-ignores = { "other-*.conf" = ["SV234"] }\n')
    sub = tmp_path / "deep" / "er"
    sub.mkdir(parents=True)
    assert config.find(str(sub)) == str(pyproject)
    settings = config.load(str(pyproject))
    assert settings.fail_on == Severity.WARNING
    found = run([str(web)], settings).diagnostics
    assert [(d.code, d.severity) for d in found] == [("SV001", Severity.WARNING),
                                                     ("SV234", Severity.INFO)]
    assert found[0].span.file == str(pyproject) and found[0].span.line == 5
    other = tmp_path / "other-web.conf"
    other.write_text(PROGRAM)
    assert [d.code for d in run([str(other)], settings).diagnostics] == ["SV001"]


def test_svtool_toml_wins_over_pyproject_and_bad_settings_are_usage_errors(
        tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.svtool]\nignore = ['SV1']\n")
    dot = tmp_path / ".svtool.toml"
    dot.write_text("select = ['SV2']\n")
    assert config.find(str(tmp_path)) == str(dot)
    assert config.load(str(dot)).select == ("SV2",)
    dot.write_text("selct = ['SV2']\n")
    with pytest.raises(SvtoolError, match="unknown setting 'selct'"):
        config.load(str(dot))
    dot.write_text("select = [\n")
    with pytest.raises(SvtoolError, match="invalid TOML") as exc:
        config.load(str(dot))
    assert exc.value.span is not None and exc.value.span.line >= 1
    dot.write_text("severity = { SV234 = 'fatal' }\n")
    with pytest.raises(SvtoolError, match="error, warning or info"):
        config.load(str(dot))


def test_pyproject_without_tool_table_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    found = config.find(str(tmp_path))
    assert found is None or not found.startswith(str(tmp_path))


def test_directories_globs_and_missing_paths(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "a.conf").write_text(PROGRAM)
    (tmp_path / "conf.d" / "b.ini").write_text(PROGRAM.replace("web", "api"))
    (tmp_path / "conf.d" / "notes.txt").write_text("not a config")
    assert len(lint_paths([str(tmp_path / "conf.d")])) == 4
    assert len(lint_paths([str(tmp_path / "conf.d" / "*.ini")])) == 2
    with pytest.raises(SvtoolError, match="no such file"):
        lint_paths([str(tmp_path / "missing.conf")])
    with pytest.raises(SvtoolError, match="no file matches"):
        lint_paths([str(tmp_path / "*.nothing")])


def test_included_files_are_reported_once_against_their_own_path(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "web.conf").write_text(PROGRAM)
    main = ("[supervisord]\n[unix_http_server]\nfile=/run/s.sock\n[supervisorctl]\n"
            "serverurl=unix:///run/s.sock\n[rpcinterface:supervisor]\n"
            "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n"
            "[include]\nfiles = conf.d/*.conf\n")
    (tmp_path / "a.conf").write_text(main)
    (tmp_path / "b.conf").write_text(main)
    found = lint_paths([str(tmp_path / "a.conf"), str(tmp_path / "b.conf"),
                        str(tmp_path / "conf.d")])
    assert [(Path(d.span.file).name, d.span.line, d.code) for d in found] == \
        [("web.conf", 3, "SV234"), ("web.conf", 4, "SV235")]


def test_fragments_linted_together_see_each_others_programs(tmp_path: Path) -> None:
    (tmp_path / "group.conf").write_text("[group:site]\nprograms = web\n")
    (tmp_path / "web.conf").write_text("[program:web]\ncommand = /usr/bin/web\n")
    # named on its own, a fragment is still checked beside the configs of its directory
    assert lint_paths([str(tmp_path / "group.conf")]) == []
    assert lint_paths([str(tmp_path)]) == []
