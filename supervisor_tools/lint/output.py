"""Where `svtool lint` output goes (stdout, or a file written by files.py), in which colours,
and the text of `--show-settings` and `--diff`."""

from __future__ import annotations

import io
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from supervisor_tools.lint.config import Settings
    from supervisor_tools.lint.rule import Finding

COLOR_CHOICES = ("auto", "always", "never")


def use_colour(choice: str, stream: TextIO | None) -> bool:
    """`--color`: always and never are final; auto follows NO_COLOR, then FORCE_COLOR, then
    whether `stream` is a terminal. A file (`stream` None) gets colour only when always."""
    if choice == "always":
        return True
    if choice == "never" or stream is None:
        return False
    from supervisor_tools.lint.report.text import use_colour as terminal_colour

    return terminal_colour(stream)


def render(findings: Sequence[Finding], output_format: str, output_file: str | None, *,
           quiet: bool, stats: bool, color: str,
           sources: Mapping[str, str] | None = None) -> None:
    to_file = output_file is not None and output_file != "-"
    # to stdout as it is produced; to a file in one piece, so it is never seen half-written
    out: TextIO = io.StringIO() if to_file else sys.stdout
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
        text.render(findings, out, quiet=quiet, stats=stats,
                    colour=use_colour(color, None if to_file else out), sources=sources)
    if to_file:
        assert output_file is not None and isinstance(out, io.StringIO)
        from supervisor_tools.files import write_atomic

        write_atomic(output_file, out.getvalue())


def diff_text(changes: Mapping[str, str]) -> str:
    from supervisor_tools.lint import fix
    from supervisor_tools.lint.report import display_path

    parts = []
    for path in sorted(changes):
        with open(path, encoding="utf-8", newline="") as fh:
            old = fh.read()
        parts.append(fix.unified_diff(display_path(path), old, changes[path]))
    return "".join(parts)


def _toml_str(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def _toml_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def settings_text(settings: Settings, path: str | None) -> str:
    """The resolved settings as the TOML that would give them, and the rules they enable."""
    from supervisor_tools.lint import registry

    lines = [f"# settings file: {path or 'none'}",
             f"# per-file-ignores patterns are relative to {settings.root}",
             f"select = {_toml_list(settings.select)}",
             f"ignore = {_toml_list(settings.ignore)}"]
    pfi = ", ".join(f"{_toml_str(pat)} = {_toml_list(sels)}"
                    for pat, sels in settings.per_file_ignores)
    lines.append(f"per-file-ignores = {{ {pfi} }}" if pfi else "per-file-ignores = {}")
    sev = ", ".join(f'{rid} = "{level.value}"' for rid, level in settings.severity)
    lines.append(f"severity = {{ {sev} }}" if sev else "severity = {}")
    lines.append(f'fail-on = "{settings.fail_on.value if settings.fail_on else "error"}"')
    if settings.host_checks is not None:
        lines.append(f"host-checks = {'true' if settings.host_checks else 'false'}")
    if settings.target != "svtool":
        lines.append(f'target = "{settings.target}"')
    enabled = [r for r in registry.RULES if settings.enabled(r.id)]
    lines.append(f"# {len(enabled)} of {len(registry.RULES)} rules enabled:")
    for r in enabled:
        severity = settings.severity_of(r.id) or r.severity
        group = f" [{r.group}]" if r.group else ""
        lines.append(f"#   {r.id} {r.name} ({severity.value}){group}")
    for unknown in settings.unknown:
        lines.append(f"# unknown rule '{unknown.selector}' at {unknown.span.file}:"
                     f"{unknown.span.line}")
    return "\n".join(lines) + "\n"
