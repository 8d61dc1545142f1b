"""The `svtool` command: what happens before the command line is even parsed.

Importing click and then svtool's own modules creates tens of thousands of objects and frees
almost none, so the cyclic collector would run some forty times for nothing (2-3 ms of CPU of a
cold `svtool lint`). It stays off until a command starts; cli.py turns it back on then, except
for the short-lived readers, which keep it off to the end.

`svtool lint` with a plain command line skips click altogether (fastlint.py).
"""

from __future__ import annotations

import gc
import sys
from typing import Any


def main() -> Any:
    collecting = gc.isenabled()
    gc.disable()
    if sys.argv[1:2] == ["lint"]:
        from supervisor_tools import fastlint

        params = fastlint.parse(sys.argv[2:])
        if params is not None:
            fastlint.run(params)
    from supervisor_tools import cli

    cli.collect_from_start = collecting
    return cli.main()
