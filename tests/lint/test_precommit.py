"""The pre-commit hooks in .pre-commit-hooks.yaml, run by the real pre-commit (`try-repo`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.lint.fixtures import ROOT

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
PROJECT_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "supervisor_tools")


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid",
                    "-c", "commit.gpgsign=false", *args], cwd=cwd, check=True,
                   capture_output=True)


def test_manifest_declares_the_hooks() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    by_id = {h["id"]: h for h in hooks}
    assert set(by_id) == {"svtool-lint", "svtool-lint-host"}
    for hook in hooks:
        assert hook["language"] == "python" and hook["entry"].startswith("svtool lint")
        # every .conf and .ini is handed over; svtool picks the supervisor configs by content
        assert hook["files"] == r"\.(conf|ini)$" and "--only-supervisor" in hook["entry"]
    # host checks are off unless asked: the default hook needs no flag for that
    assert "host-checks" not in by_id["svtool-lint"]["entry"]
    assert "--host-checks" in by_id["svtool-lint-host"]["entry"].split()


def hook_repository(tmp_path: Path) -> Path:
    """A committed copy of the project: try-repo installs the hook from a git repository."""
    hook_repo = tmp_path / "svtool"
    hook_repo.mkdir()
    for name in PROJECT_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, hook_repo / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, hook_repo / name)
    git("init", "-q", cwd=hook_repo)
    git("add", "-A", cwd=hook_repo)
    git("commit", "-q", "-m", "svtool", cwd=hook_repo)
    return hook_repo


@pytest.mark.slow
def test_try_repo_runs_the_hook(tmp_path: Path) -> None:
    assert PRE_COMMIT.exists(), "pre-commit is a test dependency: pip install pre-commit"
    hook_repo = hook_repository(tmp_path)

    project = tmp_path / "project"
    confd = project / "deploy" / "supervisor" / "conf.d"
    confd.mkdir(parents=True)
    (confd.parent / "supervisord.conf").write_text(
        "[supervisord]\nlogfile = /var/log/supervisord.log\n\n[include]\nfiles = conf.d/*.conf\n")
    bad = confd / "web.conf"
    bad.write_text("[program:web]\ncommand = /usr/bin/web\nautostart = maybe\n"
                   "user = nobody-here-svtool\n")
    # a group over a program of another fragment: fine in the tree, even when it alone changes
    (confd / "site.conf").write_text("[group:site]\nprograms = web\n")
    # a supervisor config anywhere is recognised by its content
    (project / "app.conf").write_text("[program:app]\ncommand = /usr/bin/app\nautorestrat = true\n")
    # not supervisor configs: left alone although the hook is handed them
    (project / "nginx.conf").write_text("events {}\n")
    (project / "conf.d").mkdir()
    (project / "conf.d" / "default.conf").write_text("server {\n    listen 80;\n}\n")
    (project / "tox.ini").write_text("[tox]\nenvlist = py311\n")
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "configs", cwd=project)

    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"), NO_COLOR="1")

    def hook(hook_id: str, *files: str) -> subprocess.CompletedProcess[str]:
        which = ["--files", *files] if files else ["--all-files"]
        return subprocess.run([str(PRE_COMMIT), "try-repo", str(hook_repo), hook_id, *which],
                              cwd=project, env=env, capture_output=True, text=True,
                              timeout=600)

    proc = hook("svtool-lint")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "deploy/supervisor/conf.d/web.conf:3:13: SV103 error" in out
    assert "app.conf:3:1: SV210 error" in out
    assert "SV116" not in out and "SV108" not in out and "SV101" not in out
    assert "nginx.conf" not in out and "default.conf" not in out and "tox.ini" not in out

    # only the group fragment changed: checked in its tree, so its program is found
    proc = hook("svtool-lint", "deploy/supervisor/conf.d/site.conf")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = hook("svtool-lint", "conf.d/default.conf", "nginx.conf")
    assert proc.returncode == 0, proc.stdout + proc.stderr

    proc = hook("svtool-lint-host", "deploy/supervisor/conf.d/web.conf")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and "SV116" in out, out

    bad.write_text("[program:web]\ncommand = /usr/bin/web\n")
    (project / "app.conf").write_text("[program:app]\ncommand = /usr/bin/app\n")
    git("commit", "-q", "-am", "fixed", cwd=project)
    proc = hook("svtool-lint")
    assert proc.returncode == 0, proc.stdout + proc.stderr
