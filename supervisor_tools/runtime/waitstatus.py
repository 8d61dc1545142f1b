"""What a waitpid status says, in the two ways it is reported: as supervisord reports an exit
(the exit status and "exit status 3" / "terminated by SIGKILL"), and as a shell does (the exit
code, or 128 + the killing signal), which container mode exits with."""

from __future__ import annotations

import os

from supervisor_tools.options.signals import signal_label

# The exit code when a process that never ran (a spawn error) goes FATAL: a shell's "could not
# run the command".
NEVER_RAN = 127


def describe(status: int) -> tuple[int, str]:
    """(exit status as supervisord reports it, text) for a waitpid status."""
    if os.WIFEXITED(status):
        code = os.WEXITSTATUS(status)
        return code, f"exit status {code}"
    if os.WIFSIGNALED(status):
        name = signal_label(os.WTERMSIG(status))
        core = " (core dumped)" if os.WCOREDUMP(status) else ""
        return -1, f"terminated by {name}{core}"
    return -1, f"unknown termination cause 0x{status:04x}"


def shell_code(status: int | None) -> int:
    """A waitpid status as a shell reports it: the exit code, or 128 + the killing signal."""
    if status is None:
        return NEVER_RAN
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1
