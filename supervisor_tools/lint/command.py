"""The plain functions behind `svtool lint`, `svtool rule` and `svtool rules`."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from supervisor_tools.errors import Severity, SvtoolError

if TYPE_CHECKING:
    from supervisor_tools.lint import config
    from supervisor_tools.lint.engine import LintResult

# The rules, the loader and the reports are imported inside the functions: `lint_command` first
# starts parsing the files on a second core, and those imports then overlap with it.

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _selectors(values: list[str], flag: str) -> tuple[str, ...]:
    from supervisor_tools.lint import registry

    out: list[str] = []
    for value in values:
        for sel in value.split(","):
            sel = sel.strip()
            if not sel:
                continue
            if not registry.matching(sel):
                raise SvtoolError(f"{flag}: unknown rule '{sel}' (see `svtool rules`)")
            out.append(sel)
    return tuple(out)


def settings_for(config_path: str | None, no_config: bool, select: list[str],
                 ignore: list[str], host_checks: bool | None) -> config.Settings:
    from supervisor_tools.lint import config

    path = None if no_config else (config_path or config.find(os.getcwd()))
    settings = config.load(path) if path else config.Settings()
    sel = _selectors(select, "--select")
    ign = _selectors(ignore, "--ignore")
    return settings._replace(select=sel or settings.select, ignore=settings.ignore + ign,
                             host_checks=settings.host_checks if host_checks is None
                             else host_checks)


def _render(result: LintResult, output_format: str, quiet: bool, stats: bool) -> None:
    out = sys.stdout
    findings = result.findings
    if output_format == "json":
        from supervisor_tools.lint.report import json_report
        json_report.render(findings, out)
    elif output_format == "sarif":
        from supervisor_tools.lint.report import sarif
        sarif.render(findings, out)
    elif output_format == "github":
        from supervisor_tools.lint.report import github
        github.render(findings, out)
    else:
        from supervisor_tools.lint.report import text
        text.render(findings, out, quiet=quiet, stats=stats)


def _run_without_gc(paths: list[str], settings: config.Settings) -> LintResult:
    from supervisor_tools.lint.engine import run

    # Linting builds many small acyclic objects: the cyclic collector only costs time here
    # (10-20% on a 1000-file conf.d) and frees nothing that reference counting does not.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return run(paths, settings)
    finally:
        if was_enabled:
            gc.enable()


def run_lint(paths: Sequence[str], output_format: str, fail_on: str | None, quiet: bool,
             stats: bool, select: Sequence[str], ignore: Sequence[str], no_host_checks: bool,
             apply_fixes: bool, show_diff: bool, config_path: str | None,
             no_config: bool) -> int:
    """`svtool lint` with its command-line parameters, as click or fastlint.py parsed them."""
    return lint_command(list(paths), output_format=output_format, fail_on=fail_on, quiet=quiet,
                        stats=stats, select=list(select), ignore=list(ignore),
                        host_checks=False if no_host_checks else None, apply_fixes=apply_fixes,
                        show_diff=show_diff, config_path=config_path, no_config=no_config)


def lint_command(paths: list[str], *, output_format: str = "text", fail_on: str | None = None,
                 quiet: bool = False, stats: bool = False, select: list[str] | None = None,
                 ignore: list[str] | None = None, host_checks: bool | None = None,
                 apply_fixes: bool = False, show_diff: bool = False,
                 config_path: str | None = None, no_config: bool = False) -> int:
    if not paths:
        raise SvtoolError("no files to lint")
    from supervisor_tools.lint.paths import read_ahead

    read_ahead(paths)
    from supervisor_tools.lint.report import FORMATS, display_path

    if output_format not in FORMATS:
        raise SvtoolError(f"unknown format {output_format!r} (choose {', '.join(FORMATS)})")
    settings = settings_for(config_path, no_config, select or [], ignore or [], host_checks)
    threshold = Severity(fail_on) if fail_on else (settings.fail_on or Severity.ERROR)
    result = _run_without_gc(paths, settings)
    if show_diff or apply_fixes:
        from supervisor_tools.lint import fix
    if show_diff:
        changes = fix.planned(result.findings, result.documents)
        for path in sorted(changes):
            with open(path, encoding="utf-8", newline="") as fh:
                old = fh.read()
            sys.stdout.write(fix.unified_diff(display_path(path), old, changes[path]))
        return EXIT_FINDINGS if changes else EXIT_OK
    if apply_fixes:
        for _ in range(3):  # a fix can reveal another (a renamed section's keys)
            changes = fix.planned(result.findings, result.documents)
            if not changes:
                break
            for path, text in sorted(changes.items()):
                fix.write_atomic(path, text)
                if not quiet:
                    print(f"fixed {display_path(path)}", file=sys.stderr)
            result = _run_without_gc(paths, settings)
    _render(result, output_format, quiet, stats)
    given = {os.path.abspath(p) for p in result.given}
    if any(f.diagnostic.code == "SV102" and os.path.abspath(f.diagnostic.span.file) in given
           for f in result.findings):
        return EXIT_USAGE
    if any(f.diagnostic.severity.rank >= threshold.rank for f in result.findings):
        return EXIT_FINDINGS
    return EXIT_OK


def rule_command(name: str) -> int:
    from supervisor_tools.lint import registry

    rule = registry.get(name)
    if rule is None:
        import difflib
        close = difflib.get_close_matches(name.upper(), list(registry.BY_ID), n=3) or \
            difflib.get_close_matches(name.lower(), list(registry.BY_NAME), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise SvtoolError(f"unknown rule '{name}'{hint}; see `svtool rules`")
    from supervisor_tools.lint.docs import rule_text
    sys.stdout.write(rule_text(rule))
    return EXIT_OK


def rules_command(as_json: bool = False) -> int:
    from supervisor_tools.lint import registry

    if as_json:
        import json
        data = [{"id": r.id, "name": r.name, "severity": r.severity.value, "summary": r.summary,
                 "options": list(r.options), "fixable": r.fixable, "host": r.host,
                 "url": r.url} for r in registry.RULES]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return EXIT_OK
    for r in registry.RULES:
        marks = ("fix " if r.fixable else "    ") + ("host" if r.host else "    ")
        print(f"{r.id}  {r.severity.value:<7}  {marks}  {r.name:<30}  {r.summary}")
    return EXIT_OK
