"""The plain functions behind `svtool to-kubernetes` and `svtool to-compose`."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence

from supervisor_tools.convert.source import Lost
from supervisor_tools.errors import SvtoolError
from supervisor_tools.exitcodes import FINDINGS as EXIT_FINDINGS
from supervisor_tools.exitcodes import OK as EXIT_OK
from supervisor_tools.model import LoadResult

_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.\d+)?")


def parse_images(values: Sequence[str]) -> tuple[str | None, dict[str, str]]:
    """`--image IMAGE` (every program) and `--image PROGRAM=IMAGE` (one program)."""
    default: str | None = None
    per_program: dict[str, str] = {}
    for value in values:
        name, sep, image = value.partition("=")
        if not sep:
            if default is not None and default != value:
                raise SvtoolError(f"--image {value}: a default image is already given "
                                  f"({default}); name the program as PROGRAM=IMAGE")
            default = value
        elif not name or not image:
            raise SvtoolError(f"--image {value}: expected IMAGE or PROGRAM=IMAGE")
        else:
            per_program[name] = image
    return default, per_program


def parse_version(text: str | None) -> tuple[int, int]:
    from supervisor_tools.convert.kubernetes_map import NEWEST, OLDEST, version_text

    if text is None:
        return NEWEST
    m = _VERSION.fullmatch(text.strip())
    version = (int(m.group(1)), int(m.group(2))) if m else None
    if version is None or not OLDEST <= version <= NEWEST:
        raise SvtoolError(f"--kube-version {text}: expected a version from "
                          f"{version_text(OLDEST)} to {version_text(NEWEST)}")
    return version


def report(lost: Sequence[Lost], notes: Sequence[Lost], strict: bool) -> bool:
    """Print renamings and losses; True when --strict turns the losses into a failure."""
    for note in notes:
        print(f"{note.span}: note: {note.message}", file=sys.stderr)
    for item in lost:
        suffix = " (--strict)" if strict else ""
        kind = "error" if strict else "warning"
        print(f"{item.span}: {kind}: {item.message}{suffix}", file=sys.stderr)
    return strict and bool(lost)


def report_warnings(result: LoadResult) -> None:
    """The config's own warnings (what supervisord would log), before any conversion note."""
    for warning in result.warnings:
        print(f"{warning.span}: warning: {warning.message}", file=sys.stderr)


def to_kubernetes_command(config: str, *, images: Sequence[str], output: str | None,
                          namespace: str | None, kube_version: str | None,
                          strict: bool) -> int:
    from supervisor_tools.convert.kubernetes_out import KubeOptions, to_kubernetes
    from supervisor_tools.convert.kubernetes_programs import DNS_LABEL
    from supervisor_tools.convert.source import load_for_conversion
    from supervisor_tools.files import emit, write_files

    image, per_program = parse_images(images)
    version = parse_version(kube_version)
    if namespace is not None and not DNS_LABEL.fullmatch(namespace):
        raise SvtoolError(f"--namespace {namespace}: a namespace must be a DNS-1123 label "
                          "(a-z, 0-9 and -, at most 63)")
    result = load_for_conversion(config)
    report_warnings(result)
    conv = to_kubernetes(result.model, KubeOptions(image, per_program, namespace, version))
    if report(conv.lost, conv.notes, strict):
        return EXIT_FINDINGS
    if not conv.objects:
        print(f"svtool: {config} has no programs to convert", file=sys.stderr)
        return EXIT_OK
    if output is None or output == "-":
        emit(conv.stream(), None)
    else:
        write_files(output, conv.files())
    return EXIT_OK


def to_compose_command(config: str, *, images: Sequence[str], output: str | None,
                       strict: bool) -> int:
    from supervisor_tools.convert.compose_out import to_compose
    from supervisor_tools.convert.source import load_for_conversion
    from supervisor_tools.files import emit

    image, per_program = parse_images(images)
    result = load_for_conversion(config)
    report_warnings(result)
    conv = to_compose(result.model, image, per_program)
    if report(conv.lost, conv.notes, strict):
        return EXIT_FINDINGS
    if not conv.services:
        print(f"svtool: {config} has no programs to convert", file=sys.stderr)
        return EXIT_OK
    emit(conv.text(), output)
    return EXIT_OK
