"""Where supervisord and supervisorctl look for the config when none is given, in their order.

Both `svtool run` and the `svtool ctl` client search here; the client imports this module and
none of the daemon.
"""

from __future__ import annotations

import os

SEARCH_PATHS = ("../etc/supervisord.conf", "../supervisord.conf", "./supervisord.conf",
                "./etc/supervisord.conf", "/etc/supervisord.conf",
                "/etc/supervisor/supervisord.conf")


def search() -> str | None:
    """The first of SEARCH_PATHS that exists, or None."""
    return next((c for c in SEARCH_PATHS if os.path.exists(c)), None)
