"""The plain functions behind the converter commands; each returns an exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from supervisor_tools.convert.source import Lost
from supervisor_tools.exitcodes import FINDINGS as EXIT_FINDINGS
from supervisor_tools.exitcodes import OK as EXIT_OK
from supervisor_tools.files import emit, write_files
from supervisor_tools.model import LoadResult


def report_lost(lost: Sequence[Lost], strict: bool) -> bool:
    """Print what a conversion loses; True when --strict turns that into a failure."""
    for item in lost:
        if strict:
            print(f"{item.span}: error: {item.message} (--strict)", file=sys.stderr)
        else:
            print(str(item), file=sys.stderr)
    return strict and bool(lost)


def report_warnings(result: LoadResult) -> None:
    """The config's own warnings (what supervisord would log), before any conversion note."""
    for warning in result.warnings:
        print(f"{warning.span}: warning: {warning.message}", file=sys.stderr)


def to_systemd_command(config: str, *, output: str | None, prefix: str, user_mode: bool,
                       strict: bool, logrotate: str | None = None) -> int:
    from supervisor_tools.convert.source import load_for_conversion
    from supervisor_tools.convert.systemd_out import SystemdOptions, to_systemd

    result = load_for_conversion(config)
    report_warnings(result)
    conv = to_systemd(result.model, SystemdOptions(prefix=prefix, user_mode=user_mode,
                                                   logrotate=logrotate is not None))
    if report_lost(conv.lost, strict):
        return EXIT_FINDINGS
    if not conv.units:
        print(f"svtool: {config} has no programs to convert", file=sys.stderr)
        return EXIT_OK
    if output is None or output == "-":
        sys.stdout.write("\n".join(f"# {name}\n{text}" for name, text in conv.units.items()))
    else:
        write_files(output, conv.units)
    if logrotate is not None:
        emit(conv.logrotate, logrotate)
    return EXIT_OK


def from_systemd_command(units: Sequence[str], *, output: str | None, strict: bool) -> int:
    from supervisor_tools.convert.systemd_in import from_systemd, unit_paths

    conv = from_systemd(unit_paths(list(units)))
    if report_lost(conv.lost, strict):
        return EXIT_FINDINGS
    emit(conv.text, output)
    return EXIT_OK


def to_yaml_command(config: str, *, output: str | None, all_values: bool,
                    schema_url: str | None = None, resolved: bool = False) -> int:
    from supervisor_tools.convert.source import load_for_conversion
    from supervisor_tools.convert.yaml_out import notes, to_yaml

    result = load_for_conversion(config)
    report_warnings(result)
    report_lost(notes(result), strict=False)
    if schema_url is None:  # the schema this installation ships: it resolves offline
        from supervisor_tools.convert.schema import shipped_uri

        schema_url = shipped_uri()
    emit(to_yaml(result, all_values=all_values, schema_url=schema_url, resolved=resolved),
         output)
    return EXIT_OK


def from_yaml_command(path: str, *, output: str | None) -> int:
    from supervisor_tools.convert.yaml_in import from_yaml_file

    emit(from_yaml_file(path), output)
    return EXIT_OK


def schema_command(*, output: str | None, check: bool) -> int:
    from supervisor_tools.convert.schema import SCHEMA_PATH, SHIPPED, schema_text

    text = schema_text()
    if check:
        # a checkout's schemas/ file; elsewhere the schema this installation ships
        target = output or (SCHEMA_PATH if os.path.lexists(SCHEMA_PATH) else SHIPPED)
        what = "" if output or target == SCHEMA_PATH else "the installed package's schema "
        try:
            with open(target, encoding="utf-8") as fh:
                current = fh.read()
        except OSError as exc:
            print(f"{target}: {what}cannot be read ({exc.strerror}); compared with the option "
                  f"table, it would need `svtool schema -o {target}`", file=sys.stderr)
            return EXIT_FINDINGS
        if current != text:
            print(f"{target}: {what}differs from the option table; run `svtool schema "
                  f"-o {target}`", file=sys.stderr)
            return EXIT_FINDINGS
        print(f"{target}: {what}matches the option table", file=sys.stderr)
        return EXIT_OK
    emit(text, output)
    return EXIT_OK
