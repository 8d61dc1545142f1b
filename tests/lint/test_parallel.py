"""Rules split between two processes find exactly what one process finds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from supervisor_tools import forked
from supervisor_tools.errors import Severity, Span
from supervisor_tools.lint import parallel
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.engine import run
from supervisor_tools.lint.rule import Finding, Report, Rule
from supervisor_tools.model import load

ROOT = Path(__file__).resolve().parents[2]
LINT_FIXTURES = sorted(str(p) for p in (ROOT / "fixtures/lint").rglob("*.conf"))


def _findings(monkeypatch: pytest.MonkeyPatch, min_sections: int) -> list[str]:
    monkeypatch.setattr(parallel, "MIN_SECTIONS", min_sections)
    result = run(LINT_FIXTURES)
    return [f"{f.diagnostic} {f.fix}" for f in result.findings]


def test_forked_rules_find_the_same_as_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked, "_allowed", True)
    if not forked.available():
        pytest.fail("this test needs two cores to exercise the forked path")
    serial = _findings(monkeypatch, 10**9)
    two_processes = _findings(monkeypatch, 0)
    assert len(serial) > 100
    assert two_processes == serial


def _check(rule_id: str, func: object, sink: list[Finding]) -> tuple[Rule, Report]:
    rule = Rule(rule_id, rule_id.lower(), Severity.ERROR, "test", "", (), func)  # type: ignore[arg-type]
    return rule, Report(rule, Severity.ERROR, sink)


def test_a_rule_failing_in_the_child_is_rerun_here_and_raises(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_SECTIONS", 0)
    monkeypatch.setattr(forked, "_allowed", True)
    contexts = [Context(load(LINT_FIXTURES[0], fragment=True))]

    def fine(ctx: Context, report: Report) -> None:
        report(Span.point("x.conf"), "found")

    def broken(ctx: Context, report: Report) -> None:
        raise RuntimeError("rule bug")

    sink: list[Finding] = []
    # the first check runs here, the second in the child, where it fails
    checks = [_check("SV901", fine, sink), _check("SV902", broken, sink)]
    with pytest.raises(RuntimeError, match="rule bug"):
        parallel.check_all(contexts, checks, sink)
    assert [f.diagnostic.code for f in sink] == ["SV901"]


def test_forking_is_off_unless_a_command_turns_it_on() -> None:
    # a long-lived process (the runtime reaps with waitpid(-1)) must not get unknown children
    code = ("from supervisor_tools import forked\n"
            "assert not forked.available()\n"
            "forked.allow()\n"
            "assert forked.available() == (forked.cores() >= 2)\n")
    subprocess.run([sys.executable, "-c", code], check=True)
