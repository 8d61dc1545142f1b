"""Rules about svtool's own settings: suppression comments and config files."""

from __future__ import annotations

from supervisor_tools.errors import Severity
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Report, rule


@rule("SV001", "unknown-rule-id", Severity.WARNING,
      "a suppression comment or svtool setting names a rule that does not exist")
def unknown_rule_id(ctx: Context, report: Report) -> None:
    """`; svtool: disable=...`, `; svtool: disable-file=...`, and the `select`, `ignore`,
    `per-file-ignores` and `severity` settings must name existing rules (by ID such as `SV204`,
    by ID prefix such as `SV2`, or by name such as `tmp-path`); anything else is reported, so a
    typo does not silently leave a finding unsuppressed.

    Failing:

        [program:web]
        command = /usr/bin/web
        user = root ; svtool: disable=SV9999

    Passing:

        [program:web]
        command = /usr/bin/web
        user = root ; svtool: disable=SV236
    """
    # The engine reports these while it reads suppressions and settings.
