"""Output formats of `svtool lint`: text, json, sarif (2.1.0) and github annotations."""

from __future__ import annotations

import os

FORMATS = ("text", "json", "sarif", "github")


def display_path(path: str) -> str:
    """A path relative to the current directory when it is below it, else as given."""
    if not os.path.isabs(path):
        return os.path.normpath(path)
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel
