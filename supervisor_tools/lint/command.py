"""The plain functions behind `svtool lint`, `svtool rule` and `svtool rules`."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from supervisor_tools.errors import Severity, SvtoolError
from supervisor_tools.exitcodes import FINDINGS as EXIT_FINDINGS
from supervisor_tools.exitcodes import OK as EXIT_OK
from supervisor_tools.exitcodes import USAGE as EXIT_USAGE
from supervisor_tools.parallel.fork import NO_FORKS, Forks

if TYPE_CHECKING:
    from supervisor_tools.lint import config
    from supervisor_tools.lint.engine import LintResult

# The rules, the loader and the reports are imported inside the functions: `lint_command` first
# starts parsing the files on a second core, and those imports then overlap with it.


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
                 ignore: list[str], host_checks: bool | None,
                 extend_select: list[str] | None = None,
                 target: str | None = None) -> config.Settings:
    """The settings file's settings, then the command line's: `--select` replaces the file's
    selection, `--extend-select` adds to it, `--ignore` adds to its ignores."""
    from supervisor_tools.lint import config

    path = _settings_file(config_path, no_config)
    settings = config.load(path) if path else config.Settings()
    sel = _selectors(select, "--select")
    extra = _selectors(extend_select or [], "--extend-select")
    ign = _selectors(ignore, "--ignore")
    return settings._replace(select=(sel or settings.select) + extra,
                             ignore=settings.ignore + ign,
                             host_checks=settings.host_checks if host_checks is None
                             else host_checks, target=target or settings.target)


def _settings_file(config_path: str | None, no_config: bool) -> str | None:
    from supervisor_tools.lint import config

    return None if no_config else (config_path or config.find(os.getcwd()))


def run_lint(paths: Sequence[str], output_format: str, fail_on: str | None, quiet: bool,
             stats: bool, select: Sequence[str], extend_select: Sequence[str],
             ignore: Sequence[str], host_checks: bool | None, target: str | None,
             apply_fixes: bool,
             show_diff: bool, config_path: str | None, no_config: bool, exit_zero: bool,
             output_file: str | None, show_settings: bool, color: str,
             stdin_filename: str | None, only_supervisor: bool,
             config_root: str | None, forks: Forks = NO_FORKS) -> int:
    """`svtool lint` with its command-line parameters, as click or fastlint.py parsed them."""
    return lint_command(list(paths), output_format=output_format, fail_on=fail_on, quiet=quiet,
                        stats=stats, select=list(select), extend_select=list(extend_select),
                        ignore=list(ignore), host_checks=host_checks, target=target,
                        apply_fixes=apply_fixes,
                        show_diff=show_diff, config_path=config_path, no_config=no_config,
                        exit_zero=exit_zero, output_file=output_file,
                        show_settings=show_settings, color=color,
                        stdin_filename=stdin_filename, only_supervisor=only_supervisor,
                        config_root=config_root, forks=forks)


def lint_command(paths: list[str], *, output_format: str = "text", fail_on: str | None = None,
                 quiet: bool = False, stats: bool = False, select: list[str] | None = None,
                 extend_select: list[str] | None = None, ignore: list[str] | None = None,
                 host_checks: bool | None = None, target: str | None = None,
                 apply_fixes: bool = False,
                 show_diff: bool = False, config_path: str | None = None,
                 no_config: bool = False, exit_zero: bool = False,
                 output_file: str | None = None, show_settings: bool = False,
                 color: str = "auto", stdin_filename: str | None = None,
                 only_supervisor: bool = False, config_root: str | None = None,
                 forks: Forks = NO_FORKS) -> int:
    """`svtool lint`; `forks` is the command's leave to parse and check on a second core."""
    from supervisor_tools.files import emit
    from supervisor_tools.lint import output
    from supervisor_tools.parallel.batch import Batch

    if show_settings:
        settings = settings_for(config_path, no_config, select or [], ignore or [],
                                host_checks, extend_select, target)
        text = output.settings_text(settings, _settings_file(config_path, no_config))
        emit(text, output_file)
        return EXIT_OK
    if not paths and stdin_filename:
        paths = ["-"]  # as ruff: a stdin file name alone means the file comes on stdin
    if not paths:
        raise SvtoolError("no files to lint (name files, directories or globs; - reads stdin)")
    stdin: bytes | None = None
    batch = Batch(forks)
    if "-" in paths:
        if len(paths) > 1:
            raise SvtoolError("- (stdin) cannot be linted together with other files")
        if apply_fixes or show_diff:
            raise SvtoolError("--fix and --diff work on files, not on stdin")
        stdin = sys.stdin.buffer.read()
        paths = [stdin_filename or "-"]
    else:
        from supervisor_tools.lint.paths import read_ahead

        read_ahead(paths, batch)
    from supervisor_tools.lint.report import FORMATS

    if output_format not in FORMATS:
        raise SvtoolError(f"unknown format {output_format!r} (choose {', '.join(FORMATS)})")
    settings = settings_for(config_path, no_config, select or [], ignore or [], host_checks,
                            extend_select, target)
    threshold = Severity(fail_on) if fail_on else (settings.fail_on or Severity.ERROR)

    def lint() -> LintResult:
        from supervisor_tools.lint.engine import run

        return run(paths, settings, stdin=stdin, only_supervisor=only_supervisor,
                   config_root=config_root, batch=batch)

    result = lint()
    if show_diff or apply_fixes:
        from supervisor_tools.lint import fix
    if show_diff:
        changes = fix.planned(result.findings, result.documents)
        emit(output.diff_text(changes), output_file)
        return EXIT_FINDINGS if changes and not exit_zero else EXIT_OK
    if apply_fixes:
        from supervisor_tools.files import write_atomic

        for _ in range(3):  # a fix can reveal another (a renamed section's keys)
            changes = fix.planned(result.findings, result.documents)
            if not changes:
                break
            for path, text in sorted(changes.items()):
                write_atomic(path, text)
                if not quiet:
                    from supervisor_tools.lint.report import display_path
                    print(f"fixed {display_path(path)}", file=sys.stderr)
            result = lint()
    sources = {paths[0]: stdin.decode("utf-8", "replace")} if stdin is not None else {}
    output.render(result.findings, output_format, output_file, quiet=quiet, stats=stats,
                  color=color, sources=sources)
    given = {os.path.abspath(p) for p in result.given}
    if any(f.diagnostic.code == "SV102" and os.path.abspath(f.diagnostic.span.file) in given
           for f in result.findings):
        return EXIT_USAGE  # an input that cannot be read is not a finding: --exit-zero or not
    if exit_zero:
        return EXIT_OK
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
                 "group": r.group or None, "url": r.url} for r in registry.RULES]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return EXIT_OK
    # the group column: an opt-in rule runs only when selected (--select GROUP, ID or name)
    width = max((len(r.group) for r in registry.RULES), default=0)
    for r in registry.RULES:
        marks = ("fix " if r.fixable else "    ") + f"{r.group:<{width}}"
        print(f"{r.id}  {r.severity.value:<7}  {marks}  {r.name:<30}  {r.summary}")
    return EXIT_OK
