"""svtool's one INI writer: a value it writes reads back as the same value in svtool's loader
and in supervisord 4.3.0's own, or the writer refuses it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from supervisor_tools.errors import SvtoolError
from supervisor_tools.ini import (
    check_value,
    environment_text,
    percent_literal,
    render_sections,
    value_text,
)
from supervisor_tools.model import load
from supervisor_tools.options.table import spec
from tests.generate.helpers import supervisor_load

PIECES = ["a", "b", " ", "\t", ";", "#", "%", "%%", "%(program_name)s", "%(here)s", "'", '"',
          "=", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\r", "\n", "é", "[x]", "\\", ":"]
texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=10).map("".join)
OPTIONS = ["command", "directory", "stdout_logfile", "stderr_logfile"]


def both_loaders(text: str) -> tuple[dict[str, object], dict[str, object]] | None:
    """The web program's values as svtool's loader and as supervisord's give them; None when
    both refuse the config (supervisord checks that a log file's directory exists)."""
    with tempfile.TemporaryDirectory(prefix="svtool-ini-") as tmp:
        path = Path(tmp) / "supervisord.conf"
        path.write_text(text, encoding="utf-8")
        try:
            theirs = supervisor_load(path).process_group_configs[0].process_configs[0]
        except ValueError as exc:
            checked = load(str(path), fragment=False, host_checks=True)
            assert not checked.ok, exc
            return None
        result = load(str(path), fragment=False, host_checks=False)
        assert result.ok, [str(e) for e in result.errors]
        ours = result.model.processes()[0]
        return ({o: getattr(ours, o) for o in OPTIONS if o != "command"}
                | {"command": ours.command, "environment": dict(ours.environment)},
                {o: getattr(theirs, o) for o in OPTIONS}
                | {"environment": dict(theirs.environment or {})})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(OPTIONS), texts, st.sampled_from(["=", " = "]))
@example("command", ";a", " = ")
@example("directory", "100%", "=")
@example("stdout_logfile", "a%(here)sb", " = ")
@example("command", "a\x0bb", "=")
def test_literal_value_reads_back_the_same_or_is_refused(option: str, text: str,
                                                         sep: str) -> None:
    row = spec("program", option)
    written = percent_literal(text, row)
    try:
        check_value(option, written, option, sep)
    except SvtoolError:
        event("refused")
        return
    event("written")
    lines = [f"{option}{sep}{written}"] + ([] if option == "command" else ["command=/bin/cat"])
    read = both_loaders("[supervisord]\n[program:web]\n" + "\n".join(lines) + "\n")
    assert read is not None
    ours, theirs = read
    assert ours[option] == theirs[option] == text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(OPTIONS), texts)
@example("stdout_logfile", "/tmp/%(program_name)s-100%.log")
def test_expression_expands_alike_in_both_loaders_or_is_refused(option: str, text: str) -> None:
    # the generator's values keep their %(name)s references: both loaders must expand them alike
    row = spec("program", option)
    assert row is not None
    try:
        written = value_text(text, row)
    except SvtoolError:
        event("refused")
        return
    event("written")
    lines = [f"{option}={written}"] + ([] if option == "command" else ["command=/bin/cat"])
    read = both_loaders("[supervisord]\n[program:web]\n" + "\n".join(lines) + "\n")
    if read is None:
        event("both refuse the config")
        return
    ours, theirs = read
    assert ours[option] == theirs[option]


keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,5}", fullmatch=True)
env_values = st.lists(st.sampled_from(["a", " ", "x y", ",", "'", '"', "%", "=", "#", ";", "é",
                                       "/", ":", "%(here)s"]), max_size=6).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, env_values, min_size=1, max_size=3))
@example({"A": "100%", "B": "it's"})
def test_environment_reads_back_the_same_or_is_refused(env: dict[str, str]) -> None:
    row = spec("program", "environment")
    try:
        value = environment_text({k: percent_literal(v, row) for k, v in env.items()})
        text = render_sections([("supervisord", []),
                                ("program:web", [("command", "/bin/cat"),
                                                 ("environment", value)])])
    except SvtoolError:
        event("refused")
        return
    event("written")
    read = both_loaders(text)
    assert read is not None
    assert read[0]["environment"] == read[1]["environment"] == env


@pytest.mark.parametrize(("text", "sep", "message"), [
    (";a", " = ", "comment"), ("a ;b", "=", "comment"), ("a\t#c", "=", "'#'"),
    ("a\rb", "=", "single line"), (" a", "=", "whitespace"),
])
def test_refusals_say_why(text: str, sep: str, message: str) -> None:
    with pytest.raises(SvtoolError, match=message):
        check_value("command", text, "[program:x] command", sep)


def test_a_leading_comment_marker_is_safe_without_a_space_before_it() -> None:
    check_value("command", ";a", "command", "=")  # configparser needs whitespace before ;


def test_percent_is_doubled_once_per_pass() -> None:
    assert percent_literal("100%", spec("program", "command")) == "100%%"
    assert percent_literal("100%", spec("program", "stdout_logfile")) == "100%%%%"
    assert percent_literal("100%", spec("supervisord", "environment")) == "100%%%%"
    assert percent_literal("100%", None) == "100%%"  # a plugin's keyword argument
