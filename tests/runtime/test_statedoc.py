"""docs/states.md is what the transition tables generate."""

from __future__ import annotations

from pathlib import Path

from supervisor_tools.runtime import listenerstates, statedoc, states

PAGE = Path(__file__).resolve().parents[2] / "docs" / "states.md"


def test_states_page_is_fresh() -> None:
    assert PAGE.read_text(encoding="utf-8") == statedoc.page(), (
        "docs/states.md is stale: run python -m supervisor_tools.runtime.statedoc docs/states.md")


def test_every_row_is_drawn_and_listed() -> None:
    page = statedoc.page()
    for table in (states.TABLE, listenerstates.TABLE):
        for (state, event), transition in table.items():
            assert (f"| {state.name} | {event.__name__} | `{transition.handler.__name__}` |"
                    in page)
            for target in transition.enters:
                edge = next(line for line in page.splitlines()
                            if line.startswith(f"    {state.name} --> {target.name}: "))
                assert event.__name__ in edge.split(": ", 1)[1].split(", ")
