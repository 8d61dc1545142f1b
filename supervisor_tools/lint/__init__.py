"""svtool lint: every problem of a supervisor configuration at once, with rule IDs, positions,
CI formats, suppressions and certain fixes.

`lint_paths(paths)` is the API other parts of svtool (and tests) call; `registry.RULES` lists
the rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from supervisor_tools.lint.engine import lint_paths

__all__ = ["lint_paths"]


def __getattr__(name: str) -> Any:
    # imported on first use, so `svtool lint` can start parsing before loading the rules
    if name == "lint_paths":
        from supervisor_tools.lint.engine import lint_paths

        return lint_paths
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
