"""Which files a lint run reads: files as given, config files under directories, glob matches.

Kept apart from the engine so a run can start parsing its files (parallel/batch.py) before the
rules and the loader are even imported.
"""

from __future__ import annotations

import glob
import os

from supervisor_tools.errors import Span, SvtoolError
from supervisor_tools.parallel.batch import Batch

CONFIG_SUFFIXES = (".conf", ".ini")


def expand_paths(paths: list[str]) -> list[str]:
    """Files to lint: files as given, config files under directories, glob matches."""
    out: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            found = [os.path.join(root, name)
                     for root, dirs, names in os.walk(path)
                     for name in names if name.endswith(CONFIG_SUFFIXES)]
            out.extend(sorted(found))
        elif os.path.lexists(path):
            out.append(path)
        elif glob.has_magic(path):
            matches = sorted(m for m in glob.glob(path, recursive=True) if not os.path.isdir(m))
            if not matches:
                raise SvtoolError(f"no file matches {path}")
            out.extend(matches)
        else:
            raise SvtoolError("no such file or directory", Span.point(path))
    return list(dict.fromkeys(out))


def read_ahead(paths: list[str], batch: Batch) -> None:
    """Start parsing what linting `paths` will read, on a second core if worth it."""
    try:
        files = expand_paths(paths)
    except SvtoolError:
        return  # the run itself reports it
    if len(files) == 1:
        batch.read_ahead_includes(files[0])
    else:
        batch.read_ahead(files)
