"""supervisord 4.3.0 still loads every config that uses the dependency keys (it ignores
them), and runs the same programs svtool reads from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from supervisor_tools.model.resolve import load

from . import run_oracle

REPO = Path(__file__).resolve().parents[2]
CONFIGS = [REPO / "fixtures" / "convert" / "configs" / "dependencies.conf",
           *sorted((REPO / "fixtures" / "lint").glob("SV27*/supervisord.conf"))]


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.parent.name + "/" + p.name)
def test_supervisord_loads_configs_with_dependency_keys(path: Path) -> None:
    text = path.read_text()
    assert "dependent_startup" in text or "depends_on" in text
    result = run_oracle(str(path), env={"PATH": "/usr/bin:/bin"})
    assert result["ok"], result
    theirs = sorted((g["name"], p["name"]) for g in result["config"]["groups"]
                    for p in g["processes"])
    model = load(str(path), host_checks=False).model
    ours = sorted((g.name, p.name) for g in model.groups for p in g.processes)
    assert theirs == ours
