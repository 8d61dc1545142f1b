"""Code actions: the linter's certain fixes (one at a time, or all of them), and a comment that
suppresses one finding on its line (`; svtool: disable=SV204`, as `svtool lint` reads it)."""

from __future__ import annotations

from lsprotocol import types as lsp

from supervisor_tools.lint import fix
from supervisor_tools.lint.rule import Finding
from supervisor_tools.lint.suppress import DIRECTIVE
from supervisor_tools.lsp.diagnose import Checked
from supervisor_tools.lsp.locate import section_at
from supervisor_tools.lsp.positions import Lines, split_lines
from supervisor_tools.syntax.ast import Document, Option, ValueLine


def replacement(lines: Lines, old: str, new: str) -> lsp.TextEdit:
    """One edit turning `old` into `new`: the part between their common start and end."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return lsp.TextEdit(range=lsp.Range(start=_position(lines, old, start),
                                        end=_position(lines, old, len(old) - end)),
                        new_text=new[start:len(new) - end])


def _position(lines: Lines, text: str, offset: int) -> lsp.Position:
    parts = split_lines(text[:offset])
    return lines.to_client(len(parts) - 1, len(parts[-1]))


def _edit(uri: str, edit: lsp.TextEdit) -> lsp.WorkspaceEdit:
    return lsp.WorkspaceEdit(changes={uri: [edit]})


def fixes(uri: str, checked: Checked, lines: Lines, wanted: lsp.Range) -> list[lsp.CodeAction]:
    out = []
    touched = [f for f in checked.findings if _overlaps(lines.span_range(f.diagnostic.span),
                                                        wanted)]
    for finding in touched:
        if finding.fix is None:
            continue
        new = fix.planned([finding], checked.documents).get(checked.path)
        if new is None:
            continue
        out.append(lsp.CodeAction(
            title=f"{finding.fix.description} ({finding.diagnostic.code})",
            kind=lsp.CodeActionKind.QuickFix, is_preferred=True,
            diagnostics=[_diagnostic(finding, lines)],
            edit=_edit(uri, replacement(lines, checked.text, new))))
    every = fix.planned(checked.findings, checked.documents).get(checked.path)
    if every is not None:
        out.append(lsp.CodeAction(title="Apply every certain svtool fix",
                                  kind=lsp.CodeActionKind.SourceFixAll,
                                  edit=_edit(uri, replacement(lines, checked.text, every))))
    doc = checked.documents.get(checked.path)
    for finding in touched:
        edit = disable_edit(doc, lines, finding.diagnostic.span.line, finding.diagnostic.code)
        out.append(lsp.CodeAction(
            title=f"Disable {finding.diagnostic.code} on this line",
            kind=lsp.CodeActionKind.QuickFix, diagnostics=[_diagnostic(finding, lines)],
            edit=_edit(uri, edit)))
    return out


def _diagnostic(finding: Finding, lines: Lines) -> lsp.Diagnostic:
    d = finding.diagnostic
    return lsp.Diagnostic(range=lines.span_range(d.span), message=d.message, code=d.code,
                          source="svtool")


def _overlaps(a: lsp.Range, b: lsp.Range) -> bool:
    # by lines: an editor asks with the cursor's position, which need not touch the finding
    return a.start.line <= b.end.line and b.start.line <= a.end.line


def disable_edit(doc: Document | None, lines: Lines, line: int, code: str) -> lsp.TextEdit:
    """Suppress `code` on 1-based `line`: add it to a directive already there, else end a
    header or key line with the comment, else put the comment alone on the line above."""
    text = lines.line(line - 1)
    m = DIRECTIVE.search(text)
    if m is not None and m.group(1) == "disable":
        at = lines.to_client(line - 1, m.end(2))
        return lsp.TextEdit(range=lsp.Range(start=at, end=at), new_text=f",{code}")
    if doc is not None and _may_end_with_comment(doc, line):
        at = lines.to_client(line - 1, len(text))
        return lsp.TextEdit(range=lsp.Range(start=at, end=at),
                            new_text=f"  ; svtool: disable={code}")
    at = lines.to_client(line - 1, 0)
    indent = text[: len(text) - len(text.lstrip())]
    return lsp.TextEdit(range=lsp.Range(start=at, end=at),
                        new_text=f"{indent}; svtool: disable={code}\n")


def _may_end_with_comment(doc: Document, line: int) -> bool:
    """Whether the line is a header or value line without a comment: one added at its end is
    read as a comment, and leaves the value as it was."""
    section = section_at(doc, line)
    if section is None:
        return False
    if section.header.span.line == line:
        return section.header.comment is None
    for item in section.body:
        if isinstance(item, Option) and item.span.line <= line <= item.span.end_line:
            return any(isinstance(v, ValueLine) and v.span.line == line and v.comment is None
                       and v.value for v in item.lines)
    return False
