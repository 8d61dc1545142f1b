"""The ecosystem check: svtool lint over ../shared/wild-configs, against a reviewed snapshot.

`findings.txt` holds one line per finding, `CASE/FILE:LINE RULE [(GROUP)] VERDICT [# note]`, where
FILE is relative to the case folder, GROUP is the opt-in rule group of a rule outside the default
set (the findings of every rule are recorded except the machine-dependent "host" group, so a
finding that moves from the default set into an opt-in group shows as such, and one that no rule
reports any more shows as lost), and VERDICT is a reviewer's judgement of the finding: `real` (a
careful ops engineer would change the config), `noise` (true, but not a problem there), `wrong`
(the rule misreads the file or says something false about supervisord), or `?` (not reviewed
yet). Case, file, line, rule and group are compared; the verdict and note are the review.
Precision is measured over the default findings (no GROUP): what `svtool lint` reports with no
flags and no settings file.

Refreshing (`SVTOOL_UPDATE_WILD=1 .venv/bin/python -m pytest tests/lint/test_wild.py`) rewrites
the file from the current findings and carries each verdict and note over to the finding with
the same case, file, line and rule (whatever its group now); new findings get `?`.
"""

from __future__ import annotations

import contextlib
import csv
import os
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from supervisor_tools.lint import engine, registry
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
# svtool lint findings on ../shared/wild-configs (no settings file), in the environment of
# tests/lint/wild/environ.txt: every rule except the "host" group. One line per finding:
#   CASE/FILE:LINE RULE [(GROUP)] VERDICT [# note]
# GROUP: the opt-in group of a rule outside the default set (none: reported by default).
# VERDICT: real | noise | wrong | ? (not reviewed). CASE/FILE:LINE RULE (GROUP) is compared.
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
    group: str = ""  # the rule's opt-in group; "" for a default rule


class Entry(NamedTuple):
    key: Key
    verdict: str
    note: str  # "" or the text after '#'
    group: str = ""

    def render(self) -> str:
        group = f" ({self.group})" if self.group else ""
        text = f"{self.key}{group} {self.verdict}"
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


# Every rule but those that consult this machine. A rule's findings do not depend on which other
# rules run, so the default ones are exactly what `svtool lint --no-config` reports.
SETTINGS = Settings(select=("ALL",), host_checks=False)


def _group(rule_id: str) -> str:
    rule = registry.BY_ID.get(rule_id)
    return rule.group if rule else ""


def lint_case(case: Case, env: dict[str, str]) -> Linted:
    """The findings on one case's entry point of every rule outside the host group."""
    result = engine.run([str(case.path)], SETTINGS, environ=env)
    found = []
    for finding in result.findings:
        d = finding.diagnostic
        key = Key(_where(case, d.span.file), d.span.line, d.code)
        found.append(Found(key, d.message, _group(d.code)))
    outside = [f for f in result.files if _where(case, f).startswith(OUTSIDE)]
    return Linted(found, outside)


def lint_all(selected: Iterable[Case] | None = None) -> Linted:
    env = environ()
    found: list[Found] = []
    outside: list[str] = []
    # relative log and socket paths mean a path under supervisord's working directory; from the
    # repo root, wherever the tests are started, they mean the same path every time
    with contextlib.chdir(ROOT):
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
        group = ""
        if len(parts) == 4 and parts[2].startswith("(") and parts[2].endswith(")"):
            group = parts.pop(2)[1:-1]
        where, _, line = parts[0].rpartition(":") if parts else ("", "", "")
        if len(parts) != 3 or not where or not line.isdigit() or parts[2] not in VERDICTS:
            raise ValueError(f"{path.name}:{number}: expected 'CASE/FILE:LINE RULE [(GROUP)] "
                             f"VERDICT' with VERDICT one of {', '.join(VERDICTS)}: {raw!r}")
        entries.append(Entry(Key(where, int(line), parts[1]), parts[2], note.strip(), group))
    return entries


def carry_over(found: list[Found], old: list[Entry]) -> list[Entry]:
    """Entries for `found`, each keeping the verdict and note of an old entry with its key."""
    pool: dict[Key, list[Entry]] = defaultdict(list)
    for entry in old:
        pool[entry.key].append(entry)
    out = []
    for f in found:
        kept = pool[f.key].pop(0) if pool[f.key] else None
        verdict, note = (kept.verdict, kept.note) if kept else ("?", "")
        out.append(Entry(f.key, verdict, note, f.group))
    return out


def write(entries: list[Entry], path: Path = SNAPSHOT) -> None:
    path.write_text(HEADER + "".join(e.render() + "\n" for e in entries), encoding="utf-8")


def shown(key: Key, group: str) -> str:
    return f"{key} ({group})" if group else str(key)


def diff(recorded: list[Entry], found: list[Found]) -> list[str]:
    """What changed, as readable lines: `- ` recorded findings that are gone (with their
    verdict), `+ ` findings not recorded (with their message); empty when nothing changed."""
    was = Counter((e.key, e.group) for e in recorded)
    now = Counter((f.key, f.group) for f in found)
    gone, new = was - now, now - was
    verdicts = {(e.key, e.group): e.verdict for e in recorded}
    lines: list[tuple[Key, str, str]] = []
    for (key, group), count in gone.items():
        lines += [(key, "-", f"- {shown(key, group)} (was {verdicts[key, group]})")] * count
    for f in found:
        if new[f.key, f.group] > 0:
            new[f.key, f.group] -= 1
            lines.append((f.key, "+", f"+ {shown(f.key, f.group)}  {f.message}"))
    return [text for _, _, text in sorted(lines)]


def lost_real(recorded: list[Entry], found: list[Found]) -> list[Entry]:
    """Recorded findings judged real that no rule reports any more, in any group."""
    now = Counter(f.key for f in found)
    lost = []
    for entry in recorded:
        if now[entry.key] > 0:
            now[entry.key] -= 1
        elif entry.verdict == "real":
            lost.append(entry)
    return lost


def default(entries: Iterable[Entry]) -> list[Entry]:
    """The entries `svtool lint` reports with no flags: those of rules outside every group."""
    return [e for e in entries if not e.group]
