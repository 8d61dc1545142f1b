"""SARIF 2.1.0 output, in the shape GitHub code scanning accepts."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any, TextIO
from urllib.parse import quote

from supervisor_tools import __version__
from supervisor_tools.errors import Severity
from supervisor_tools.lint import registry
from supervisor_tools.lint.rule import Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(path: str) -> tuple[str, bool]:
    """A URI for the file: relative to the current directory when below it."""
    absolute = os.path.abspath(path)
    rel = os.path.relpath(absolute)
    if not rel.startswith(".."):
        return quote(rel.replace(os.sep, "/")), True
    return "file://" + quote(absolute), False


def document(findings: Sequence[Finding]) -> dict[str, Any]:
    rules = registry.RULES
    index = {r.id: i for i, r in enumerate(rules)}
    results = []
    for f in findings:
        d = f.diagnostic
        s = d.span
        uri, relative = _uri(s.file)
        location: dict[str, Any] = {"uri": uri}
        if relative:
            location["uriBaseId"] = "%SRCROOT%"
        region: dict[str, Any] = {"startLine": s.line, "startColumn": s.col}
        if s.end_line >= s.line:
            region["endLine"] = s.end_line
            if s.end_col > s.col or s.end_line > s.line:
                region["endColumn"] = s.end_col
        result: dict[str, Any] = {
            "ruleId": d.code, "level": LEVELS[d.severity], "message": {"text": d.message},
            "locations": [{"physicalLocation": {"artifactLocation": location,
                                                "region": region}}],
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        results.append(result)
    driver = {
        "name": "svtool", "version": __version__, "semanticVersion": __version__,
        "informationUri": "https://github.com/svtool/svtool",
        "rules": [{
            "id": r.id, "name": r.name,
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": r.doc.split("\n\n", 1)[0].replace("\n", " ")},
            "helpUri": r.url,
            "help": {"text": r.doc, "markdown": r.doc},
            "defaultConfiguration": {"level": LEVELS[r.severity]},
            "properties": {"tags": ["supervisor"] + (["host-dependent"] if r.host else [])},
        } for r in rules],
    }
    return {"$schema": SCHEMA, "version": "2.1.0",
            "runs": [{"tool": {"driver": driver}, "results": results,
                      "originalUriBaseIds": {"%SRCROOT%": {
                          "uri": "file://" + quote(os.path.abspath(os.curdir)) + "/"}}}]}


def render(findings: Sequence[Finding], stream: TextIO) -> None:
    stream.write(json.dumps(document(findings), indent=2, ensure_ascii=False) + "\n")
