"""The signal state a child starts with: every signal at its default action, none blocked.

Python ignores SIGPIPE and SIGXFSZ, glibc's posix_spawn leaves its two internal signals
ignored, and whoever started the supervisor may have ignored or blocked others. runtime/spawn.py
asks here whether a Popen child starts clean by itself, and what to run in it when not.
"""

from __future__ import annotations

import contextlib
import functools
import signal


def default_signals() -> None:
    """In a forked child before exec: every signal at its default action, none blocked.

    Python ignores SIGPIPE and SIGXFSZ, and whoever started the supervisor may have ignored
    or blocked others; a child starts as if from a clean shell whichever way it is spawned.
    """
    for sig in signal.valid_signals():
        if sig not in (signal.SIGKILL, signal.SIGSTOP):
            with contextlib.suppress(OSError, ValueError):
                signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, ())


# Popen's restore_signals puts these back to default in the child itself.
_RESTORED_BY_POPEN = frozenset({signal.SIGPIPE, signal.SIGXFSZ})


# glibc's two internal signals, which Python's signal module (and glibc's own sigaction) will
# not touch; rt_sigaction's system call number, where it is known.
_RESERVED_SIGNALS = (32, 33)
_SYS_RT_SIGACTION = {"x86_64": 13, "aarch64": 134}


def _reserved_ignored() -> bool:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            line = next(ln for ln in fh if ln.startswith("SigIgn:"))
    except (OSError, StopIteration):
        return False
    ignored = int(line.split()[1], 16)
    return any(ignored >> (sig - 1) & 1 for sig in _RESERVED_SIGNALS)


@functools.cache
def _clear_reserved_ignores() -> None:
    """Put signals 32 and 33 back to their default in the supervisor itself, once.

    An ignored signal stays ignored across exec, and glibc's posix_spawn leaves these two
    ignored in what it starts (GNU make starts its recipes that way, so does a supervisor
    started by another). A Popen child would inherit that, and no preexec_fn can undo it with
    Python's signal module; the raw system call can. The fast path names them in its own
    posix_spawn attributes instead.
    """
    import platform

    number = _SYS_RT_SIGACTION.get(platform.machine())
    if number is None or not _reserved_ignored():
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    # struct sigaction all zeros: SIG_DFL, no flags, no restorer, an empty mask
    default = ctypes.create_string_buffer(64)
    for sig in _RESERVED_SIGNALS:
        libc.syscall(ctypes.c_long(number), ctypes.c_long(sig), default, None,
                     ctypes.c_size_t(8))


def inherits_defaults() -> bool:
    """Whether a Popen child would start clean without help: nothing ignored but what
    restore_signals resets, nothing blocked. Then Popen may use vfork (a preexec_fn forces a
    full fork, slower for a big supervisor); otherwise the child resets itself."""
    _clear_reserved_ignores()
    if signal.pthread_sigmask(signal.SIG_BLOCK, ()):
        return False
    return all(signal.getsignal(sig) is not signal.SIG_IGN
               for sig in signal.valid_signals() if sig not in _RESTORED_BY_POPEN)
