"""boundary.run, the one entry of every command: exit codes, flushed output, the collector and
leave to fork, for short-lived readers, for the others (above all `svtool run`) and in a host."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from supervisor_tools import boundary
from supervisor_tools.errors import Span, SvtoolError
from supervisor_tools.parallel.fork import NO_FORKS, Forks

ROOT = Path(__file__).resolve().parents[1]

# A command run in a process svtool owns. It prints to block-buffered pipes without flushing,
# and an atexit handler shows whether the interpreter was torn down normally.
OWNED = """
import atexit, gc, sys
from supervisor_tools import boundary
from supervisor_tools.errors import SvtoolError

atexit.register(lambda: print("torn down"))
if sys.argv[2] == "off":
    gc.disable()
process = boundary.Process()

def command(forks):
    print("collector", gc.isenabled(), "forks", forks.allowed)
    sys.stderr.write("said on stderr\\n")
    if sys.argv[3] == "error":
        raise SvtoolError("bad input")
    return 3

boundary.run(command, short_lived=sys.argv[1] == "short", process=process)
"""


def owned(kind: str, collector: str = "on", outcome: str = "code"
          ) -> subprocess.CompletedProcess[str]:
    # buffered output, as a user's: what the command prints stays in memory until flushed
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run([sys.executable, "-c", OWNED, kind, collector, outcome],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)


def test_a_short_lived_command_exits_at_once_with_its_code_and_all_its_output() -> None:
    done = owned("short")
    assert done.returncode == 3
    # printed without a flush into a pipe: only there because leaving flushed it
    assert done.stdout == "collector False forks True\n"
    assert done.stderr == "said on stderr\n"  # and no teardown (no atexit) ran


def test_a_short_lived_commands_error_is_one_line_and_exit_code_2() -> None:
    done = owned("short", outcome="error")
    assert done.returncode == 2
    assert done.stdout == "collector False forks True\n"
    assert done.stderr == "said on stderr\nsvtool: bad input\n"


def test_a_long_lived_command_gets_the_collector_back_no_forks_and_a_normal_exit() -> None:
    done = owned("long")
    assert done.returncode == 3
    assert done.stdout == "collector True forks False\ntorn down\n"
    assert done.stderr == "said on stderr\n"


def test_the_collector_is_given_back_as_it_was() -> None:
    # a host that had the collector off before svtool started gets it off
    done = owned("long", collector="off")
    assert done.stdout == "collector False forks False\ntorn down\n"


def test_inside_a_host_nothing_changes_and_the_exit_can_be_caught(
        capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[tuple[bool, Forks]] = []
    collecting = gc.isenabled()
    for short_lived in (True, False):
        with pytest.raises(SystemExit) as exited:
            boundary.run(lambda forks: seen.append((gc.isenabled(), forks)) or 4,
                         short_lived=short_lived, process=None)
        assert exited.value.code == 4
    assert seen == [(collecting, NO_FORKS), (collecting, NO_FORKS)]

    def failing(forks: Forks) -> int:
        raise SvtoolError("no such key", Span.point("a.conf", 3, 2))

    with pytest.raises(SystemExit) as exited:
        boundary.run(failing, short_lived=True, process=None)
    assert exited.value.code == 2
    assert capsys.readouterr().err == "a.conf:3:2: no such key\n"


# What each command is handed when started the way a user starts it (the svtool script).
PROBE = """
import gc, sys
from supervisor_tools import commands, entry
from supervisor_tools.lint import command
from supervisor_tools.runtime import main

def seen(name):
    def record(*args, forks=None, **kwargs):
        allowed = None if forks is None else forks.allowed
        print(name, "collector", gc.isenabled(), "forks", allowed)
        return 0
    return record

commands.show_command = seen("show")
command.run_lint = seen("lint")
main.run = seen("run")
sys.argv = ["svtool", *sys.argv[1:]]
entry.main()
"""


@pytest.mark.parametrize(("argv", "expected"), [
    (["show", "x.conf"], "show collector False forks True"),
    (["lint", "x.conf"], "lint collector False forks True"),  # without click
    (["lint", "-c", "x.conf", "x.conf"], "lint collector False forks True"),  # through click
    (["run", "-c", "x.conf"], "run collector True forks None"),
])
def test_each_command_gets_what_its_life_allows(tmp_path: Path, argv: list[str],
                                                expected: str) -> None:
    (tmp_path / "x.conf").write_text("[supervisord]\n")
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True,
                          text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected + "\n"


def test_the_collector_is_switched_in_boundary_only() -> None:
    # one owner: a module that turned the collector off or on by itself would undo (or be
    # undone by) what boundary.run decided for the command
    switching = [str(path.relative_to(ROOT)) for path in (ROOT / "supervisor_tools").rglob("*.py")
                 if path.name != "boundary.py" and "gc." in path.read_text()]
    assert switching == []


def test_the_collector_is_paused_and_given_back() -> None:
    collecting = gc.isenabled()
    try:
        for before in (True, False):
            (gc.enable if before else gc.disable)()
            with boundary.PausedCollector():
                assert not gc.isenabled()
            assert gc.isenabled() == before
    finally:
        (gc.enable if collecting else gc.disable)()


def test_the_entry_pauses_the_collector_before_importing_anything_heavy() -> None:
    # the start-up imports (typing, dataclasses, click, svtool's own modules) all run with the
    # collector off: boundary itself loads nothing at import but gc
    code = ("import sys\nbefore = set(sys.modules)\nfrom supervisor_tools import boundary\n"
            "print(sorted(m for m in set(sys.modules) - before if not m.startswith('__')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True, timeout=60)
    assert done.stdout.strip() == "['gc', 'supervisor_tools', 'supervisor_tools.boundary']"
