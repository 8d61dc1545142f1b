"""Rule docs: the generated docs/rules pages are fresh, and every documented example does what
its docs say (the failing one triggers the rule, the passing one does not)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from supervisor_tools.lint import docs
from supervisor_tools.lint.engine import lint_paths
from supervisor_tools.lint.registry import RULES
from supervisor_tools.lint.rule import Rule
from tests.lint.fixtures import ROOT

DOCS = ROOT / "docs" / "rules"
# Examples that need more than one file (includes) or bytes that are not text.
NOT_SELF_CONTAINED = {"SV102", "SV201", "SV202", "SV215", "SV216"}


def test_rule_docs_are_fresh() -> None:
    wanted = docs.pages()
    for name, text in wanted.items():
        page = DOCS / name
        assert page.is_file(), f"{page} is missing: run python -m supervisor_tools.lint.docs"
        assert page.read_text(encoding="utf-8") == text, \
            f"{page} is stale: run python -m supervisor_tools.lint.docs docs/rules"
    stale = {p.name for p in DOCS.glob("SV*.md")} - set(wanted)
    assert not stale, f"pages for rules that no longer exist: {sorted(stale)}"


def examples(rule: Rule, label: str) -> str:
    """The first indented block after the line starting with `label`."""
    lines = rule.doc.split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith(label))
    block: list[str] = []
    for ln in lines[start + 1:]:
        if ln.startswith("    ") or (not ln.strip() and block):
            block.append(ln[4:])
        elif block:
            break
    return "\n".join(block).strip("\n") + "\n"


@pytest.mark.parametrize("rule", [r for r in RULES if r.id not in NOT_SELF_CONTAINED],
                         ids=lambda r: r.id)
def test_documented_examples(rule: Rule, tmp_path: Path) -> None:
    for label, should_fire in (("Failing", True), ("Passing", False)):
        path = tmp_path / f"{label.lower()}.conf"
        path.write_text(examples(rule, label), encoding="utf-8")
        # an opt-in rule is run as its docs say: selected, with its group
        select = ["DEFAULT", rule.group] if rule.group else None
        codes = [d.code for d in lint_paths([str(path)], select=select)]
        assert (rule.id in codes) == should_fire, \
            f"{rule.id} {label} example: {codes}\n{path.read_text()}"


def test_rule_pages_render_examples_as_ini() -> None:
    page = docs.rule_page(RULES[-1])
    assert re.search(r"```ini\n\[", page)
