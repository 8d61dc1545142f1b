"""The dependency graph: the options read into waits, names resolved, cycles, order; and
`svtool show --graph` in text and Mermaid."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_tools.model.depgraph import build_graph
from supervisor_tools.model.resolve import load
from supervisor_tools.model.showgraph import graph_mermaid, graph_text
from supervisor_tools.options.conversion import ConversionError
from supervisor_tools.options.dependencies import WAIT_FOR

CONF = """[supervisord]
[group:backend]
programs=db,cache
[program:db]
command=db
priority=900
[program:cache]
command=cache
[program:migrate]
command=migrate
[program:web]
command=web
priority=1
dependent_startup=true
dependent_startup_wait_for=backend:running migrate:EXITED
[program:cron]
command=cron
depends_on=web, nosuch
[program:ignored]
command=x
dependent_startup_wait_for=web
"""


def _load(tmp_path: Path, text: str = CONF) -> object:
    path = tmp_path / "s.conf"
    path.write_text(text)
    result = load(str(path))
    assert not result.errors, result.errors
    return result.model


def test_waits_are_read_as_the_plugin_and_ochinchina_read_them(tmp_path: Path) -> None:
    g = build_graph(_load(tmp_path))  # type: ignore[arg-type]
    assert [(w.target, w.conditions, w.option) for w in g.waits["web"]] == [
        ("backend", ("running",), "dependent_startup_wait_for"),
        ("migrate", ("exited",), "dependent_startup_wait_for")]
    assert [(w.target, w.conditions) for w in g.waits["cron"]] == \
        [("web", ("after",)), ("nosuch", ("after",))]
    assert g.waits["ignored"] == ()  # no dependent_startup=true: the plugin ignores it
    assert g.targets("backend") == ("db", "cache")  # in the group's start order
    assert g.targets("nosuch") is None
    # graph first (web after the backend and migrate, despite priority 1), then priority
    assert g.order() == ["db", "cache", "ignored", "migrate", "web", "cron"]
    assert g.cycles() == {}


@pytest.mark.parametrize("text,words", [
    ("db", ("db:running",)),
    ("db:RUNNING  job:exited", ("db:running", "job:exited")),
    ("a:starting,ready b:Fatal", ("a:started,running", "b:fatal")),
    ("a:started a:started", ("a:started",)),
])
def test_wait_words(text: str, words: tuple[str, ...]) -> None:
    assert WAIT_FOR.convert(text) == words


@pytest.mark.parametrize("text", ["db:up", "a:b:running", ":running"])
def test_bad_wait_words_are_refused(text: str) -> None:
    with pytest.raises(ConversionError):
        WAIT_FOR.convert(text)


@given(st.lists(st.tuples(st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True),
                          st.lists(st.sampled_from(["starting", "RUNNING", "ready", "exited",
                                                    "fatal", "backoff", "stopping"]),
                                   max_size=3)), max_size=5))
@settings(max_examples=200, deadline=None)
def test_canonical_words_read_back_the_same(waits: list[tuple[str, list[str]]]) -> None:
    text = " ".join(f"{n}:{','.join(s)}" if s else n for n, s in waits)
    words = WAIT_FOR.convert(text)
    assert WAIT_FOR.convert(WAIT_FOR.format(words)) == words


def test_cycles_are_found_with_a_path(tmp_path: Path) -> None:
    model = _load(tmp_path, """[supervisord]
[program:a]
command=a
depends_on=b
[program:b]
command=b
dependent_startup=true
dependent_startup_wait_for=c:started
[program:c]
command=c
depends_on=a
[program:d]
command=d
depends_on=a
""")
    g = build_graph(model)  # type: ignore[arg-type]
    assert g.cycles() == {p: ("a", "b", "c", "a") for p in "abc"}
    assert g.order()[-4:] == ["a", "b", "c", "d"]  # the cycle, and what waits for it


def test_show_graph_text_and_mermaid(tmp_path: Path) -> None:
    model = _load(tmp_path)
    assert graph_text(model) == (  # type: ignore[arg-type]
        "db\ncache\nignored\nmigrate\n"
        "web <- backend [db, cache] (running), migrate (exited)\n"
        "cron <- web (after), nosuch (after)\n"
        "unknown: cron waits for 'nosuch', no program or group\n")
    mermaid = graph_mermaid(model)  # type: ignore[arg-type]
    assert mermaid.startswith("flowchart LR\n")
    assert '    n0["db"]' in mermaid
    assert "    n0 -->|running| n4" in mermaid and "    n1 -->|running| n4" in mermaid
    assert "    n3 -->|exited| n4" in mermaid
    assert '    n6["nosuch (unknown)"]:::missing' in mermaid


def test_show_graph_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "s.conf").write_text(CONF)
    run = [sys.executable, "-m", "supervisor_tools", "show"]
    text = subprocess.run([*run, "--graph", str(tmp_path / "s.conf")], capture_output=True,
                          text=True, timeout=60)
    assert text.returncode == 0, text.stderr
    assert text.stdout == graph_text(_load(tmp_path))  # type: ignore[arg-type]
    mermaid = subprocess.run([*run, str(tmp_path / "s.conf"), "--mermaid"],
                             capture_output=True, text=True, timeout=60)
    assert mermaid.returncode == 0 and mermaid.stdout.startswith("flowchart LR")


def test_docs_name_every_condition_word() -> None:
    from supervisor_tools.options.dependencies import CONDITION_WORDS

    doc = (Path(__file__).resolve().parents[2] / "docs" / "dependencies.md").read_text()
    table = doc.split("### Conditions", 1)[1].split("\n\n", 2)[1]
    for word, cond in CONDITION_WORDS.items():
        assert f"`{word}`" in table or f"`{word.upper()}`" in table, word
        assert f"`{cond}`" in table, cond
