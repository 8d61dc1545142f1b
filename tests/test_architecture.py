"""The layer contracts of docs/architecture.md catch what they forbid, and cover every module.

`make check` runs `lint-imports` on the real package. These tests make sure that run means
something: each contract, given one import it forbids, reports it; and no top-level module of
the package escapes the contracts or the page that draws them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "supervisor_tools"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

# contract id -> (module file to plant an import in, the module it imports, the layer the
# report must name as forbidden: the contract is caught on that entry, not on another one)
PLANTS: dict[str, tuple[str, str, str]] = {
    "syntax": ("syntax/ast.py", "supervisor_tools.model.model", "supervisor_tools.model"),
    "options": ("options/types.py", "supervisor_tools.syntax.ast", "supervisor_tools.syntax"),
    "model": ("model/raw.py", "supervisor_tools.lint.rule", "supervisor_tools.lint"),
    "model-parser": ("model/expand.py", "supervisor_tools.parallel.batch",
                     "supervisor_tools.parallel"),
    "parallel": ("parallel/transport.py", "supervisor_tools.model.model",
                 "supervisor_tools.model"),
    "tools": ("convert/schema.py", "supervisor_tools.runtime.states", "supervisor_tools.runtime"),
    "faces": ("generate/lines.py", "supervisor_tools.commands", "supervisor_tools.commands"),
    "click": ("model/sections.py", "click", "click"),
    "no-lark": ("options/table.py", "lark", "lark"),
    "processes": ("convert/systemd_words.py", "subprocess", "subprocess"),
    "leaves": ("boundary.py", "supervisor_tools.options.table", "supervisor_tools.options"),
    "ini": ("ini.py", "supervisor_tools.model.model", "supervisor_tools.model"),
    "entries": ("runtime/states.py", "supervisor_tools.generate.commands",
                "supervisor_tools.generate.commands"),
    "ctl": ("runtime/ctl.py", "supervisor_tools.runtime.supervisor",
            "supervisor_tools.runtime.supervisor"),
    "lsp": ("lsp/hover.py", "supervisor_tools.convert.schema", "supervisor_tools.convert"),
}


def contracts() -> list[dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    found: list[dict[str, Any]] = config["tool"]["importlinter"]["contracts"]
    return found


def dotted(relative: str) -> str:
    return "supervisor_tools." + relative.removesuffix(".py").replace("/", ".")


def test_every_contract_has_a_plant() -> None:
    assert sorted(c["id"] for c in contracts()) == sorted(PLANTS)


@pytest.fixture(scope="module")
def planted_report(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """lint-imports over a copy of the package with every forbidden import of PLANTS added."""
    work = tmp_path_factory.mktemp("planted")
    shutil.copytree(PACKAGE, work / "supervisor_tools",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", work / "pyproject.toml")
    for relative, imported, _ in PLANTS.values():
        with open(work / "supervisor_tools" / relative, "a") as module:
            module.write(f"\nimport {imported}  # planted\n")
    # the copy goes first on the path, ahead of the editable install's checkout; a wide
    # terminal keeps each contract's verdict on one line
    env = {**os.environ, "PYTHONPATH": str(work), "COLUMNS": "500"}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300)


def broken_sections(out: str) -> dict[str, str]:
    """The report of each broken contract, by contract name: from its title to the next one."""
    names = {c["name"] for c in contracts()}
    lines = out.split("Broken contracts", 1)[-1].splitlines()
    sections: dict[str, str] = {}
    current = None
    for line in lines:
        if line in names:
            current = line
            sections[current] = ""
        elif current is not None:
            sections[current] += line + "\n"
    return sections


@pytest.mark.parametrize("contract_id", sorted(PLANTS))
def test_contract_reports_its_planted_import(
        planted_report: subprocess.CompletedProcess[str], contract_id: str) -> None:
    out = planted_report.stdout
    assert planted_report.returncode == 1, out + planted_report.stderr
    (contract,) = [c for c in contracts() if c["id"] == contract_id]
    section = broken_sections(out).get(contract["name"], "")
    relative, imported, layer = PLANTS[contract_id]
    source = dotted(relative)
    # a package contract names the planted module's package; the whole-package one, the root
    sources = [s for s in contract.get("source_modules", contract.get("modules", []))
               if source == s or source.startswith(s + ".")]
    assert sources, f"{source} is not a source of {contract_id}"
    assert f"{sources[0]} is not allowed to import {layer}:" in section, out
    assert f"{source} -> {imported} (l." in section, out


def test_the_real_package_keeps_every_contract() -> None:
    done = subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=ROOT,
                          env={**os.environ, "COLUMNS": "500"},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Contracts: {len(PLANTS)} kept, 0 broken." in done.stdout


def top_level_modules() -> list[str]:
    names = [p.stem for p in PACKAGE.glob("*.py") if p.name != "__init__.py"]
    names += [p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()]
    return sorted(names)


def named_in_contracts() -> set[str]:
    named: set[str] = set()
    for contract in contracts():
        for key in ("source_modules", "forbidden_modules", "modules"):
            named.update(contract.get(key, []))
    return named


@pytest.mark.parametrize("name", top_level_modules())
def test_module_has_a_place_in_the_contracts_and_the_page(name: str) -> None:
    assert f"supervisor_tools.{name}" in named_in_contracts()
    page = (ROOT / "docs" / "architecture.md").read_text()
    assert f"`{name}.py`" in page or f"`{name}/`" in page


def test_every_ignored_import_is_named_on_the_page() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text()
    for entry in [i for c in contracts() for i in c.get("ignore_imports", [])]:
        assert f"`{entry}`" in page
