"""Values written by the generator read back as meant, through supervisord's own reader."""

from __future__ import annotations

import configparser
import io

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from supervisor.datatypes import dict_of_key_value_pairs
from supervisor.options import expand

from supervisor_tools.errors import SvtoolError
from supervisor_tools.generate.scaffold import environment_text
from supervisor_tools.ini import Block, Line, render, value_text
from supervisor_tools.options.table import spec

PIECES = ["a", "b", " ", "\t", ";", "#", "%", "%%", "%(program_name)s", "%(process_num)02d",
          "%(bogus)s", "%(program_name)d", "'", '"', "=", ",", "\n", "é", "x y", " ;c", "/"]
texts = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
NAMES = {"program_name": "web", "process_num": 3, "group_name": "web", "here": "/etc",
         "host_node_name": "node", "numprocs": 4}


def read_back(key: str, written: str) -> str:
    """The value supervisord's configparser gives for `key=written`."""
    cp = configparser.RawConfigParser(inline_comment_prefixes=(";", "#"), strict=False)
    cp.read_file(io.StringIO(f"[program:web]\n{key}={written} ; trailing comment\n"))
    return cp.get("program:web", key)


def expect(text: str) -> str:
    out = text
    for name, value in NAMES.items():
        out = out.replace(f"%({name})s", str(value))
        if isinstance(value, int):
            out = out.replace(f"%({name})02d", f"{value:02d}")
    return out


@given(texts)
@example("echo 100%")
@example("sh -c 'a ; b'")
def test_command_value_reads_back_or_is_refused(text: str) -> None:
    row = spec("program", "command")
    assert row is not None
    try:
        written = value_text(text, row)
    except SvtoolError:
        return
    assert expand(read_back("command", written), NAMES, "command") == expect(text)


@given(texts)
@example("/var/log/100%.log")
def test_twice_expanded_logfile_reads_back_or_is_refused(text: str) -> None:
    row = spec("program", "stdout_logfile")
    assert row is not None
    try:
        written = value_text(text, row)
    except SvtoolError:
        return
    value = read_back("stdout_logfile", written)
    once = expand(value, NAMES, "stdout_logfile")
    assert expand(once, NAMES, "stdout_logfile") == expect(text)


@pytest.mark.parametrize(("text", "message"), [
    ("a ;b", "comment"), ("a #b", "comment"), (" a", "whitespace"), ("a\nb", "single line"),
    ("%(bogus)s", "cannot be expanded"), ("%(program_name)d", "is text"),
])
def test_refusals_say_why(text: str, message: str) -> None:
    row = spec("program", "command")
    assert row is not None
    with pytest.raises(SvtoolError, match=message):
        value_text(text, row)


keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True)
env_values = st.lists(st.sampled_from(["a", " ", "x y", ",", "'", '"', "%", "=", "#", ";",
                                       "$HOME", "é", "/", ":"]), max_size=6).map("".join)


@given(st.dictionaries(keys, env_values, max_size=4))
@example({"A": "it's"})
@example({"A": 'say "hi"'})
def test_environment_reads_back_or_is_refused(env: dict[str, str]) -> None:
    row = spec("program", "environment")
    assert row is not None
    try:
        written = value_text(environment_text([f"{k}={v}" for k, v in env.items()]), row,
                             "--env")
    except SvtoolError:
        return
    value = expand(read_back("environment", written), NAMES, "environment")
    assert dict_of_key_value_pairs(value) == env


@pytest.mark.parametrize("pairs", [["NOEQUALS"], ["1A=x"], ["A-B=x"], ["=x"], ["A=1", "A=2"],
                                   ['A="quoted"'], ["A=both ' and \""]])
def test_bad_env_pairs_are_refused(pairs: list[str]) -> None:
    with pytest.raises(SvtoolError, match="--env"):
        environment_text(pairs)


def test_line_breaks_in_notes_stay_comments() -> None:
    text = render([Block("program:a", [Line("command", "/bin/cat", "x\ny=1")],
                         notes=["one\n[program:evil]"], header_comment="p\nq=2")], ["a\nb=1"])
    assert [ln for ln in text.splitlines() if ln and not ln.startswith(";")] == [
        "[program:a] ; p q=2", "command=/bin/cat ; x y=1"]
