"""Write converter output atomically: a temp file in the target directory, then os.replace."""

from __future__ import annotations

import os
import sys
import tempfile

from supervisor_tools.errors import Span, SvtoolError


def write_atomic(path: str, text: str) -> None:
    """Replace `path` with `text` so a reader sees the old file or the new one, never half."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".svtool-", dir=directory)
    except OSError as exc:
        raise SvtoolError(f"cannot write {path}: {exc.strerror}", Span.point(path)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise SvtoolError(f"cannot write {path}: {exc.strerror}", Span.point(path)) from None


def write_files(directory: str, files: dict[str, str]) -> None:
    """Write every file into `directory` (created if missing), each one atomically."""
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise SvtoolError(f"cannot create directory {directory}: {exc.strerror}",
                          Span.point(directory)) from None
    if not os.path.isdir(directory):
        raise SvtoolError(f"{directory} is not a directory", Span.point(directory))
    for name, text in files.items():
        write_atomic(os.path.join(directory, name), text)


def emit(text: str, output: str | None) -> None:
    """Print `text`, or write it to the file `output`."""
    if output is None or output == "-":
        sys.stdout.write(text)
    else:
        write_atomic(output, text)
