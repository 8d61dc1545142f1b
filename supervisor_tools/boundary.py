"""How a command runs and ends: the error boundary, the exit code, and the speed of short-lived
commands, all behind one entry, `run`.

Every command returns an exit code. svtool's own errors become `file:line:col: message` on
stderr and exit code 2; anything else is a bug and keeps its traceback.

When svtool owns its process (an entry point made a `Process` first thing), `run` also decides
what a command may do for speed:
- a short-lived reader (lint, show) runs without the cyclic collector, is handed leave to fork
  helpers, and leaves with os._exit once stdout and stderr are flushed: it builds large trees
  without reference cycles, and freeing a tree of thousands of files object by object would
  take longer than reading it;
- every other command, above all the long-lived `svtool run`, gets the collector back as it was
  and no forks (the runtime reaps every child with waitpid(-1)), and exits normally.
Inside a host (a test invoking a command in its own process) nothing of that happens.
The loader also pauses the collector while it builds a model, for the
commands that keep it on (`PausedCollector`). No other module switches the collector.

Imported by cli.py and by fastlint.py (lint without click), so it imports nothing heavy.
"""

from __future__ import annotations

import gc
import sys

# The `svtool` script imports this module first, to pause the collector before anything else
# is imported (see Process), so at import it loads nothing but gc and sys: what the functions
# below need they import when called. (mypy reads the block below; Python never runs it.)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import NoReturn

    from supervisor_tools.parallel.fork import Forks

    Command = Callable[[Forks], int]


class Process:
    """This interpreter as svtool's own: made by an entry point before it imports anything else.

    Importing click and then svtool's modules creates tens of thousands of objects and frees
    almost none, so the cyclic collector would run some forty times for nothing (2-3 ms of a
    cold `svtool lint`): it is paused from here until `run` decides what the command gets.
    """

    def __init__(self) -> None:
        self.collecting = gc.isenabled()
        gc.disable()


def run(command: Command, *, short_lived: bool, process: Process | None) -> NoReturn:
    """Run `command` through the error boundary and exit with its code.

    `process` is the entry point's Process, or None inside a host: then the collector is left
    alone, nothing forks, and the exit is a SystemExit the host can catch.
    """
    from supervisor_tools.parallel.fork import NO_FORKS, Forks

    if process is None:
        sys.exit(guard(lambda: command(NO_FORKS)))
    if short_lived:
        gc.disable()
        leave(guard(lambda: command(Forks(True))))
    if process.collecting:
        gc.enable()
    sys.exit(guard(lambda: command(NO_FORKS)))


class PausedCollector:
    """`with PausedCollector():` the cyclic collector off for a while, then as it was.

    Loading a config allocates hundreds of thousands of small objects and no reference cycles:
    the collector would run over and over for nothing (15-20% of loading 1000 files).
    """

    def __enter__(self) -> None:
        self._collecting = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc_info: object) -> None:
        if self._collecting:
            gc.enable()


def guard(func: Callable[[], int]) -> int:
    """Run a command; its SvtoolError becomes one line on stderr and exit code 2."""
    from supervisor_tools.errors import SvtoolError
    from supervisor_tools.exitcodes import OK as EXIT_OK
    from supervisor_tools.exitcodes import USAGE as EXIT_USAGE

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


def leave(code: int) -> NoReturn:
    """Exit with `code` once stdout and stderr are flushed, without tearing anything down."""
    import contextlib
    import os

    for stream in (sys.stdout, sys.stderr):
        # a closed pipe or stream: nothing more can be said there
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
