"""conf.d fragments split between two processes give exactly what one process gives."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from supervisor_tools.lint import engine
from supervisor_tools.parallel.batch import Batch
from supervisor_tools.parallel.fork import Forks

ROOT = Path(__file__).resolve().parents[2]


def _confd(tmp_path: Path) -> Path:
    """Every lint fixture in one directory: fragments with findings of most rules, and a few
    full configs among them."""
    confd = tmp_path / "conf.d"
    confd.mkdir()
    for i, src in enumerate(sorted((ROOT / "fixtures/lint").rglob("*.conf"))):
        shutil.copy(src, confd / f"{i:04d}-{src.name}")
    return confd


def _lint(paths: list[str], forks: Forks, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setattr(engine, "MIN_FORKED_FRAGMENTS", 2)
    result = engine.run(paths, batch=Batch(forks))
    return ([f"{f.diagnostic} {f.fix}" for f in result.findings]
            + ["read " + path for path in result.files] + ["doc " + p for p in result.documents])


def test_forked_fragments_find_the_same_as_one_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not Forks(True).available():
        pytest.fail("this test needs two cores to exercise the forked path")
    confd = str(_confd(tmp_path))
    one = _lint([confd], Forks(False), monkeypatch)
    splits = []

    class Counted(Forks):
        def split(self, here: Any, there: Any) -> Any:
            splits.append(here)
            return super().split(here, there)

    two = _lint([confd], Counted(True), monkeypatch)
    assert any("_each_fragment" in here.__qualname__ for here in splits)
    assert sum(line.startswith("doc ") for line in one) > 60
    assert sum(not line.startswith(("doc ", "read ")) for line in one) > 100
    assert two == one


def test_a_fragment_failing_in_the_child_is_linted_here_and_raises(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fragments = [(f"f{i}.conf", Forks.__name__) for i in range(4)]
    done: list[str] = []

    def lint(path: str, parsed: object) -> None:
        if path == "f3.conf":
            raise RuntimeError("rule bug")
        done.append(path)

    with pytest.raises(RuntimeError, match="rule bug"):
        engine._each_fragment(fragments, lint, [], Forks(True))  # type: ignore[arg-type]
    # f0, f1 here; f2 again here after the child failed on f3
    assert done == ["f0.conf", "f1.conf", "f2.conf"]
