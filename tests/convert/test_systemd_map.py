"""The systemd mapping is complete (every option has a decision) and documented as it is."""

from __future__ import annotations

import re

from supervisor_tools.convert.systemd_map import GROUP_MAPPING, MAPPING, markdown_table
from supervisor_tools.options.table import options_for

from .helpers import REPO, UPDATE

DOC = REPO / "docs" / "systemd.md"
START, END = "<!-- mapping:start -->\n", "<!-- mapping:end -->\n"


def test_every_process_option_has_a_mapping_decision() -> None:
    for kind in ("program", "eventlistener", "fcgi-program"):
        missing = set(options_for(kind)) - set(MAPPING)
        assert not missing, f"{kind}: no systemd decision for {sorted(missing)}"


def test_every_group_option_has_a_mapping_decision() -> None:
    assert set(options_for("group")) == set(GROUP_MAPPING)


def test_no_decision_names_an_option_that_does_not_exist() -> None:
    known = set()
    for kind in ("program", "eventlistener", "fcgi-program"):
        known |= set(options_for(kind))
    assert set(MAPPING) <= known


def test_lost_decisions_say_why_and_mapped_ones_say_what() -> None:
    for name, decision in MAPPING.items():
        assert decision.note, name
        if decision.kind != "lost":
            assert decision.systemd, name


def test_docs_show_the_mapping_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    table = markdown_table()
    if UPDATE:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: START + table + END,
                      text, flags=re.S)
        DOC.write_text(text, encoding="utf-8")
    assert START + table + END in text, "docs/systemd.md is stale: SVTOOL_UPDATE_GOLDEN=1"
