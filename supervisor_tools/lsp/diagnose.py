"""A buffer's findings: `svtool lint` on the unsaved text, with the settings it would use.

The text stands in for the file on disk (`svtool lint - --stdin-filename PATH` does the same),
so a conf.d fragment is checked inside the main config that includes it, or beside the
supervisor configs of its directory, as the command line checks it.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from lsprotocol import types as lsp

from supervisor_tools.errors import Severity, SvtoolError
from supervisor_tools.lint import config, engine, registry
from supervisor_tools.lint.config import Settings
from supervisor_tools.lint.rule import Finding
from supervisor_tools.lsp.positions import Lines
from supervisor_tools.syntax.ast import Document

SOURCE = "svtool"
_SEVERITY = {Severity.ERROR: lsp.DiagnosticSeverity.Error,
             Severity.WARNING: lsp.DiagnosticSeverity.Warning,
             Severity.INFO: lsp.DiagnosticSeverity.Information}


class Checked(NamedTuple):
    """One lint of a buffer: its own findings, and every file read to judge it."""

    path: str
    text: str
    findings: list[Finding]
    documents: dict[str, Document]
    settings_error: str | None = None


def settings_for(path: str) -> tuple[Settings, str | None]:
    """The settings `svtool lint` run from the file's directory would find, and the error
    reading them if they are malformed (the defaults apply then)."""
    found = config.find(os.path.dirname(path))
    if found is None:
        return Settings(), None
    try:
        return _load(found, os.stat(found).st_mtime_ns), None
    except (OSError, SvtoolError) as exc:
        return Settings(), f"{found}: {exc}"


_cache: dict[tuple[str, int], Settings] = {}


def _load(path: str, mtime: int) -> Settings:
    key = (path, mtime)
    if key not in _cache:
        _cache.clear()  # one settings file per workspace, usually: keep the latest
        _cache[key] = config.load(path)
    return _cache[key]


def check(path: str, text: str) -> Checked:
    """Lint `text` as the content of `path` (an absolute path; the file need not exist)."""
    settings, problem = settings_for(path)
    data = text.encode("utf-8", "surrogatepass")
    result = engine.run([path], settings, stdin=data)
    own = [f for f in result.findings if os.path.abspath(f.diagnostic.span.file) == path]
    return Checked(path, text, own, result.documents, problem)


def to_lsp(checked: Checked, lines: Lines) -> list[lsp.Diagnostic]:
    out = []
    for finding in checked.findings:
        d = finding.diagnostic
        rule = registry.BY_ID.get(d.code)
        out.append(lsp.Diagnostic(
            range=lines.span_range(d.span), message=d.message, source=SOURCE, code=d.code,
            severity=_SEVERITY[d.severity],
            code_description=lsp.CodeDescription(href=rule.url) if rule else None,
            data={"fix": finding.fix.description} if finding.fix else None))
    return out
