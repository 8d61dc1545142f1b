"""How a command ends: the error boundary, the exit code, and the quick exit of short-lived readers.

Every command returns an exit code. svtool's own errors become `file:line:col: message` on
stderr and exit code 2; anything else is a bug and keeps its traceback. Shared by cli.py and by
fastlint.py, which parses the commonest `svtool lint` command lines without click, so it imports
nothing heavy.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn

from supervisor_tools.errors import SvtoolError
from supervisor_tools.exitcodes import OK as EXIT_OK
from supervisor_tools.exitcodes import USAGE as EXIT_USAGE

# True when svtool is its own process (an entry point ran), never inside a host such as a test.
standalone = False
# Set by commands that only read files and print: after them nothing needs tearing down, and
# freeing a loaded tree of thousands of files object by object would take longer than reading it.
quick_exit = False


def guard(func: Callable[[], int]) -> int:
    """Run a command; its SvtoolError becomes one line on stderr and exit code 2."""
    try:
        return func()
    except SvtoolError as exc:
        sys.stderr.write((f"svtool: {exc}" if exc.span is None else str(exc)) + "\n")
        sys.stderr.flush()
        return EXIT_USAGE
    except BrokenPipeError:
        # `svtool show x | head` closes our stdout early; that is not an error.
        sys.stderr.close()
        return EXIT_OK


def short_lived() -> None:
    """Mark this process as a short-lived reader (lint, show): no collector, quick exit."""
    global quick_exit
    if not standalone:
        return
    quick_exit = True
    # They build large trees without reference cycles and exit without freeing them: the cyclic
    # collector would only walk those trees (a full pass over a 1000-file conf.d takes ~0.1 s).
    import gc

    gc.disable()
    # the same commands are short-lived readers that may parse and check on a second core
    from supervisor_tools import forked

    forked.allow()


def leave(code: int) -> NoReturn:
    """Exit with `code` once stdout and stderr are flushed, without tearing anything down."""
    import contextlib
    import os

    for stream in (sys.stdout, sys.stderr):
        # a closed pipe or stream: nothing more can be said there
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
