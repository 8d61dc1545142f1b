"""GitHub Actions workflow commands: one `::error file=...::message` annotation per finding."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from supervisor_tools.errors import Severity
from supervisor_tools.lint import registry
from supervisor_tools.lint.report import display_path
from supervisor_tools.lint.rule import Finding

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(findings: Sequence[Finding], stream: TextIO) -> None:
    for f in findings:
        d = f.diagnostic
        s = d.span
        rule = registry.BY_ID.get(d.code)
        title = f"{d.code} {rule.name}" if rule else d.code
        props = [f"file={_prop(display_path(s.file))}", f"line={s.line}", f"col={s.col}"]
        if s.end_line >= s.line:
            props.append(f"endLine={s.end_line}")
            if s.end_line == s.line and s.end_col > s.col:
                props.append(f"endColumn={s.end_col}")
        props.append(f"title={_prop(title)}")
        stream.write(f"::{COMMANDS[d.severity]} {','.join(props)}::{_data(d.message)}\n")
