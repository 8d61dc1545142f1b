"""Rules moved to the opt-in group "strict" stay silent by default and report when selected."""

from __future__ import annotations

from pathlib import Path

from supervisor_tools.lint.engine import lint_paths
from supervisor_tools.lint.registry import BY_ID

CONFIG = """\
[program:sshd]
command = /usr/sbin/sshd -D
user = root
startsecs = 60
stopwaitsecs = 10
"""


def test_strict_rules_are_opt_in(tmp_path: Path) -> None:
    path = tmp_path / "sshd.conf"
    path.write_text(CONFIG)
    assert BY_ID["SV236"].group == BY_ID["SV239"].group == "strict"
    by_default = {d.code for d in lint_paths([str(path)])}
    assert not by_default & {"SV236", "SV239"}, by_default
    for selector in ("strict", "SV236", "user-root"):
        assert "SV236" in {d.code for d in lint_paths([str(path)], select=[selector])}
    assert "SV239" in {d.code for d in lint_paths([str(path)], select=["strict"])}
