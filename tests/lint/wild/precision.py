"""Precision of default `svtool lint` on ../shared/wild-configs: per rule and in total, how many
findings there are and what share of the reviewed ones are real problems.

    .venv/bin/python -m tests.lint.wild.precision            # the reviewed snapshot
    .venv/bin/python -m tests.lint.wild.precision --lint     # lint now, verdicts carried over
    .venv/bin/python -m tests.lint.wild.precision --lint --unreviewed   # and list what needs a verdict

Verdicts come from tests/lint/wild/findings.txt. With --lint the current code lints the cases
again and every finding with the same case, file, line and rule as a recorded one keeps its
verdict, whatever rule group it is in now; the others are unreviewed (`?`) until the snapshot is
refreshed (SVTOOL_UPDATE_WILD=1, see tests/lint/test_wild.py) and judged. Precision counts the
default findings (what `svtool lint` reports with no flags); findings of opt-in groups are
listed apart, and --lint also lists the findings judged real that no rule reports any more
(recall: a real problem may move to an opt-in group, but must not disappear).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence

from supervisor_tools.errors import Severity
from supervisor_tools.lint import registry
from tests.lint import wild

COLUMNS = ("real", "noise", "wrong", "?")


def table(entries: Sequence[wild.Entry]) -> list[str]:
    per_rule: dict[str, Counter[str]] = defaultdict(Counter)
    for e in entries:
        per_rule[e.key.rule][e.verdict] += 1
    lines = [f"{'rule':<8}{'severity':<9}{'count':>6}" + "".join(f"{c:>7}" for c in COLUMNS)
             + f"{'precision':>11}"]
    total: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for rule in sorted(per_rule):
        counts = per_rule[rule]
        severity = _severity(rule)
        total.update(counts)
        if severity == Severity.ERROR.value:
            errors.update(counts)
        lines.append(_row(rule, severity, counts))
    lines.append(_row("total", "", total))
    lines.append(_row("errors", "error", errors))
    return lines


def _severity(rule: str) -> str:
    known = registry.BY_ID.get(rule)
    return known.severity.value if known else "?"


def _row(name: str, severity: str, counts: Counter[str]) -> str:
    n = sum(counts.values())
    reviewed = n - counts["?"]
    share = f"{100 * counts['real'] / reviewed:.1f}%" if reviewed else "-"
    return (f"{name:<8}{severity:<9}{n:>6}" + "".join(f"{counts[c]:>7}" for c in COLUMNS)
            + f"{share:>11}")


def unreviewed(entries: Sequence[wild.Entry], found: Sequence[wild.Found]) -> list[str]:
    """Each finding without a verdict: where, rule, message and the line it points at."""
    messages: dict[wild.Key, str] = {f.key: f.message for f in found}
    out = []
    for e in entries:
        if e.verdict != "?":
            continue
        out.append(f"{wild.shown(e.key, e.group)}  {messages.get(e.key, '')}")
        path = wild.CASES / e.key.where
        if path.is_file():
            lines = path.read_text("utf-8", "replace").splitlines()
            if 0 < e.key.line <= len(lines):
                out.append(f"    | {lines[e.key.line - 1].strip()}")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--lint", action="store_true",
                        help="lint the cases now instead of reading the snapshot")
    parser.add_argument("--unreviewed", action="store_true",
                        help="also list the findings that have no verdict yet")
    args = parser.parse_args(argv)
    recorded = wild.read()
    found = wild.lint_all().found if args.lint or args.unreviewed else []
    entries = wild.carry_over(found, recorded) if args.lint else recorded
    print("default findings (svtool lint with no flags):")
    print("\n".join(table(wild.default(entries))))
    print("precision = real / reviewed (real + noise + wrong); ? = not reviewed")
    opt_in = [e for e in entries if e.group]
    if opt_in:
        print("\nfindings of opt-in groups (not counted above):")
        print("\n".join(table(opt_in)))
    if args.lint:
        lost = wild.lost_real(recorded, found)
        print(f"\n{len(lost)} findings judged real are reported by no rule any more"
              + "".join(f"\n  {e.render()}" for e in lost))
    if args.unreviewed:
        todo = unreviewed(entries, found)
        print(f"\n{sum(e.verdict == '?' for e in entries)} findings without a verdict:")
        print("\n".join(todo))
    return 0


if __name__ == "__main__":
    sys.exit(main())
