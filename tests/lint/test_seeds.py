"""The seed configs: exactly the findings docs/rules/seeds.md explains, and no others."""

from __future__ import annotations

import os

from supervisor_tools.lint.engine import lint_paths
from tests.lint.fixtures import ROOT

SEEDS = ROOT / "fixtures" / "seeds"

EXPECTED = [
    "000-env-lang.conf:2 SV101",
    "000-main-structure.conf:4 SV246", "000-main-structure.conf:9 SV240",
    "000-main-structure.conf:15 SV246", "000-main-structure.conf:19 SV246",
    "000-myapp.ini:4 SV251", "000-myapp.ini:5 SV251",
    "000-worker.conf:12 SV246", "000-worker.conf:12 SV247",
    "000-worker.conf:13 SV246", "000-worker.conf:13 SV247",
    "001-echo-conf-annotated.conf:4 SV246", "001-echo-conf-annotated.conf:17 SV246",
    "001-echo-conf-annotated.conf:21 SV246",
    "001-my-test.conf:27 SV235",
    "002-annotated-main.conf:2 SV246", "002-annotated-main.conf:13 SV243",
    "002-annotated-main.conf:14 SV246", "002-annotated-main.conf:18 SV246",
    "004-web-app.conf:8 SV222", "004-web-app.conf:12 SV222",
    "004-workers-group.conf:2 SV222", "004-workers-group.conf:5 SV222",
]


def test_seed_findings_are_the_documented_ones() -> None:
    found = lint_paths([str(SEEDS)], host_checks=False)
    got = [f"{os.path.basename(d.span.file)}:{d.span.line} {d.code}" for d in found]
    assert got == EXPECTED
    doc = (ROOT / "docs" / "rules" / "seeds.md").read_text(encoding="utf-8")
    for code in {line.split()[1] for line in EXPECTED}:
        assert code in doc


def test_absolute_includes_that_match_nothing_here_are_host_findings() -> None:
    found = lint_paths([str(SEEDS)], host_checks=True)
    got = [f"{os.path.basename(d.span.file)}:{d.span.line} {d.code}" for d in found
           if d.code == "SV201"]
    assert got == ["000-main-structure.conf:29 SV201", "003-main.conf:24 SV201",
                   "004-main-include.conf:5 SV201"]


def test_the_group_fragment_alone_names_unknown_programs() -> None:
    group = str(SEEDS / "004-app-workers-group.conf")
    # as supervisord reads that file alone: its programs are unknown
    found = lint_paths([group], host_checks=False, in_context=False)
    assert [d.code for d in found] == ["SV108", "SV108"]
    # named on its own, it is checked beside 004-web-app.conf, which defines them
    assert lint_paths([group], host_checks=False) == []
