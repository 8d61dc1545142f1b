"""Properties of the helpers behind SV236, SV252 and SV253: what makes a path relative, and that
no command text makes the command checks fail."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from supervisor_tools.lint.rules.files import RELATIVE_OPTIONS, _relative_path
from supervisor_tools.lint.rules.users import _reads_home, _root_by_design

# path segments as configs write them: names, dots, expansions of names
segment = st.sampled_from(["logs", "app", ".", "..", "%(program_name)s", "web-%(process_num)d",
                           "supervisor.sock", "x.log"]) | st.from_regex(r"[a-z0-9_.-]{1,8}",
                                                                        fullmatch=True)
relative = st.lists(segment, min_size=1, max_size=4).map("/".join).filter(
    lambda p: p.lower() not in ("auto", "none", "off", "syslog"))
keys = st.sampled_from(RELATIVE_OPTIONS)


def _as_value(key: str, path: str) -> str:
    return f"unix://{path}" if key == "serverurl" else path


@given(keys, relative)
def test_anchored_paths_are_never_relative(key: str, path: str) -> None:
    for anchored in (f"/{path}", f"~/{path}", f"%(here)s/{path}", f"%(ENV_LOGS)s/{path}"):
        assert _relative_path(key, _as_value(key, anchored)) is None


@given(keys, relative, st.sampled_from(["", " ", "\t"]))
def test_relative_paths_are_reported_as_written(key: str, path: str, pad: str) -> None:
    assert _relative_path(key, pad + _as_value(key, path) + pad) == path


@given(st.text(max_size=60))
def test_command_checks_take_any_text(command: str) -> None:
    assert _reads_home(command) is None or isinstance(_reads_home(command), str)
    assert isinstance(_root_by_design(command), bool)
