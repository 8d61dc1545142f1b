"""Output formats: text with carets, JSON, SARIF 2.1.0 (schema-validated), GitHub annotations."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import jsonschema
import pytest

from supervisor_tools.lint.engine import run
from supervisor_tools.lint.report import github, json_report, sarif, text
from supervisor_tools.lint.rule import Finding
from tests.lint.fixtures import FIXTURES

CONFIG = """[program:web]
command = /usr/bin/web
autorestrat = true
startsecs = -1
environment = URL=http://x/?y=1,NOTE="50%% off, a:b"
"""


@pytest.fixture()
def findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Finding]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "web.conf").write_text(CONFIG, encoding="utf-8")
    return run(["web.conf"]).findings


def test_text_shows_line_and_caret_under_the_span(findings: list[Finding]) -> None:
    out = io.StringIO()
    text.render(findings, out, colour=False)
    lines = out.getvalue().splitlines()
    i = lines.index(next(ln for ln in lines if "SV210" in ln))
    assert lines[i].startswith("web.conf:3:1: SV210 error unknown option 'autorestrat'")
    assert lines[i + 1].endswith("| autorestrat = true")
    assert lines[i + 2].endswith("| " + "^" * len("autorestrat"))
    assert "\033[" not in out.getvalue()
    assert lines[-2].startswith("Found 3 problems (1 error, 2 warnings)")


def test_text_caret_under_wide_characters(tmp_path: Path) -> None:
    path = tmp_path / "cjk.conf"
    path.write_text("[program:web] 网站\ncommand = /usr/bin/web\n", encoding="utf-8")
    out = io.StringIO()
    text.render(run([str(path)]).findings, out, colour=False)
    caret_line = out.getvalue().splitlines()[2]
    assert caret_line.endswith(" " * len("[program:web] ") + "^^^^")


def test_text_colour_and_quiet_and_stats(findings: list[Finding]) -> None:
    out = io.StringIO()
    text.render(findings, out, colour=True, quiet=True, stats=True)
    value = out.getvalue()
    assert "\033[1;31m" in value and "|" not in value and "Found" not in value
    assert "     1  SV210  [*] unknown-key" in value


def test_text_on_a_pipe_has_no_colour(findings: list[Finding], tmp_path: Path) -> None:
    with open(tmp_path / "out.txt", "w") as fh:
        assert not text.use_colour(fh)


def test_json_objects(findings: list[Finding]) -> None:
    out = io.StringIO()
    json_report.render(findings, out)
    data = json.loads(out.getvalue())
    assert [d["code"] for d in data] == ["SV210", "SV234", "SV227"]
    first = data[0]
    assert first == {"path": "web.conf", "line": 3, "col": 1, "end_line": 3, "end_col": 12,
                     "code": "SV210", "severity": "error", "message": first["message"],
                     "url": first["url"], "fix": "rename 'autorestrat' to 'autorestart'"}
    assert first["url"].endswith("/SV210.md")
    assert data[2]["fix"] == "quote the value of URL"


def _sarif_schema() -> dict[str, object]:
    schema: dict[str, object] = json.loads(
        (FIXTURES / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return schema


def test_sarif_validates_against_the_2_1_0_schema(findings: list[Finding]) -> None:
    doc = sarif.document(findings)
    jsonschema.validate(doc, _sarif_schema())
    run0 = doc["runs"][0]
    assert doc["version"] == "2.1.0"
    result = run0["results"][0]
    assert result["ruleId"] == "SV210" and result["level"] == "error"
    loc = result["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "web.conf", "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 12}
    rules = run0["tool"]["driver"]["rules"]
    assert rules[result["ruleIndex"]]["id"] == "SV210"


def test_sarif_of_nothing_and_of_files_outside_the_cwd(tmp_path: Path) -> None:
    jsonschema.validate(sarif.document([]), _sarif_schema())
    outside = tmp_path / "elsewhere" / "x.conf"
    outside.parent.mkdir()
    outside.write_text("[program:x]\ncommand=/bin/x\nstartsecs=-1\n")
    old = os.getcwd()
    os.chdir(FIXTURES)
    try:
        doc = sarif.document(run([str(outside)]).findings)
    finally:
        os.chdir(old)
    jsonschema.validate(doc, _sarif_schema())
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"].startswith("file:///") and "uriBaseId" not in uri


def test_github_annotations_escape_their_data(findings: list[Finding]) -> None:
    out = io.StringIO()
    github.render(findings, out)
    lines = out.getvalue().splitlines()
    assert lines[0] == ("::error file=web.conf,line=3,col=1,endLine=3,endColumn=12,"
                        "title=SV210 unknown-key::unknown option 'autorestrat' in [program:web] "
                        "(did you mean 'autorestart' or 'autostart'?); supervisord ignores it")
    assert lines[1].startswith("::warning file=web.conf,line=4,")
    assert all(ln.startswith("::") for ln in lines)


def test_github_escapes_newlines_and_percent() -> None:
    assert github._data("50% off\nnext") == "50%25 off%0Anext"
    assert github._prop("a:b,c") == "a%3Ab%2Cc"
