"""Read and parse many files at once, on two cores when there are enough of them.

A conf.d of hundreds of files is read by one loader; parsing is independent per file, so a
forked child parses part of the list and sends the trees back encoded (transport.py), which the
parent rebuilds in a fraction of the time a parse takes.

A command that knows early which files it will need (the includes of the config it was given)
can start that child before it has even imported the rest of itself: `Batch.read_ahead` starts
it, and `Batch.read_files` (which the command hands to the loader) takes what it parsed for any
path it is later asked for.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from supervisor_tools.errors import Span, SvtoolError
from supervisor_tools.parallel.fork import NO_FORKS, Child, Forks
from supervisor_tools.syntax.ast import Document
from supervisor_tools.syntax.parser import MAX_FILE_BYTES, decode, parse, read_file

# Below this many files the fork costs more than it saves.
MIN_FILES = 64
# The parent's share: it also rebuilds the child's trees, so it parses more than half.
SHARE_HERE = 0.6
# Read ahead, the child starts earlier (while the parent imports the loader and the rules) but
# is slower per file (it pays the fork, copy-on-write faults and encoding), and the parent
# pays for rebuilding its trees: on 2 cores, shares from 0.35 to 0.55 measured alike.
SHARE_AHEAD = 0.45

Result = Document | SvtoolError


class _Ahead:
    """A child parsing files ahead of time."""

    def __init__(self, paths: Sequence[str], child: Child) -> None:
        self.paths = frozenset(paths)
        self.child = child

    def take(self) -> dict[str, tuple[bool, Any]]:
        data = self.child.collect()
        return {} if data is None else dict(_unpack(data))


class Batch:
    """The files one command parses: on a second core when `forks` allows and it is worth it,
    and what was read ahead handed to the first read that asks for it."""

    def __init__(self, forks: Forks = NO_FORKS) -> None:
        self.forks = forks
        self._ahead: _Ahead | None = None

    @property
    def reading_ahead(self) -> bool:
        """Whether a child is parsing ahead, and no read has taken its trees yet."""
        return self._ahead is not None

    def read_ahead(self, paths: Sequence[str]) -> None:
        """Start parsing the tail of `paths` in a forked child, if worth it; never raises."""
        if self._ahead is not None or len(paths) < MIN_FILES or not self.forks.available():
            return
        tail = list(paths[int(len(paths) * (1 - SHARE_AHEAD)):])
        self._ahead = _Ahead(tail, self.forks.start(lambda: _pack(tail, _reader({}))))

    def read_ahead_includes(self, config: str) -> None:
        """read_ahead the files `config`'s [include] names, when that is plain to see.

        Only a guess for speed: the loader still decides what it reads (and matches the
        patterns as supervisord does), and anything not read ahead it parses itself. Patterns
        using %(...)s expansions are left to the loader.
        """
        try:
            doc = read_file(config)
        except SvtoolError:
            return
        patterns = None
        for section in doc.sections:
            if section.name == "include":
                for opt in section.options():
                    if opt.key == "files":
                        patterns = opt.value
        if not patterns or "%" in patterns:
            return
        base = os.path.dirname(os.path.abspath(config))
        # no stat() of each match to leave out directories: the child only fails on one, and
        # the loader never asks for it
        self.read_ahead([name for pattern in patterns.split()
                         for name in sorted(glob.glob(os.path.join(base, pattern)))])

    def read_files(self, paths: Sequence[str],
                   contents: Mapping[str, bytes] | None = None) -> list[Result]:
        """Each file parsed, or the SvtoolError reading it raised, in the order given.

        `contents` has the bytes of files the caller has already read.
        """
        read = _reader(contents or {})
        ahead = self._ahead
        if ahead is not None and not ahead.paths.isdisjoint(paths):
            self._ahead = None  # used once: a later read (after --fix rewrote files) reads afresh
            # the child already has part of them: parse the rest here, then take its part
            mine = {path: read(path) for path in dict.fromkeys(paths) if path not in ahead.paths}
            sent = ahead.take()
            return [mine[path] if path in mine else
                    _result(sent[path]) if path in sent else read(path) for path in paths]
        if len(paths) < MIN_FILES or not self.forks.available():
            return [read(path) for path in paths]
        cut = max(1, int(len(paths) * SHARE_HERE))
        here, there = paths[:cut], paths[cut:]
        mine_list, data = self.forks.split(lambda: [read(path) for path in here],
                                           lambda: _pack(there, read))
        if data is None:
            return mine_list + [read(path) for path in there]
        sent = dict(_unpack(data))
        return mine_list + [_result(sent[path]) for path in there]


def _reader(known: Mapping[str, bytes]) -> Callable[[str], Result]:
    def read(path: str) -> Result:
        try:
            data = known.get(path)
            if data is not None and len(data) <= MAX_FILE_BYTES:
                return parse(decode(data, path), path)
            return read_file(path)
        except SvtoolError as exc:
            return exc

    return read


def _pack(paths: Sequence[str], read: Callable[[str], Result]) -> bytes:
    import marshal

    from supervisor_tools.parallel import transport

    out = []
    for path in dict.fromkeys(paths):
        result = read(path)
        if isinstance(result, Document):
            out.append((path, (True, transport.encode(result))))
        else:
            span = None if result.span is None else tuple(result.span)
            out.append((path, (False, (result.message, span))))
    return marshal.dumps(out, 3)  # version 3 reads back fastest here


def _unpack(data: bytes) -> list[tuple[str, tuple[bool, Any]]]:
    import marshal

    return list(marshal.loads(data))


def _result(sent: tuple[bool, Any]) -> Result:
    # decoded afresh on every use: a file read twice gives two trees, as parsing it twice would
    ok, payload = sent
    if ok:
        from supervisor_tools.parallel import transport

        return transport.decode(payload)
    message, span = payload
    return SvtoolError(message, None if span is None else Span(*span))
