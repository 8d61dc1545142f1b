"""The ecosystem check: svtool lint over ../shared/wild-configs, against a reviewed snapshot.

`findings.txt` holds one line per finding, `CASE/FILE:LINE RULE VERDICT [# note]`, where FILE is
relative to the case folder and VERDICT is a reviewer's judgement of the finding: `real` (a
careful ops engineer would change the config), `noise` (true, but not a problem there), `wrong`
(the rule misreads the file or says something false about supervisord), or `?` (not reviewed
yet). Only case, file, line and rule are compared; the verdict and note are the review.

Refreshing (`SVTOOL_UPDATE_WILD=1 .venv/bin/python -m pytest tests/lint/test_wild.py`) rewrites
the file from the current findings and carries each verdict and note over to the finding with
the same case, file, line and rule; new findings get `?`.
"""

from __future__ import annotations

import csv
import os
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from supervisor_tools.lint import engine
from supervisor_tools.lint.config import Settings

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
WILD = ROOT.parent / "shared" / "wild-configs"  # ../shared/wild-configs from the repo root
CASES = WILD / "cases"
SNAPSHOT = HERE / "findings.txt"
RULES = HERE / "RULES.md"
ENVIRON = HERE / "environ.txt"
VERDICTS = ("real", "noise", "wrong", "?")
UPDATE_VAR = "SVTOOL_UPDATE_WILD"
REFRESH = f"{UPDATE_VAR}=1 .venv/bin/python -m pytest -q -p no:cacheprovider tests/lint/test_wild.py"
# Files outside a case folder (an absolute [include] that matches something on this machine)
# are named by this prefix and their absolute path, so such a finding shows in the diff as
# what it is: the machine, not the config.
OUTSIDE = "<outside>"

HEADER = f"""\
# svtool lint findings on ../shared/wild-configs with default settings (no settings file), in the
# environment of tests/lint/wild/environ.txt. One line per finding:
#   CASE/FILE:LINE RULE VERDICT [# note]
# VERDICT: real | noise | wrong | ? (not reviewed). Only CASE/FILE:LINE RULE is compared.
# Refresh on purpose: {REFRESH}
# (verdicts and notes of unchanged findings are kept; new ones get ?). Precision:
#   .venv/bin/python -m tests.lint.wild.precision
"""


class Case(NamedTuple):
    case: str
    entry: str  # relative to the case folder
    kind: str  # full | fragment | confd-dir

    @property
    def folder(self) -> Path:
        return CASES / self.case

    @property
    def path(self) -> Path:
        return self.folder / self.entry


class Key(NamedTuple):
    where: str  # CASE/FILE
    line: int
    rule: str

    def __str__(self) -> str:
        return f"{self.where}:{self.line} {self.rule}"


class Found(NamedTuple):
    key: Key
    message: str


class Entry(NamedTuple):
    key: Key
    verdict: str
    note: str  # "" or the text after '#'

    def render(self) -> str:
        text = f"{self.key} {self.verdict}"
        return f"{text}  # {self.note}" if self.note else text


def cases() -> list[Case]:
    with open(WILD / "SOURCES.tsv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [Case(r["case"], r["entry"], r["kind"]) for r in rows]


def environ() -> dict[str, str]:
    env: dict[str, str] = {}
    for raw in ENVIRON.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    return env


def _where(case: Case, file: str) -> str:
    rel = os.path.relpath(os.path.abspath(file), case.folder)
    if rel.startswith(".."):
        return f"{OUTSIDE}{os.path.abspath(file)}"
    return f"{case.case}/{rel.replace(os.sep, '/')}"


class Linted(NamedTuple):
    found: list[Found]
    # files read from outside the case folders: an absolute [include] that matches something
    # on this machine, which makes the findings depend on the machine
    outside: list[str]


def lint_case(case: Case, env: dict[str, str]) -> Linted:
    """The default findings on one case's entry point, as `svtool lint --no-config` gives them."""
    result = engine.run([str(case.path)], Settings(), environ=env)
    found = []
    for finding in result.findings:
        d = finding.diagnostic
        found.append(Found(Key(_where(case, d.span.file), d.span.line, d.code), d.message))
    outside = [f for f in result.files if _where(case, f).startswith(OUTSIDE)]
    return Linted(found, outside)


def lint_all(selected: Iterable[Case] | None = None) -> Linted:
    env = environ()
    found: list[Found] = []
    outside: list[str] = []
    for case in cases() if selected is None else selected:
        linted = lint_case(case, env)
        found += linted.found
        outside += linted.outside
    found.sort(key=lambda f: f.key)
    return Linted(found, sorted(set(outside)))


def read(path: Path = SNAPSHOT) -> list[Entry]:
    """The recorded findings; a line that is not `WHERE:LINE RULE VERDICT` raises ValueError."""
    entries: list[Entry] = []
    if not path.exists():
        return entries
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text, _, note = raw.partition("#")
        if not text.strip():
            continue
        parts = text.split()
        where, _, line = parts[0].rpartition(":") if parts else ("", "", "")
        if len(parts) != 3 or not where or not line.isdigit() or parts[2] not in VERDICTS:
            raise ValueError(f"{path.name}:{number}: expected 'CASE/FILE:LINE RULE VERDICT' "
                             f"with VERDICT one of {', '.join(VERDICTS)}: {raw!r}")
        entries.append(Entry(Key(where, int(line), parts[1]), parts[2], note.strip()))
    return entries


def carry_over(found: list[Found], old: list[Entry]) -> list[Entry]:
    """Entries for `found`, each keeping the verdict and note of an old entry with its key."""
    pool: dict[Key, list[Entry]] = defaultdict(list)
    for entry in old:
        pool[entry.key].append(entry)
    out = []
    for f in found:
        kept = pool[f.key].pop(0) if pool[f.key] else None
        out.append(Entry(f.key, kept.verdict, kept.note) if kept else Entry(f.key, "?", ""))
    return out


def write(entries: list[Entry], path: Path = SNAPSHOT) -> None:
    path.write_text(HEADER + "".join(e.render() + "\n" for e in entries), encoding="utf-8")


def diff(recorded: list[Entry], found: list[Found]) -> list[str]:
    """What changed, as readable lines: `- ` recorded findings that are gone (with their
    verdict), `+ ` findings not recorded (with their message); empty when nothing changed."""
    was = Counter(e.key for e in recorded)
    now = Counter(f.key for f in found)
    gone, new = was - now, now - was
    verdicts = {e.key: e.verdict for e in recorded}
    lines: list[tuple[Key, str, str]] = []
    for key in gone:
        lines += [(key, "-", f"- {key} (was {verdicts[key]})")] * gone[key]
    for f in found:
        if new[f.key] > 0:
            new[f.key] -= 1
            lines.append((f.key, "+", f"+ {f.key}  {f.message}"))
    return [text for _, _, text in sorted(lines)]
