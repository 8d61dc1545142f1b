"""Sending generated text to stdout or, atomically, to a file."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile

from supervisor_tools.errors import SvtoolError


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str, text: str) -> None:
    """Replace `path` with `text` in one step: readers see the old file or the new one.

    The temporary file sits in the target's directory so os.replace never crosses file
    systems. A new file gets the usual permissions (0666 less the umask); an existing one keeps
    its own. A symlink is written through, so a linked config stays linked.
    """
    target = os.path.realpath(path)
    directory = os.path.dirname(target)
    try:
        mode = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~current_umask()
    except OSError as exc:
        raise SvtoolError(f"cannot write {path}: {exc.strerror}") from None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp",
                                   dir=directory)
    except OSError as exc:
        raise SvtoolError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise SvtoolError(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def emit(text: str, output: str | None) -> int:
    """Write `text` to `output` (atomically) or to stdout; returns exit code 0."""
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(output, text)
    return 0
