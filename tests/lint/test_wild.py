"""The ecosystem check: what default `svtool lint` reports on 172 real configs nobody here wrote
(../shared/wild-configs) is recorded in tests/lint/wild/findings.txt, and any change to it has to
be looked at. Refresh on purpose with SVTOOL_UPDATE_WILD=1 (see tests/lint/wild/__init__.py)."""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.lint import wild

UPDATE = os.environ.get(wild.UPDATE_VAR) == "1"


def rationales(text: str) -> dict[str, str]:
    """`## SVxxx ...` headings of RULES.md and the text under each."""
    out: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        heading = re.match(r"##\s+(SV\d{3})\b", line)
        if heading:
            current = heading.group(1)
            out[current] = ""
        elif line.startswith("#"):
            current = None
        elif current:
            out[current] += line + "\n"
    return {rule: body.strip() for rule, body in out.items()}


def test_wild_findings_match_the_reviewed_snapshot() -> None:
    found, outside = wild.lint_all()
    recorded = wild.read()
    if UPDATE:
        wild.write(wild.carry_over(found, recorded))
        recorded = wild.read()
    changes = wild.diff(recorded, found)
    lost = wild.lost_real(recorded, found)
    if changes:
        pytest.fail(
        f"lint findings on ../shared/wild-configs changed ({len(changes)} lines; "
        "- recorded but gone, + new; (GROUP) = opt-in group, none = default):\n"
        + "\n".join(changes)
        + (f"\n{len(lost)} findings judged real are reported by no rule any more:\n  "
           + "\n  ".join(e.render() for e in lost) if lost else "")
        + f"\nReview them; if intended, refresh with:\n  {wild.REFRESH}\n"
        "then judge the new lines (verdict ?) in tests/lint/wild/findings.txt"
        + (f"\nNote: this machine has files that absolute [include]s of the cases match, so the "
           f"findings depend on it: {', '.join(outside)}" if outside else ""), pytrace=False)


def test_every_rule_in_the_snapshot_has_a_rationale() -> None:
    rules = {e.key.rule for e in wild.read()}
    explained = {rule for rule, body in rationales(wild.RULES.read_text("utf-8")).items() if body}
    missing = sorted(rules - explained)
    assert not missing, (f"rules with findings on the wild configs but no paragraph in "
                         f"tests/lint/wild/RULES.md saying why they are real: {missing}")


def test_rationale_parsing_sees_empty_and_missing_entries() -> None:
    text = "# Title\n\n## SV101 name\nwhy\n\n## SV102\n\n## SV103\n  \n## Other\ntext\n"
    assert rationales(text) == {"SV101": "why", "SV102": "", "SV103": ""}


def test_every_env_variable_of_the_wild_configs_has_a_fixed_value() -> None:
    used: set[str] = set()
    for path in wild.CASES.rglob("*"):
        if path.is_file():
            used |= set(re.findall(r"%\(ENV_(\w+)\)s", path.read_text("utf-8", "replace")))
    missing = sorted(used - set(wild.environ()))
    assert used and not missing, f"add to tests/lint/wild/environ.txt: {missing}"


def test_snapshot_lines_are_well_formed_and_sorted() -> None:
    entries = wild.read()
    keys = [e.key for e in entries]
    assert keys == sorted(keys)
    known = {c.case for c in wild.cases()}
    assert all(k.where.split("/")[0] in known for k in keys)


def test_the_default_findings_are_what_lint_reports_with_no_flags() -> None:
    from supervisor_tools.lint import engine
    from supervisor_tools.lint.config import Settings

    env = wild.environ()
    for case in wild.cases():
        plain = engine.run([str(case.path)], Settings(), environ=env).findings
        keys = sorted(wild.Key(wild._where(case, f.diagnostic.span.file), f.diagnostic.span.line,
                               f.diagnostic.code) for f in plain)
        assert keys == sorted(f.key for f in wild.lint_case(case, env).found if not f.group)


def test_carry_over_keeps_verdicts_of_unchanged_findings_only(tmp_path: Path) -> None:
    a = wild.Key("001/s.conf", 3, "SV210")
    b = wild.Key("001/s.conf", 9, "SV246")
    old = [wild.Entry(a, "real", "typo"), wild.Entry(b, "noise", "")]
    moved = wild.Key("001/s.conf", 10, "SV246")
    found = [wild.Found(a, "m"), wild.Found(a, "m"), wild.Found(moved, "m")]
    entries = wild.carry_over(found, old)
    assert [e.render() for e in entries] == [
        "001/s.conf:3 SV210 real  # typo", "001/s.conf:3 SV210 ?", "001/s.conf:10 SV246 ?"]
    path = tmp_path / "findings.txt"
    wild.write(entries, path)
    assert wild.read(path) == entries
    assert wild.diff(entries, found) == []
    assert wild.diff(old, found) == [
        "+ 001/s.conf:3 SV210  m", "- 001/s.conf:9 SV246 (was noise)", "+ 001/s.conf:10 SV246  m"]


