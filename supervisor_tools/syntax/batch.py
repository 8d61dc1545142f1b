"""Read and parse many files at once, on two cores when there are enough of them.

A conf.d of hundreds of files is read by one loader; parsing is independent per file, so a
forked child parses the tail of the list and sends the trees back encoded (transport.py), which
the parent rebuilds in about a quarter of the time a parse takes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from supervisor_tools import forked
from supervisor_tools.errors import Span, SvtoolError
from supervisor_tools.syntax.ast import Document
from supervisor_tools.syntax.parser import MAX_FILE_BYTES, decode, parse, read_file

# Below this many files the fork costs more than it saves.
MIN_FILES = 64
# The parent's share: it also rebuilds the child's trees, so it parses a little more than half.
SHARE_HERE = 0.55

Result = Document | SvtoolError


def read_files(paths: Sequence[str], contents: Mapping[str, bytes] | None = None) -> list[Result]:
    """Each file parsed, or the SvtoolError reading it raised, in the order given.

    `contents` has the bytes of files the caller has already read.
    """
    known = contents or {}

    def _read(path: str) -> Result:
        try:
            data = known.get(path)
            if data is not None and len(data) <= MAX_FILE_BYTES:
                return parse(decode(data, path), path)
            return read_file(path)
        except SvtoolError as exc:
            return exc

    if len(paths) < MIN_FILES or not forked.available():
        return [_read(path) for path in paths]
    import marshal

    from supervisor_tools.syntax import transport

    cut = max(1, int(len(paths) * SHARE_HERE))
    here, there = paths[:cut], paths[cut:]

    def parse_there() -> bytes:
        out = []
        for path in there:
            result = _read(path)
            if isinstance(result, Document):
                out.append((True, transport.encode(result)))
            else:
                out.append((False, (result.message, None if result.span is None
                                    else tuple(result.span))))
        return marshal.dumps(out)

    mine, data = forked.split(lambda: [_read(path) for path in here], parse_there)
    if data is None:
        return mine + [_read(path) for path in there]
    theirs: list[Result] = []
    for ok, payload in marshal.loads(data):
        if ok:
            theirs.append(transport.decode(payload))
        else:
            message, span = payload
            theirs.append(SvtoolError(message, None if span is None else Span(*span)))
    return mine + theirs

