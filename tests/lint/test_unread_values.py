"""A value the loader could not read on this machine (an `%(ENV_X)s` not set here) is not judged
by the rules that compare values: the model holds a default there, not what the config means."""

from __future__ import annotations

from pathlib import Path

from supervisor_tools.lint.engine import lint_paths

CONFIG = """\
[supervisord]
logfile = /var/log/supervisord.log
pidfile = /run/supervisord.pid

[unix_http_server]
file = %(ENV_SVTOOL_TEST_UNSET_HOME)s/run/supervisor.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl = unix://%(ENV_SVTOOL_TEST_UNSET_HOME)s/run/supervisor.sock
"""


def test_serverurl_from_an_unset_variable_is_not_compared(tmp_path: Path) -> None:
    path = tmp_path / "supervisord.conf"
    path.write_text(CONFIG)
    unset = {d.code for d in lint_paths([str(path)], environ={})}
    assert "SV245" not in unset, unset
    # with the variable set, both name the same socket: still nothing to report
    home = {"SVTOOL_TEST_UNSET_HOME": "/srv/app"}
    assert "SV245" not in {d.code for d in lint_paths([str(path)], environ=home)}
    # and a real mismatch is still found
    path.write_text(CONFIG.replace("serverurl = unix://%(ENV_SVTOOL_TEST_UNSET_HOME)s",
                                   "serverurl = unix:///tmp"))
    assert "SV245" in {d.code for d in lint_paths([str(path)], environ=home)}