def test_a_finding_moved_to_an_opt_in_group_keeps_its_verdict_and_is_not_lost(
        tmp_path: Path) -> None:
    a = wild.Key("001/s.conf", 3, "SV236")
    b = wild.Key("001/s.conf", 9, "SV247")
    old = [wild.Entry(a, "noise", "container"), wild.Entry(b, "real", "")]
    found = [wild.Found(a, "root", "strict")]
    entries = wild.carry_over(found, old)
    assert [e.render() for e in entries] == ["001/s.conf:3 SV236 (strict) noise  # container"]
    path = tmp_path / "findings.txt"
    wild.write(entries, path)
    assert wild.read(path) == entries
    assert wild.default(entries) == []
    assert wild.diff(old, found) == [
        "+ 001/s.conf:3 SV236 (strict)  root", "- 001/s.conf:3 SV236 (was noise)",
        "- 001/s.conf:9 SV247 (was real)"]
    assert wild.lost_real(old, found) == [old[1]]


def test_a_malformed_snapshot_line_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "findings.txt"
    path.write_text("001/s.conf:3 SV210 maybe\n", encoding="utf-8")
    with pytest.raises(ValueError, match="findings.txt:1"):
        wild.read(path)


def test_precision_counts_reviewed_findings_per_rule_and_for_errors() -> None:
    from tests.lint.wild import precision

    def entry(line: int, rule: str, verdict: str) -> wild.Entry:
        return wild.Entry(wild.Key("001/s.conf", line, rule), verdict, "")

    rows = precision.table([entry(1, "SV210", "real"), entry(2, "SV210", "wrong"),
                            entry(3, "SV246", "noise"), entry(4, "SV246", "real"),
                            entry(5, "SV246", "?")])
    assert rows[1].split() == ["SV210", "error", "2", "1", "0", "1", "0", "50.0%"]
    assert rows[2].split() == ["SV246", "warning", "3", "1", "1", "0", "1", "50.0%"]
    assert rows[3].split() == ["total", "5", "2", "1", "1", "1", "50.0%"]
    assert rows[4].split() == ["errors", "error", "2", "1", "0", "1", "0", "50.0%"]


def test_the_command_line_lints_every_wild_config_without_a_traceback() -> None:
    import json
    import subprocess
    import sys

    paths = [str(c.path) for c in wild.cases()]
    svtool = [str(Path(sys.executable).with_name("svtool"))]  # the installed entry point
    for extra in ([], ["--select", "ALL"]):
        proc = subprocess.run([*svtool, "lint", "--format", "json", "--no-config", *extra, *paths],
                              env=wild.environ(), cwd=wild.ROOT, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode in (0, 1), proc.stderr
        assert proc.stderr == ""
        findings = json.loads(proc.stdout)
        assert findings and all(f["path"].startswith(str(wild.CASES)) for f in findings)


def test_files_outside_a_case_are_named_as_such() -> None:
    case = wild.Case("001", "supervisord.conf", "full")
    assert wild._where(case, str(case.folder / "conf.d" / "a.conf")) == "001/conf.d/a.conf"
    assert wild._where(case, "/etc/supervisor/conf.d/a.conf") == (
        "<outside>/etc/supervisor/conf.d/a.conf")


_where_text = st.from_regex(r"[0-9]{3}/[A-Za-z0-9_./:-]{1,20}", fullmatch=True)
_keys = st.builds(wild.Key, _where_text, st.integers(1, 9999), st.from_regex(r"SV[0-9]{3}",
                                                                              fullmatch=True))
_groups = st.sampled_from(["", "strict", "container"])
_entries = st.builds(wild.Entry, _keys, st.sampled_from(wild.VERDICTS),
                     st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
                             max_size=30).map(str.strip),
                     _groups)


@given(st.lists(_entries, max_size=20))
@settings(max_examples=60, deadline=None)
def test_the_snapshot_file_round_trips(entries: list[wild.Entry]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "findings.txt"
        wild.write(entries, path)
        assert wild.read(path) == entries


@given(st.lists(_entries, max_size=20), st.lists(st.tuples(_keys, _groups), max_size=20))
@settings(max_examples=60, deadline=None)
def test_carry_over_matches_what_was_found_and_keeps_every_recorded_verdict_it_can(
        old: list[wild.Entry], now: list[tuple[wild.Key, str]]) -> None:
    found = [wild.Found(key, "m", group) for key, group in now]
    entries = wild.carry_over(found, old)
    assert wild.diff(entries, found) == []
    assert [e.group for e in entries] == [f.group for f in found]
    kept = Counter((e.key, e.verdict, e.note) for e in entries if e.verdict != "?")
    assert not kept - Counter((e.key, e.verdict, e.note) for e in old)
    assert wild.lost_real(entries, found) == []
