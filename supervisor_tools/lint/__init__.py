"""svtool lint: every problem of a supervisor configuration at once, with rule IDs, positions,
CI formats, suppressions and certain fixes.

`lint_paths(paths)` is the API other parts of svtool (and tests) call; `registry.RULES` lists
the rules.
"""

from supervisor_tools.lint.engine import lint_paths

__all__ = ["lint_paths"]
