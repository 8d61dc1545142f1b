"""Run the rules over loaded configurations, on two cores when the tree is big enough.

Rules only read the loaded trees and append findings, so after loading, a forked child can run
half of them on its copy-on-write view of the same objects and send back just its findings,
which are small. Loading itself stays in one process: its result is a large object graph that
would cost more to send than to build.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Finding, Report, Rule

Check = tuple[Rule, Report]

# Below this many sections a fork (a few milliseconds) costs more than it saves.
MIN_SECTIONS = 300
_OK, _FAILED = b"\x01", b"\x00"


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def check_all(contexts: Sequence[Context], checks: Sequence[Check], sink: list[Finding]) -> None:
    """Run every check on every context; findings go to `sink` (each Report appends there)."""
    sections = sum(len(doc.sections) for ctx in contexts for doc in ctx.documents)
    if sections < MIN_SECTIONS or cores() < 2 or not hasattr(os, "fork") or len(checks) < 2:
        _check(contexts, checks)
        return
    import pickle  # only here: a small lint should not pay for importing it

    mine, theirs = list(checks[0::2]), list(checks[1::2])
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run its half, send the findings, leave without cleanup
        status, payload = _FAILED, b""
        try:
            os.close(read_end)
            start = len(sink)
            _check(contexts, theirs)
            status, payload = _OK, pickle.dumps(sink[start:], pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001 - the parent reruns this half and reports it
            pass
        finally:
            with os.fdopen(write_end, "wb") as out:
                out.write(status + payload)
            os._exit(0)
    os.close(write_end)
    try:
        _check(contexts, mine)
    finally:
        with os.fdopen(read_end, "rb") as src:
            data = src.read()
        os.waitpid(pid, 0)
    if data[:1] == _OK:
        sink.extend(pickle.loads(data[1:]))
    else:
        # the child could not finish: run its half here, where an error surfaces as usual
        _check(contexts, theirs)


def _check(contexts: Sequence[Context], checks: Sequence[Check]) -> None:
    for ctx in contexts:
        for rule, report in checks:
            rule.check(ctx, report)
