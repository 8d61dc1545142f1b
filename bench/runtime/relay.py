"""Copy stdin to a file in 128 KiB reads: the log benchmark's reference for a Python relay.

The shared harness runs `relay.py OUTPUT` from its own directory; run_bench.sh puts this file
next to a copy of the harness.
"""

from __future__ import annotations

import os
import sys


def main(path: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        while True:
            data = os.read(0, 131072)
            if not data:
                return
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
    finally:
        os.close(fd)


if __name__ == "__main__":
    main(sys.argv[1])
