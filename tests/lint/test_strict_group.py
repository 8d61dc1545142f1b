"""Rules moved to the opt-in group "strict" stay silent by default and report when selected."""

from __future__ import annotations

from pathlib import Path

from supervisor_tools.lint.engine import lint_paths
from supervisor_tools.lint.registry import BY_ID

CONFIG = """\
[program:search]
command = /usr/bin/search-server
startsecs = 60
stopwaitsecs = 10
"""


def test_strict_rules_are_opt_in(tmp_path: Path) -> None:
    path = tmp_path / "search.conf"
    path.write_text(CONFIG)
    assert BY_ID["SV239"].group == "strict"
    assert "SV239" not in {d.code for d in lint_paths([str(path)])}
    for selector in ("strict", "SV239", "startsecs-exceeds-stopwaitsecs"):
        assert "SV239" in {d.code for d in lint_paths([str(path)], select=[selector])}


def test_restart_loop_is_opt_in(tmp_path: Path) -> None:
    path = tmp_path / "worker.conf"
    path.write_text("[program:worker]\ncommand = php artisan queue:work\nstartsecs = 0\n")
    assert BY_ID["SV232"].group == "strict"
    assert "SV232" not in {d.code for d in lint_paths([str(path)])}
    assert "SV232" in {d.code for d in lint_paths([str(path)], select=["strict"])}


def test_user_root_is_opt_in(tmp_path: Path) -> None:
    path = tmp_path / "web.conf"
    path.write_text("[program:web]\ncommand = /usr/bin/web\nuser = root\n")
    assert BY_ID["SV236"].group == "strict"
    assert "SV236" not in {d.code for d in lint_paths([str(path)])}
    for selector in ("strict", "SV236", "user-root"):
        assert "SV236" in {d.code for d in lint_paths([str(path)], select=[selector])}
