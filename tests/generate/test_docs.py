"""docs/options.md is what the option table (and the lint registry) generate."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from supervisor_tools.generate.docs import (
    DEFAULT_PATH,
    lint_rules,
    main,
    options_markdown,
    rules_cell,
)
from supervisor_tools.options.table import TABLE

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class FakeRule:
    id: str
    summary: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class FakeKindRule(FakeRule):
    kinds: tuple[str, ...]


def test_committed_docs_are_fresh() -> None:
    assert DEFAULT_PATH == ROOT / "docs" / "options.md"
    committed = DEFAULT_PATH.read_text(encoding="utf-8")
    assert committed == options_markdown(lint_rules()), (
        "docs/options.md is stale: run `python -m supervisor_tools.generate.docs`")
    assert main(["--check"]) == 0


def test_every_option_is_documented() -> None:
    page = options_markdown(None)
    for kind, rows in TABLE.items():
        section = page.split(f"<a id=\"{kind}\"></a>", 1)[1].split("<a id=", 1)[0]
        for row in rows:
            assert f"| `{row.name}` | {row.type.name} |" in section, (kind, row.name)
            assert row.doc.replace("|", "\\|") in section


def test_linter_column_names_the_rules_of_each_option() -> None:
    rules = [FakeRule("SV900", "a thing about users", ("user",)),
             FakeRule("SV901", "pipes | in text", ("user", "command"))]
    page = options_markdown(rules)
    assert "Linter checks" in page
    assert rules_cell("program", "user", rules) == (
        "[`SV900`](rules/SV900.md) a thing about users<br>"
        "[`SV901`](rules/SV901.md) pipes | in text")
    assert "[`SV901`](rules/SV901.md) pipes \\| in text" in page
    assert rules_cell("program", "numprocs", rules) == "—"


def test_rules_that_name_their_sections_are_listed_only_there() -> None:
    rules = [FakeKindRule("SV902", "program users", ("user",), ("program",))]
    assert rules_cell("program", "user", rules) == "[`SV902`](rules/SV902.md) program users"
    assert rules_cell("supervisord", "user", rules) == "—"


def test_without_a_linter_the_page_says_so() -> None:
    page = options_markdown(None)
    assert "Linter checks" not in page
    assert "rule registry was not available" in page
