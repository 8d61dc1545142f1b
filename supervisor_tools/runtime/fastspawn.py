"""posix_spawn through libc with the GIL released, so a big start-up spawns on every core.

`os.posix_spawn` holds the GIL while the vfork'd child execs, so spawns from Python threads run
one after the other. Called through ctypes the same libc function lets other threads run, and
two spawners on two cores start 500 children about twice as fast. Only the posix_spawn features
the runtime uses are wrapped: three dup2s, a new process group, every signal at its default
disposition and an empty signal mask.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # ctypes itself is loaded on first use: most commands never spawn
    import ctypes

# glibc's flag values (the same in musl)
_SETPGROUP = 0x02
_SETSIGDEF = 0x04
_SETSIGMASK = 0x08
# Linux's signals, 1 to 64, all of which a child gets at their default disposition.
_LINUX_SIGNALS = 64
# Larger than posix_spawn_file_actions_t (80 bytes), posix_spawnattr_t (336) and sigset_t (128)
# on every glibc ABI: the structs are opaque and only ever touched by libc.
_OPAQUE = 1024

_T = TypeVar("_T")
_R = TypeVar("_R")


class _Libc:
    """libc's spawn functions. Only posix_spawn itself lets go of the GIL: the set-up calls
    are cheap, and releasing the GIL around each would hand it between threads a dozen times
    per child."""

    def __init__(self) -> None:
        import ctypes

        self.spawn = ctypes.CDLL(None, use_errno=True).posix_spawn
        self.c = ctypes.PyDLL(None, use_errno=True)
        for name in ("posix_spawn_file_actions_init", "posix_spawn_file_actions_adddup2",
                     "posix_spawn_file_actions_destroy", "posix_spawnattr_init",
                     "posix_spawnattr_setflags", "posix_spawnattr_setpgroup",
                     "posix_spawnattr_setsigdefault", "posix_spawnattr_setsigmask",
                     "sigemptyset", "sigfillset"):
            getattr(self.c, name)
        # One attribute object serves every spawn: posix_spawn only reads it.
        self.attr = ctypes.create_string_buffer(_OPAQUE)
        sigdef = ctypes.create_string_buffer(_OPAQUE)
        mask = ctypes.create_string_buffer(_OPAQUE)
        self.c.posix_spawnattr_init(self.attr)
        # Every signal back to its default: Python ignores SIGPIPE and SIGXFSZ, whoever started
        # the supervisor may have ignored others, and glibc's spawn helper sets its own two
        # internal signals (32, 33) to SIG_IGN in the child unless this set names them.
        # sigfillset and sigaddset leave those two out, so their bits are set directly: signals
        # 1 to 64 are the first 64 bits of the set, whatever the word size and byte order.
        self.c.sigfillset(sigdef)
        ctypes.memset(sigdef, 0xFF, _LINUX_SIGNALS // 8)
        self.c.posix_spawnattr_setsigdefault(self.attr, sigdef)
        # ... and nothing blocked, whatever the spawning thread has blocked.
        self.c.sigemptyset(mask)
        self.c.posix_spawnattr_setsigmask(self.attr, mask)
        self.c.posix_spawnattr_setpgroup(self.attr, 0)
        self.c.posix_spawnattr_setflags(self.attr,
                                        ctypes.c_short(_SETPGROUP | _SETSIGDEF | _SETSIGMASK))


@functools.cache
def _libc() -> _Libc | None:
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return None
        return _Libc()
    except (AttributeError, OSError, ValueError):
        return None


def available() -> bool:
    return _libc() is not None


def _cstrings(items: Sequence[str]) -> ctypes.Array[ctypes.c_char_p]:
    import ctypes

    encoded = [os.fsencode(s) for s in items]
    return (ctypes.c_char_p * (len(encoded) + 1))(*encoded, None)


class Prepared:
    """argv and environment encoded for posix_spawn."""

    __slots__ = ("path", "argv", "envp")

    def __init__(self, path: str, argv: Sequence[str], env: dict[str, str]) -> None:
        self.path = os.fsencode(path)
        self.argv = _cstrings(argv)
        self.envp = _cstrings([f"{k}={v}" for k, v in env.items()])


def spawn(prep: Prepared, fds: tuple[int, int, int]) -> int:
    """Start `prep` with `fds` as its stdin, stdout, stderr in a new process group.

    Returns the pid; raises OSError with the errno of a failed exec.
    """
    import ctypes

    libc = _libc()
    assert libc is not None
    actions = ctypes.create_string_buffer(_OPAQUE)
    libc.c.posix_spawn_file_actions_init(actions)
    try:
        for target, fd in enumerate(fds):
            libc.c.posix_spawn_file_actions_adddup2(actions, fd, target)
        pid = ctypes.c_int(0)
        err = libc.spawn(ctypes.byref(pid), prep.path, actions, libc.attr, prep.argv,
                         prep.envp)
    finally:
        libc.c.posix_spawn_file_actions_destroy(actions)
    if err:
        raise OSError(err, os.strerror(err), os.fsdecode(prep.path))
    return pid.value


def run_parallel(func: Callable[[_T], _R], items: Sequence[_T],
                 workers: int) -> list[_R | BaseException]:
    """`func` over `items` on `workers` threads; results (or raised exceptions) in item order."""
    results: list[_R | BaseException] = [RuntimeError("not run")] * len(items)
    lock = threading.Lock()
    index = [0]

    def work() -> None:
        while True:
            with lock:
                i = index[0]
                index[0] += 1
            if i >= len(items):
                return
            try:
                results[i] = func(items[i])
            except BaseException as exc:  # handed back to the caller, never lost in a thread
                results[i] = exc

    threads = [threading.Thread(target=work, daemon=True) for _ in range(max(1, workers) - 1)]
    for t in threads:
        t.start()
    work()  # the calling thread is one of the workers
    for t in threads:
        t.join()
    return results
