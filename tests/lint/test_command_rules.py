"""The command rules on whole configs: what decides whether they speak."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_tools.lint import commandline as cl
from supervisor_tools.lint.engine import lint_paths
from supervisor_tools.lint.rules.command import _shell_constructs

SERVER = """
[unix_http_server]
file = /run/supervisor.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl = unix:///run/supervisor.sock
"""


def _codes(tmp_path: Path, text: str, rule: str) -> list[int]:
    conf = tmp_path / "supervisord.conf"
    conf.write_text(text)
    return [d.span.line for d in lint_paths([str(conf)], select=[rule])]


@pytest.mark.parametrize(("supervisord", "extra", "found"), [
    ("", "", True),  # a system service: its cwd is the service manager's
    ("nodaemon = true\n", "", False),  # a container: WORKDIR on purpose
    ("directory = /srv/app\n", "", False),  # supervisord changes to it
    ("logfile = ./supervisord.log\n", "", False),  # started from a project directory
    ("", "stdout_logfile = logs/grpc.log\n", False),
    ("", "stdout_logfile = /var/log/grpc.log\n", True),
])
def test_relative_script_depends_on_where_supervisord_starts(
        tmp_path: Path, supervisord: str, extra: str, found: bool) -> None:
    text = (f"[supervisord]\n{supervisord}{SERVER}\n[program:grpc]\n"
            f"command = python ./manage.py start_grpc\n{extra}")
    assert bool(_codes(tmp_path, text, "SV222")) is found


def test_a_relative_program_path_is_reported_whatever_the_directory(tmp_path: Path) -> None:
    text = ("[supervisord]\nnodaemon = true\n" + SERVER
            + "\n[program:app]\ncommand = bin/php -f server.php\ndirectory = /opt/app\n")
    assert _codes(tmp_path, text, "SV222") == [14]


ARG = st.text(alphabet="ab/-=$~`|&;<>(){} \"'\\", min_size=1, max_size=8)


@settings(max_examples=400, deadline=None)
@given(st.lists(ARG, min_size=1, max_size=5))
def test_quoted_arguments_are_never_shell_syntax(args: list[str]) -> None:
    # every argument single-quoted: a shell would have read nothing in them either
    words = cl.words("/usr/bin/prog " + " ".join(shlex.quote(a) for a in args))
    assert words is not None and [w.text for w in words[1:]] == args
    assert _shell_constructs(words) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.from_regex(r"[a-z0-9/._=-]{1,8}", fullmatch=True), min_size=1, max_size=4),
       st.sampled_from(["|", "&&", "||", ";", ">", ">>", "2>&1", "<"]))
def test_a_bare_operator_word_is_always_reported(args: list[str], op: str) -> None:
    words = cl.words(" ".join(["/usr/bin/prog", *args, op, "/srv/x"]))
    assert words is not None and op in _shell_constructs(words)
