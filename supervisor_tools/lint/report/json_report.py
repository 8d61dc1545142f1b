"""JSON output: an array with one object per finding."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from supervisor_tools.lint import registry
from supervisor_tools.lint.report import display_path
from supervisor_tools.lint.rule import Finding


def as_objects(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    out = []
    for f in findings:
        d = f.diagnostic
        s = d.span
        rule = registry.BY_ID.get(d.code)
        out.append({"path": display_path(s.file), "line": s.line, "col": s.col,
                    "end_line": s.end_line, "end_col": s.end_col, "code": d.code,
                    "severity": d.severity.value, "message": d.message,
                    "url": rule.url if rule else None,
                    "fix": f.fix.description if f.fix else None})
    return out


def render(findings: Sequence[Finding], stream: TextIO) -> None:
    stream.write(json.dumps(as_objects(findings), indent=2, ensure_ascii=False) + "\n")
