"""docs/states.md is what the transition tables generate."""

from __future__ import annotations

from pathlib import Path

from supervisor_tools.runtime import depdoc, deps, listenerstates, statedoc, states
from supervisor_tools.runtime.states import State

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


def test_the_dependency_table_is_on_the_page_and_agrees_with_the_condition_table() -> None:
    page = statedoc.page()
    assert depdoc.section() in page
    for label, snap in depdoc.ROWS:
        for cond in depdoc.CONDITIONS:
            got = depdoc.verdict(cond, snap)
            if cond == "after":
                # order only: waits while the target is being spawned, never blocks
                assert got == ("pending" if snap.state is State.STARTING and not snap.pid
                               else "met"), (label, cond)
                continue
            holds = snap.state in deps.MET_IN[cond] and (snap.pid or snap.state is not
                                                         State.STARTING)
            if cond == "exited":
                holds = holds and snap.expected
            assert (got == "met") == bool(holds), (label, cond, got)
            if got != "met":
                # a target that moves on by itself may still get there; a settled one cannot
                moving = snap.state in deps.MOVING or snap.restarting
                assert got == ("pending" if moving else "blocked"), (label, cond, got)


def test_the_plugin_meanings_read_from_the_page() -> None:
    rows = {line.split(" | ")[0].lstrip("| "): line.strip(" |").split(" | ")[1:]
            for line in statedoc.page().splitlines()
            if line.startswith("| ") and line.count(" | ") == len(depdoc.CONDITIONS)}
    col = {c: i for i, c in enumerate(depdoc.CONDITIONS)}
    assert rows["RUNNING"][col["running"]] == "met"
    assert rows["STARTING"][col["running"]] == "pending"  # readiness keeps it STARTING
    assert rows["FATAL"][col["running"]] == "blocked"
    assert rows["EXITED, expected exit code"][col["exited"]] == "met"
    assert rows["EXITED, unexpected exit code"][col["exited"]] == "blocked"
