"""Writing a file so that it changes in one step or not at all: svtool's only file writer.

Every command that writes a file (lint --fix and -o, the converters, the generator) goes
through `write_atomic`, so each keeps the same promises: a reader sees the old content or the
new one, never half; a symlink stays a link and its target is written; an existing file keeps
its permission bits (and, where allowed, its owner); a failure is one line naming the path.
"""

from __future__ import annotations

import contextlib
import os
import sys

from supervisor_tools.errors import SvtoolError


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _failed(path: str, exc: OSError) -> SvtoolError:
    return SvtoolError(f"cannot write {path}: {exc.strerror or exc}")


def _sync_directory(directory: str) -> None:
    """Make the rename itself durable; some file systems cannot fsync a directory."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: str, text: str) -> None:
    """Replace the file at `path` with `text` (UTF-8, line endings as given) in one step.

    The temporary file sits beside the real target so the rename never crosses file systems.
    A new file gets the usual mode (0666 less the umask). Raises SvtoolError on any OSError,
    leaving the old file as it was and no temporary file behind.
    """
    target = os.path.realpath(path)  # through every symlink: the link itself stays
    directory = os.path.dirname(target)
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise _failed(path, exc) from None
    import tempfile  # only when writing: keeps it out of every lint start

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp",
                                   dir=directory)
    except OSError as exc:
        raise _failed(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        if st is None:
            os.chmod(tmp, 0o666 & ~current_umask())
        else:
            if (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
                # only root may give a file away; anyone else writes their own file
                with contextlib.suppress(OSError):
                    os.chown(tmp, st.st_uid, st.st_gid)
            os.chmod(tmp, st.st_mode & 0o7777)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _failed(path, exc) from None
        raise
    _sync_directory(directory)


def write_files(directory: str, files: dict[str, str]) -> None:
    """Write every file into `directory` (created if missing), each one atomically."""
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise SvtoolError(f"cannot create directory {directory}: {exc.strerror or exc}") from None
    if not os.path.isdir(directory):
        raise SvtoolError(f"{directory} is not a directory")
    for name, text in files.items():
        write_atomic(os.path.join(directory, name), text)


def emit(text: str, output: str | None) -> None:
    """Print `text`, or write it to the file `output` (atomically); `-` is stdout."""
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(output, text)
