"""The `svtool` command: what happens before the command line is even parsed.

svtool takes its process first (boundary.Process: the collector waits while it imports), then
`svtool lint` with a plain command line skips click altogether (fastlint.py); anything else is
click's (cli.py).
"""

from __future__ import annotations

import sys

from supervisor_tools import boundary


def main() -> object:
    process = boundary.Process()  # first: nothing heavy is imported before it
    if sys.argv[1:2] == ["lint"]:
        from supervisor_tools import fastlint

        params = fastlint.parse(sys.argv[2:])
        if params is not None:
            fastlint.run(params, process)
    from supervisor_tools import cli

    return cli.main(process=process)
