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
    assert "--no-host-checks" in by_id["svtool-lint"]["entry"]


@pytest.mark.slow
def test_try_repo_runs_the_hook(tmp_path: Path) -> None:
    assert PRE_COMMIT.exists(), "pre-commit is a test dependency: pip install pre-commit"
    # a committed copy of the project: try-repo installs the hook from a git repository
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

    project = tmp_path / "project"
    (project / "deploy" / "supervisor" / "conf.d").mkdir(parents=True)
    bad = project / "deploy" / "supervisor" / "conf.d" / "web.conf"
    bad.write_text("[program:web]\ncommand = /usr/bin/web\nautostart = maybe\n"
                   "user = nobody-here-svtool\n")
    (project / "nginx.conf").write_text("events {}\n")  # not a supervisor config: not linted
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "configs", cwd=project)

    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"), NO_COLOR="1")
    cmd = [str(PRE_COMMIT), "try-repo", str(hook_repo), "svtool-lint", "--all-files"]
    proc = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True,
                          timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "deploy/supervisor/conf.d/web.conf:3:13: SV103 error" in out
    assert "SV116" not in out and "nginx.conf" not in out

    bad.write_text("[program:web]\ncommand = /usr/bin/web\n")
    git("commit", "-q", "-am", "fixed", cwd=project)
    proc = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
