"""Import shapes inside the runtime that the package-wide contracts do not see: every import
statement counts, including those under TYPE_CHECKING and inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RUNTIME = Path(__file__).resolve().parents[2] / "supervisor_tools" / "runtime"


def imported(name: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse((RUNTIME / name).read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


@pytest.mark.parametrize("module", ["listeners.py", "eventhub.py"])
def test_the_event_side_does_not_import_the_supervisor(module: str) -> None:
    # The supervisor owns the event hub; the hub sees it only through listeners.Host.
    assert "supervisor_tools.runtime.supervisor" not in imported(module)


def test_pools_do_not_import_the_hub() -> None:
    # The hub makes the pools; a pool sees the hub only through listeners.Hub.
    assert not {m for m in imported("listeners.py") if "eventhub" in m}


@pytest.mark.parametrize("table", ["states.py", "listenerstates.py"])
def test_transition_tables_are_pure(table: str) -> None:
    runtime = {m for m in imported(table) if m.startswith("supervisor_tools.runtime")}
    assert runtime <= {"supervisor_tools.runtime.transitions",
                       "supervisor_tools.runtime.transitions.Transition",
                       "supervisor_tools.runtime.transitions.row"}
    assert not imported(table) & {"os", "time", "selectors", "socket", "subprocess"}


def test_the_ctl_client_finds_its_config_without_the_daemon() -> None:
    # ctl.py runs the commands; ctlclient.py finds the server and talks to it
    names = imported("ctl.py") | imported("ctlclient.py")
    assert "supervisor_tools.runtime.configpath" in names
    assert not {n for n in names if n.startswith(("supervisor_tools.runtime.main",
                                                   "supervisor_tools.runtime.supervisor"))}
