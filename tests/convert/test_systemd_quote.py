"""Quoting for systemd: what systemd splits back is exactly what supervisord would run."""

from __future__ import annotations

import shlex
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from supervisor_tools.convert.systemd_ini import split_commands
from supervisor_tools.convert.systemd_quote import (
    env_assignment,
    exec_line,
    noncharacter,
    path_problem,
    path_value,
    resolve,
)

from .helpers import verify_units

# Any text a config can hold in one argument: no NUL (exec cannot pass it), no surrogates, and
# no Unicode noncharacters, which systemd refuses (the converter reports those).
word_text = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
                    max_size=12).filter(lambda w: noncharacter(w) is None)
argv = st.lists(word_text, min_size=1, max_size=6)


def unescape_systemd(word: str) -> str:
    """Undo `%%` (specifiers) and `$$` (variable substitution) as systemd does at run time."""
    out = []
    i = 0
    while i < len(word):
        if word[i] in "%$" and word[i + 1:i + 2] == word[i]:
            out.append(word[i])
            i += 2
        else:
            out.append(word[i])
            i += 1
    return "".join(out)


@given(argv)
@example(["0\n", ""])  # a regex `$` also matches before a final newline
@example(["100%", "$HOME", "${X}", ";", "\\;", "'", '"'])
def test_exec_line_splits_back_into_the_same_words(words: list[str]) -> None:
    line = exec_line(["/bin/sh", *words])
    commands = split_commands(line)
    assert len(commands) == 1
    assert [unescape_systemd(w) for w in commands[0]] == ["/bin/sh", *words]


@given(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True), word_text)
@example("A", "x\n")
def test_environment_assignment_splits_back(name: str, value: str) -> None:
    words = [w for cmd in split_commands(env_assignment(name, value)) for w in cmd]
    assert [w.replace("%%", "%") for w in words] == [f"{name}={value}"]


def test_supervisord_split_then_systemd_quoting() -> None:
    command = """/usr/local/nginx/sbin/nginx -g 'daemon off;' -c "/etc/my conf" 100% $HOME ;"""
    line = exec_line(shlex.split(command))
    assert line == ('/usr/local/nginx/sbin/nginx -g "daemon off;" -c "/etc/my conf" 100%% '
                    '"$$HOME" ";"')


NASTY = ["", " ", ";", "\\;", "\\", '"', "'", "%", "%i", "$", "$$", "${X}", "a b", "tab\there",
         "new\nline", "é", "日本", "\x7f", "\x01", "-x", "@", "\\x41", "#", "; x", "'\"'"]


def test_the_executable_path_keeps_its_dollar_and_loses_its_percent(
        verify: Callable[..., str]) -> None:
    line = exec_line(["/opt/my app/r%un$x", "$x"])
    assert line == '"/opt/my app/r%%un$x" "$$x"'
    assert verify({"exe.service": f"[Service]\nExecStart={line}\n"}) == ""


def test_nasty_words_pass_systemd_analyze(verify: Callable[..., str]) -> None:
    lines = "".join(f"ExecStartPre={exec_line(['/bin/sh', '-c', 'true', w])}\n" for w in NASTY)
    unit = ("[Unit]\nDescription=quoting\n\n[Service]\nType=oneshot\n" + lines +
            f"ExecStart={exec_line(['/bin/sh', *NASTY])}\n"
            f"Environment={env_assignment('NASTY', ''.join(NASTY))}\n")
    assert verify({"quoting.service": unit}) == ""


@settings(max_examples=20, deadline=None)
@given(st.lists(argv, min_size=1, max_size=5))
def test_generated_words_pass_systemd_analyze(commands: list[list[str]]) -> None:
    lines = "".join(f"ExecStartPre={exec_line(['/bin/sh', *words])}\n" for words in commands)
    unit = "[Service]\nType=oneshot\n" + lines + "ExecStart=/bin/sh\n"
    with tempfile.TemporaryDirectory(prefix="svtool-quote-") as tmp:
        assert verify_units({"gen.service": unit}, Path(tmp)) == ""


def test_verification_is_not_silent_on_broken_units(verify: Callable[..., str]) -> None:
    unit = '[Service]\nExecStart=/bin/sh "unterminated\nNoSuchKey=1\n'
    assert verify({"broken.service": unit}) != ""


def test_resolve_uses_the_programs_path_first() -> None:
    exists = {"/opt/bin/tool", "/usr/bin/tool"}.__contains__
    assert resolve("tool", ["/opt/bin", "/usr/bin"], None, exists) == "/opt/bin/tool"
    assert resolve("tool", ["/usr/bin"], None, exists) == "/usr/bin/tool"
    assert resolve("tool", ["/nowhere"], None, exists) is None
    assert resolve("./run", [], "/srv/app", exists) == "/srv/app/run"
    assert resolve("bin/run", [], None, exists) is None
    assert resolve("/usr//bin/x", [], None, exists) == "/usr/bin/x"


def test_path_problems() -> None:
    assert path_problem("relative") is not None
    assert path_problem("/a/../b") is not None
    assert path_problem("/a/b") is None
    assert path_problem("/a/b/") is None
    assert path_problem("/a//./b%") is None
    assert path_value("/a//./b%/") == "/a/b%%"


def test_tidied_paths_pass_systemd_analyze(verify: Callable[..., str]) -> None:
    unit = (f"[Service]\nExecStart=/bin/sh\nWorkingDirectory={path_value('/srv//app/./')}\n"
            f"StandardOutput=append:{path_value('/var/log//x y/./a.log')}\n")
    assert verify({"paths.service": unit}) == ""
