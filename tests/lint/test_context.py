"""A conf.d fragment named on its own (as pre-commit names a changed file) is checked in its
context: inside the main config that includes it, or beside the configs of its directory; only
the named files' findings are reported."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from supervisor_tools.lint.engine import lint_paths, run
from supervisor_tools.lint.surroundings import is_supervisor_config, root_candidates
from tests.lint.test_cli import invoke

MAIN = "[supervisord]\nlogfile = /var/log/supervisord.log\n\n[include]\nfiles = {files}\n"


def codes(paths: list[Path], **kwargs: object) -> list[tuple[str, int, str]]:
    return [(os.path.basename(d.span.file), d.span.line, d.code)
            for d in lint_paths([str(p) for p in paths], **kwargs)]  # type: ignore[arg-type]


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A repository: deploy/supervisord.conf includes deploy/conf.d/*.conf."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "deploy" / "conf.d").mkdir(parents=True)
    return tmp_path


def test_a_group_may_name_a_program_of_a_sibling_fragment(tmp_path: Path) -> None:
    confd = tmp_path / "conf.d"
    confd.mkdir()
    (confd / "a.conf").write_text("[group:g]\nprograms = p1\n")
    (confd / "b.conf").write_text("[program:p1]\ncommand = /bin/cat\n")
    assert codes([confd / "a.conf"]) == []
    # alone, as supervisord would read just this file, p1 is unknown
    assert codes([confd / "a.conf"], in_context=False) == [("a.conf", 2, "SV108")]
    (confd / "a.conf").write_text("[group:g]\nprograms = p1,p2\n")
    assert codes([confd / "a.conf"]) == [("a.conf", 2, "SV108")]


def test_siblings_that_are_not_supervisor_configs_name_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.conf").write_text("[group:g]\nprograms = p1\n")
    # an nginx file and an undecodable one beside it: neither breaks the run, and the
    # undecodable one defines nothing (linting it says why)
    (tmp_path / "default.conf").write_text("server { listen 80; }\n")
    (tmp_path / "latin1.conf").write_bytes(b"[program:p1]\ncommand=caf\xe9\n")
    assert codes([tmp_path / "a.conf"]) == [("a.conf", 2, "SV108")]


def test_the_main_config_above_gives_the_context(repo: Path) -> None:
    deploy = repo / "deploy"
    (deploy / "supervisord.conf").write_text(MAIN.format(files="conf.d/*.conf programs/*.ini")
                                             + "bogus_key = 1\n")
    (deploy / "programs").mkdir()
    (deploy / "programs" / "p1.ini").write_text(
        "[program:p1]\ncommand = /bin/cat\nstdout_logfile = /var/log/app.log\nautostart = maybe\n")
    (deploy / "conf.d" / "a.conf").write_text(
        "[group:g]\nprograms = p1\n\n[program:p2]\ncommand = /bin/cat\n"
        "stdout_logfile = /var/log/app.log\n")
    # p1 is defined in another directory the main config includes; the main config's own
    # mistake and p1.ini's are not reported: only a.conf was named
    assert codes([deploy / "conf.d" / "a.conf"]) == [("a.conf", 6, "SV247")]
    # without the main config, p1 is unknown
    (deploy / "supervisord.conf").unlink()
    assert ("a.conf", 2, "SV108") in codes([deploy / "conf.d" / "a.conf"])


def test_a_main_config_that_does_not_include_the_fragment_is_no_context(repo: Path) -> None:
    deploy = repo / "deploy"
    (deploy / "supervisord.conf").write_text(MAIN.format(files="other/*.conf"))
    (deploy / "other").mkdir()
    (deploy / "other" / "p1.conf").write_text("[program:p1]\ncommand = /bin/cat\n")
    (deploy / "conf.d" / "a.conf").write_text("[group:g]\nprograms = p1\n")
    assert codes([deploy / "conf.d" / "a.conf"]) == [("a.conf", 2, "SV108")]
    assert list(root_candidates(str(deploy / "conf.d" / "a.conf"))) == \
        [str(deploy / "supervisord.conf")]


def test_the_search_stops_at_the_repository_root(repo: Path) -> None:
    outer = repo.parent / "supervisord.conf"
    inner = repo / "deploy" / "conf.d" / "a.conf"
    inner.write_text("[program:a]\ncommand = /bin/cat\n")
    assert list(root_candidates(str(inner))) == []
    assert not outer.exists()


def test_config_root_names_the_main_config(repo: Path) -> None:
    deploy = repo / "deploy"
    (deploy / "main.ini").write_text(MAIN.format(files="conf.d/*.conf lib/*.conf"))
    (deploy / "lib").mkdir()
    (deploy / "lib" / "p1.conf").write_text("[program:p1]\ncommand = /bin/cat\n")
    fragment = deploy / "conf.d" / "a.conf"
    fragment.write_text("[group:g]\nprograms = p1\n")
    assert codes([fragment]) == [("a.conf", 2, "SV108")]
    result = run([str(fragment)], config_root=str(deploy / "main.ini"))
    assert result.diagnostics == []
    code, out, _ = invoke(["lint", "--config-root", "deploy/main.ini",
                           "deploy/conf.d/a.conf"], repo)
    assert code == 0, out


def test_fragments_and_their_main_config_named_together(repo: Path) -> None:
    deploy = repo / "deploy"
    (deploy / "supervisord.conf").write_text(MAIN.format(files="conf.d/*.conf"))
    (deploy / "conf.d" / "a.conf").write_text("[program:a]\ncommand = /bin/cat\nautostart = x\n")
    (deploy / "conf.d" / "b.conf").write_text("[program:b]\ncommand = /bin/cat\nautostart = y\n")
    # both fragments named: one load of the main config, each fragment's finding once
    assert codes([deploy / "conf.d" / "a.conf", deploy / "conf.d" / "b.conf"]) == \
        [("a.conf", 3, "SV103"), ("b.conf", 3, "SV103")]
    # the main config named: every file it reads is reported, as before
    found = codes([deploy / "supervisord.conf"])
    assert [f for f in found if f[2] == "SV103"] == [("a.conf", 3, "SV103"),
                                                     ("b.conf", 3, "SV103")]
    # the directory: the fragments in their main config
    assert codes([deploy / "conf.d"]) == [("a.conf", 3, "SV103"), ("b.conf", 3, "SV103")]


def test_pre_commit_style_relative_paths_report_relative_paths(repo: Path) -> None:
    deploy = repo / "deploy"
    (deploy / "supervisord.conf").write_text(MAIN.format(files="conf.d/*.conf"))
    (deploy / "conf.d" / "a.conf").write_text("[program:a]\ncommand = /bin/cat\nautostart = x\n")
    code, out, _ = invoke(["lint", "-q", "deploy/conf.d/a.conf"], repo)
    assert code == 1
    assert out.startswith("deploy/conf.d/a.conf:3:13: SV103 error")


def test_content_decides_what_is_a_supervisor_config() -> None:
    assert is_supervisor_config(b"; web\n[program:web]\ncommand=x\n")
    assert is_supervisor_config(b"\xef\xbb\xbf[supervisord]\n")
    assert is_supervisor_config(b"[fcgi-program:php]\n")
    assert is_supervisor_config(b"  [include]\nfiles=*.conf\n")
    assert is_supervisor_config(b"[unix_http_server]\n")
    assert not is_supervisor_config(b"server {\n  listen 80;\n}\n")
    assert not is_supervisor_config(b"[tox]\nenvlist = py311\n[testenv]\n")
    assert not is_supervisor_config(b"# [program:x] in a comment\n")
    assert not is_supervisor_config(b"")


def test_a_lone_fragment_stays_fast_in_a_big_directory(tmp_path: Path) -> None:
    # siblings are read only for a fragment that names other sections (a [group:x])
    for i in range(300):
        (tmp_path / f"p{i}.conf").write_text(f"[program:p{i}]\ncommand = /bin/cat\n")
    (tmp_path / "one.conf").write_text("[program:one]\ncommand = /bin/cat\n")
    result = run([str(tmp_path / "one.conf")])
    assert result.files == [str(tmp_path / "one.conf")]


def test_git_worktree_marker_file_stops_the_search(tmp_path: Path) -> None:
    # in a git worktree .git is a file
    subprocess.run(["git", "init", "-q", str(tmp_path / "r")], check=True)
    (tmp_path / "supervisord.conf").write_text(MAIN.format(files="r/*.conf"))
    (tmp_path / "r" / ".git").rename(tmp_path / "r" / "gitdir")
    (tmp_path / "r" / ".git").write_text("gitdir: ./gitdir\n")
    (tmp_path / "r" / "a.conf").write_text("[group:g]\nprograms = p1\n")
    assert list(root_candidates(str(tmp_path / "r" / "a.conf"))) == []


def test_a_real_group_fragment_from_the_wild() -> None:
    # wild-configs case 053: ds/ds.conf is a [group:ds] over programs defined in the other
    # files of ds/, all included by the supervisord.conf above
    from tests.lint.fixtures import ROOT

    fragment = ROOT.parent / "shared" / "wild-configs" / "cases" / "053" / "ds" / "ds.conf"
    assert fragment.is_file(), "../shared/wild-configs is the shared data set of real configs"
    alone = lint_paths([str(fragment)], in_context=False)
    assert {d.code for d in alone} == {"SV108"}
    assert [d for d in lint_paths([str(fragment)]) if d.code == "SV108"] == []


def test_suppressions_and_per_file_ignores_apply_in_context(repo: Path) -> None:
    deploy = repo / "deploy"
    (deploy / "supervisord.conf").write_text(MAIN.format(files="conf.d/*.conf"))
    fragment = deploy / "conf.d" / "a.conf"
    fragment.write_text("[program:a]\ncommand = /bin/cat\nautostart = x ; svtool: disable=SV103\n"
                        "startsecs = -1\n")
    code, out, _ = invoke(["lint", "--fail-on", "warning", "deploy/conf.d/a.conf"], repo)
    assert code == 1 and "SV103" not in out and "a.conf:4:13: SV234" in out
    (repo / ".svtool.toml").write_text('per-file-ignores = { "deploy/conf.d/*.conf" = ["SV234"] }\n')
    code, out, _ = invoke(["lint", "--fail-on", "warning", "deploy/conf.d/a.conf"], repo)
    assert code == 0, out
