"""The sdist rebuilds the package and carries its tests; the wheel is the package and runs alone.

Both are built the way a release would be, offline: `python -m build --no-isolation` makes the
sdist and then the wheel *from that sdist*, so a file the build needs but the sdist lacks fails
here. The wheel is then run with lark unimportable, since the parser's tables are precomputed.
"""

from __future__ import annotations

import email
import email.message
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NAME = "svtool-0.1.0"
WHEEL = f"{NAME}-py3-none-any.whl"
DIST_INFO = f"{NAME}.dist-info"
# what the sdist must carry beyond the package: the grammar for rebuilding the parser tables,
# the schema and docs the tests keep fresh, the tests and what they read, and the licence
TREES = ("grammar", "schemas", "docs", "tests", "fixtures", "bench", "supervisor_tools")
FILES = ("LICENSE", "README.md", "Makefile", "pyproject.toml", ".pre-commit-hooks.yaml")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # from a copy without the leftovers of earlier builds: setuptools reads an old
    # *.egg-info/SOURCES.txt back into a new sdist, which would hide a file MANIFEST.in misses
    source = tmp_path_factory.mktemp("source") / NAME
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "*.egg-info", "build", "dist", "__pycache__", "*.pyc", ".*_cache",
        ".hypothesis", "bench-results"))
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def source_files(tree: str) -> set[str]:
    """Files under ROOT/tree as the sdist names them, without byte-code and build leftovers."""
    found = set()
    for path in (ROOT / tree).rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            found.add(path.relative_to(ROOT).as_posix())
    return found


def sdist_names(dist: Path) -> set[str]:
    with tarfile.open(dist / f"{NAME}.tar.gz") as tar:
        return {m.name.removeprefix(f"{NAME}/") for m in tar.getmembers() if m.isfile()}


def wheel_names(dist: Path) -> set[str]:
    with zipfile.ZipFile(dist / WHEEL) as whl:
        return set(whl.namelist())


def wheel_metadata(dist: Path) -> email.message.Message:
    with zipfile.ZipFile(dist / WHEEL) as whl:
        return email.message_from_bytes(whl.read(f"{DIST_INFO}/METADATA"))


@pytest.mark.parametrize("tree", TREES)
def test_sdist_carries_every_file_of(dist: Path, tree: str) -> None:
    expected = source_files(tree)
    assert expected, f"{tree}/ is empty"
    assert expected - sdist_names(dist) == set()


def test_sdist_carries_the_top_level_files(dist: Path) -> None:
    names = sdist_names(dist)
    assert set(FILES) <= names
    assert "PKG-INFO" in names


def test_sdist_holds_no_byte_code(dist: Path) -> None:
    assert [n for n in sdist_names(dist) if "__pycache__" in n or n.endswith(".pyc")] == []


def test_wheel_is_the_package_with_its_data_and_licence(dist: Path) -> None:
    names = wheel_names(dist)
    package = {n for n in names if not n.startswith(f"{DIST_INFO}/")}
    assert package == source_files("supervisor_tools")
    assert f"{DIST_INFO}/licenses/LICENSE" in names


def test_wheel_metadata_is_spdx_mit_and_needs_no_lark(dist: Path) -> None:
    meta = wheel_metadata(dist)
    assert meta["License-Expression"] == "MIT"
    assert meta.get_all("License-File") == ["LICENSE"]
    # the deprecated free-text form is gone with the table form of `license`
    assert meta["License"] is None
    run_time = [r for r in meta.get_all("Requires-Dist") or [] if "extra ==" not in r]
    assert sorted(r.split(">")[0].split("=")[0].split("<")[0] for r in run_time) == [
        "click", "jsonschema", "pygls", "pyyaml"]


def test_licence_is_mit_naming_the_authors() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    assert "the svtool authors" in text
    assert "THE SOFTWARE IS PROVIDED \"AS IS\"" in text


def test_the_wheel_lints_and_shows_with_lark_unimportable(dist: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(dist / WHEEL) as whl:
        whl.extractall(tmp_path / "site")
    # None in sys.modules makes `import lark` raise ImportError, as if it were not installed;
    # the unpacked wheel goes first on the path so the checkout's own copy is not what runs
    probe = (
        "import sys; sys.modules['lark'] = None; sys.path.insert(0, sys.argv.pop(1));"
        "import supervisor_tools; assert supervisor_tools.__file__.startswith(sys.path[0]),"
        " supervisor_tools.__file__;"
        "from supervisor_tools.entry import main; sys.argv[0] = 'svtool'; main()"
    )
    env = {**os.environ, "NO_COLOR": "1"}
    clean = ROOT / "fixtures" / "demo" / "supervisord.conf"
    flawed = ROOT / "fixtures" / "demo" / "flawed" / "supervisord.conf"
    site = str(tmp_path / "site")
    lint = subprocess.run([sys.executable, "-c", probe, site, "lint", str(clean)],
                          capture_output=True, text=True, env=env, timeout=60)
    assert (lint.returncode, lint.stderr) == (0, "")
    assert "All checks passed." in lint.stdout
    findings = subprocess.run([sys.executable, "-c", probe, site, "lint", str(flawed)],
                              capture_output=True, text=True, env=env, timeout=60)
    assert findings.returncode == 1, findings.stderr
    assert "problems" in findings.stdout
    show = subprocess.run([sys.executable, "-c", probe, site, "show", str(clean)],
                          capture_output=True, text=True, env=env, timeout=60)
    assert (show.returncode, show.stderr) == (0, "")

    # the demo's conf.d include was followed and expanded, so the model was built in full
    assert "jobs:worker_00" in show.stdout


def test_the_wheel_ships_the_schema_to_yaml_points_at(dist: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(dist / WHEEL) as whl:
        whl.extractall(tmp_path / "site")
    shipped = tmp_path / "site" / "supervisor_tools" / "convert" / "supervisor.schema.json"
    assert shipped.read_text() == (ROOT / "schemas" / "supervisor.schema.json").read_text()
    probe = ("import sys; sys.path.insert(0, sys.argv.pop(1));"
             "from supervisor_tools.entry import main; sys.argv[0] = 'svtool'; main()")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    check = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "site"), "schema",
                            "--check"], cwd=outside, capture_output=True, text=True, timeout=60)
    assert (check.returncode, check.stderr) == (
        0, f"{shipped}: the installed package's schema matches the option table\n")


def test_the_sdist_rebuilds_the_parser_tables(dist: Path, tmp_path: Path) -> None:
    with tarfile.open(dist / f"{NAME}.tar.gz") as tar:
        tar.extractall(tmp_path, filter="data")
    unpacked = tmp_path / NAME
    tables = unpacked / "supervisor_tools" / "syntax" / "_tables.py"
    tables.unlink()
    done = subprocess.run([sys.executable, "grammar/build_parser.py"], cwd=unpacked,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # lark numbers the states differently from run to run, so compare the grammar they are of
    stamp = (ROOT / "supervisor_tools" / "syntax" / "_tables.py").read_text().splitlines()[1]
    assert stamp.startswith("# grammar-sha256: ")
    assert tables.read_text().splitlines()[1] == stamp
