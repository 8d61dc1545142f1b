"""Run the rules over loaded configurations, on two cores when the tree is big enough.

Rules only read the loaded trees and append findings, so after loading, a forked child can run
half of them on its copy-on-write view of the same objects and send back just its findings,
which are small. Loading itself stays in one process: its result is a large object graph that
would cost more to send than to build.
"""

from __future__ import annotations

from collections.abc import Sequence

from supervisor_tools import forked
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Finding, Report, Rule

Check = tuple[Rule, Report]

# Below this many sections a fork (a few milliseconds) costs more than it saves.
MIN_SECTIONS = 300


def check_all(contexts: Sequence[Context], checks: Sequence[Check], sink: list[Finding]) -> None:
    """Run every check on every context; findings go to `sink` (each Report appends there)."""
    sections = sum(len(doc.sections) for ctx in contexts for doc in ctx.documents)
    if sections < MIN_SECTIONS or len(checks) < 2 or not forked.available():
        _check(contexts, checks)
        return
    import pickle  # only here: a small lint should not pay for importing it

    mine, theirs = list(checks[0::2]), list(checks[1::2])
    start = len(sink)

    def there() -> bytes:
        _check(contexts, theirs)
        return pickle.dumps(sink[start:], pickle.HIGHEST_PROTOCOL)

    _, data = forked.split(lambda: _check(contexts, mine), there)
    if data is not None:
        sink.extend(pickle.loads(data))
    else:
        _check(contexts, theirs)


def _check(contexts: Sequence[Context], checks: Sequence[Check]) -> None:
    for ctx in contexts:
        for rule, report in checks:
            rule.check(ctx, report)
