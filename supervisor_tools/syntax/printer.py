"""Print a Document back to text: byte for byte what was parsed, plus any edits made to nodes."""

from __future__ import annotations

from supervisor_tools.syntax.ast import Document


def print_document(doc: Document) -> str:
    parts: list[str] = [node.text for node in doc.preamble]
    for section in doc.sections:
        parts.append(section.header.text)
        parts.extend(item.text for item in section.body)
    return "".join(parts)
