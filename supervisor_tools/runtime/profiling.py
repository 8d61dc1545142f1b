"""supervisord's `--profile_options`: run the supervisor under cProfile and print what it cost.

The options are supervisord's: a comma-separated list of pstats sort keys (`cumulative`,
`calls`, `time`...), and `callers` to list each function's callers instead of the functions.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
from collections.abc import Callable

from supervisor_tools.errors import SvtoolError


def parse(options: str) -> tuple[list[str], bool]:
    """supervisord's reading of the value: sort keys, and whether `callers` was among them."""
    words = [w.strip().lower() for w in options.split(",") if w.strip()]
    return [w for w in words if w != "callers"], "callers" in words


def profiled(func: Callable[[], int], options: str) -> int:
    sort, callers = parse(options)
    keys = sort or ["cumulative", "calls", "time"]
    valid = set(pstats.Stats.sort_arg_dict_default)
    unknown = [key for key in keys if key not in valid]
    if unknown:
        raise SvtoolError(f"--profile_options: unknown sort key {unknown[0]!r}")
    profile = cProfile.Profile()
    try:
        return profile.runcall(func)
    finally:
        stats = pstats.Stats(profile, stream=sys.stdout)
        stats.strip_dirs()
        stats.sort_stats(*keys)
        if callers:
            stats.print_callers(0.3)
        else:
            stats.print_stats(0.3)
