"""Every rule against its fixture: exactly the expected findings, at the expected positions."""

from __future__ import annotations

from pathlib import Path

import pytest

from supervisor_tools.lint.registry import RULES
from tests.lint.fixtures import FIXTURES, UPDATE, as_lines, fixture_dirs, lint_dir


@pytest.mark.parametrize("directory", fixture_dirs(), ids=lambda p: p.name)
def test_rule_fixture(directory: Path) -> None:
    got = as_lines(lint_dir(directory), directory)
    expected_file = directory / "expected.txt"
    if UPDATE:
        expected_file.write_text("".join(line + "\n" for line in got))
    expected = expected_file.read_text().splitlines()
    assert got == expected
    rule_id = directory.name.split("-", 1)[0]
    assert any(line.endswith(" " + rule_id) for line in got), \
        f"the fixture of {rule_id} does not trigger it"


def test_every_rule_has_a_fixture_and_docs() -> None:
    names = {p.name for p in fixture_dirs()}
    for rule in RULES:
        assert f"{rule.id}-{rule.name}" in names, f"{rule.id} has no fixture directory"
        assert rule.summary and rule.summary == rule.summary.strip()
        assert "Failing" in rule.doc and "Passing" in rule.doc, f"{rule.id} docs lack examples"
        first = rule.doc.split("\n\n", 1)[0]
        assert len(first) > 20, f"{rule.id} docs lack an explanation"
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids)) and len({r.name for r in RULES}) == len(RULES)
    assert sorted(names) == sorted(f"{r.id}-{r.name}" for r in RULES), \
        f"fixture directories without a rule: {sorted(names - {f'{r.id}-{r.name}' for r in RULES})}"
    assert FIXTURES.is_dir()
