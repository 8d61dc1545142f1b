"""Resource limits the supervisor raises for itself at start-up: `minfds` and `minprocs`.

As supervisord does: a soft limit below the configured minimum is raised to it, and the hard
limit with it when that is lower (which only root may do). A limit that cannot be raised stops
the start-up, because the children would otherwise fail later in less obvious ways.
"""

from __future__ import annotations

import resource

from supervisor_tools.errors import SvtoolError

_WHAT = {"minfds": (resource.RLIMIT_NOFILE, "RLIMIT_NOFILE", "open files"),
         "minprocs": (resource.RLIMIT_NPROC, "RLIMIT_NPROC", "processes")}


def raise_limit(option: str, minimum: int) -> str | None:
    """Raise the limit `option` names to `minimum`; a line for the main log when it changed."""
    res, name, what = _WHAT[option]
    soft, hard = resource.getrlimit(res)
    if soft == resource.RLIM_INFINITY or soft >= minimum:
        return None
    if hard != resource.RLIM_INFINITY and hard < minimum:
        hard = minimum
    try:
        resource.setrlimit(res, (minimum, hard))
    except (OSError, ValueError) as exc:
        raise SvtoolError(
            f"{option}={minimum} needs {name} of at least {minimum}, but this environment "
            f"allows {resource.getrlimit(res)[1]} {what} ({exc}); raise the limit or lower "
            f"{option}") from exc
    return f"Increased {name} limit to {minimum}"


def raise_limits(minfds: int, minprocs: int) -> list[str]:
    return [line for line in (raise_limit("minfds", minfds), raise_limit("minprocs", minprocs))
            if line]
