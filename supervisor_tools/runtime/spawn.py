"""Turning a ProcessConfig into a running child: argv, environment, credentials, the fork.

This is the only place that creates child processes. Children get their own process group
(so group signals reach their descendants but never us), pipes for stdin/stdout/stderr, and the
environment supervisord would give them.
"""

from __future__ import annotations

import errno
import functools
import os
import stat
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from supervisor_tools.model.model import ProcessConfig
from supervisor_tools.options import users
from supervisor_tools.options.command import split_command
from supervisor_tools.runtime import fastspawn
from supervisor_tools.runtime.childsignals import default_signals, inherits_defaults
from supervisor_tools.runtime.fastspawn import Prepared

DEFAULT_PATH = "/bin:/usr/bin:/usr/local/bin"


class SpawnError(Exception):
    """The child cannot be started; `fault` names the XML-RPC fault a start request gets."""

    def __init__(self, message: str, fault: str = "SPAWN_ERROR") -> None:
        super().__init__(message)
        self.message = message
        self.fault = fault


@dataclass(frozen=True, slots=True)
class Credentials:
    uid: int
    gid: int
    groups: tuple[int, ...]


def parse_command(command: str) -> list[str]:
    try:
        argv = split_command(command)
    except ValueError as exc:
        raise SpawnError(f"can't parse command {command!r}: {exc}", "NOT_EXECUTABLE") from exc
    if not argv:
        raise SpawnError("command is empty", "NOT_EXECUTABLE")
    return argv


def resolve_executable(program: str, env: Mapping[str, str]) -> str:
    """Find the file to exec the way supervisord does, with its error texts."""
    if "/" in program:
        candidates = [program]
    else:
        path = env.get("PATH", DEFAULT_PATH)
        candidates = [os.path.join(d, program) for d in path.split(os.pathsep)]
    found = None
    for cand in candidates:
        try:
            st = os.stat(cand)
        except OSError:
            continue
        found = (cand, st)
        break
    if found is None:
        raise SpawnError(f"can't find command {program!r}", "NO_FILE")
    path, st = found
    if stat.S_ISDIR(st.st_mode):
        raise SpawnError(f"command at {path!r} is a directory", "NOT_EXECUTABLE")
    if not st.st_mode & 0o111:
        raise SpawnError(f"command at {path!r} is not executable", "NOT_EXECUTABLE")
    if not os.access(path, os.X_OK):
        raise SpawnError(f"no permission to run command {path!r}", "NOT_EXECUTABLE")
    return path


@functools.cache
def _own_environment() -> dict[str, str]:
    # os.environ decodes every key and value on each read; 500 programs would copy it 500
    # times. Nothing changes the supervisor's own environment after start-up.
    return dict(os.environ)


def child_environment(pc: ProcessConfig, server_url: str | None,
                      base: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(_own_environment() if base is None else base)
    env["SUPERVISOR_ENABLED"] = "1"
    url = pc.serverurl if pc.serverurl and pc.serverurl != "AUTO" else server_url
    if url:
        env["SUPERVISOR_SERVER_URL"] = url
    env["SUPERVISOR_PROCESS_NAME"] = pc.name
    env["SUPERVISOR_GROUP_NAME"] = pc.group
    env.update(pc.environment)
    return env


def credentials(user: str | None) -> Credentials | None:
    """None when no switch is needed; SpawnError when it is impossible."""
    if not user:
        return None
    try:
        pw = users.passwd(user)
    except (KeyError, ValueError) as exc:
        raise SpawnError(f"Can't find user {user!r}") from exc
    if os.getuid() != 0:
        if pw.pw_uid == os.getuid():
            return None
        raise SpawnError("Can't drop privilege as nonroot user")
    groups = users.member_gids(pw)
    return Credentials(pw.pw_uid, pw.pw_gid, tuple(sorted({pw.pw_gid, *groups})))


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything needed to fork one child, computed once per config."""

    executable: str
    argv: list[str]
    env: dict[str, str]
    cwd: str | None
    umask: int
    creds: Credentials | None
    redirect_stderr: bool
    # libc's posix_spawn can do everything this child needs (no cwd, umask or user switch)
    native: bool = False
    # A descriptor given to the child as its stdin instead of a pipe (FastCGI's socket).
    stdin_fd: int = -1


@functools.cache
def _parse_cached(command: str) -> tuple[str, ...]:
    # numprocs copies share one command line, and its words are checked once
    return tuple(parse_command(command))


def plan(pc: ProcessConfig, server_url: str | None, stdin_fd: int = -1) -> Plan:
    argv = list(_parse_cached(pc.command))
    env = child_environment(pc, server_url)
    executable = resolve_executable(argv[0], pc.environment if "PATH" in pc.environment
                                    else _own_environment())
    umask = -1 if pc.umask is None else pc.umask
    creds = credentials(pc.user)
    simple = pc.directory is None and umask < 0 and creds is None
    native = simple and fastspawn.available()
    return Plan(executable, argv, env, pc.directory, umask, creds, pc.redirect_stderr, native,
                stdin_fd)


@dataclass(frozen=True, slots=True)
class Child:
    """A started child: its pid and the parent's ends of its pipes (stderr -1 when merged)."""

    pid: int
    stdin: int
    stdout: int
    stderr: int


def spawn(p: Plan) -> Child:
    """Fork and exec. Raises SpawnError when the exec itself fails."""
    result = spawn_many([p])[0]
    if isinstance(result, SpawnError):
        raise result
    return result


# Spawning threads: more than the cores only adds contention in the kernel.
_WORKERS = max(1, min(4, os.cpu_count() or 1))


def spawn_many(plans: Sequence[Plan]) -> list[Child | SpawnError]:
    """Start every plan; a child, or the reason it could not start, per plan in order.

    libc's posix_spawn (vfork-like, no Python in the child) runs on several threads when it can
    do everything needed; a working directory, umask or user switch takes the slower Popen path.
    """
    results: list[Child | SpawnError | None] = [None] * len(plans)
    native = [i for i, p in enumerate(plans) if p.native]
    if len(native) > 1:
        done = fastspawn.run_parallel(lambda i: _start(plans[i], _native), native, _WORKERS)
        for i, r in zip(native, done, strict=True):
            if not isinstance(r, Child | SpawnError):
                raise r  # a bug in a spawning thread, not a child that failed to start
            results[i] = r
    elif native:
        results[native[0]] = _start(plans[native[0]], _native)
    for i, p in enumerate(plans):
        if results[i] is None:
            results[i] = _start(p, _exec)
    return [r for r in results if r is not None]


def spawn_silent(p: Plan) -> int:
    """Start a child with /dev/null as stdin, stdout and stderr (a probe's command): its pid.
    Raises SpawnError."""
    null = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
    try:
        if p.native:
            return fastspawn.spawn(Prepared(p.executable, p.argv, p.env), (null, null, null))
        return _popen(p, null, null, null)
    except OSError as exc:
        raise _exec_error(p, exc) from exc
    finally:
        os.close(null)


def _start(p: Plan, how: Callable[[Plan, _Fds], int]) -> Child | SpawnError:
    """One child, its pipes made just before and its ends of them closed just after.

    Every spawn copies the whole descriptor table into the new child (and its exec closes
    them again), so keeping only the live pipes open makes each of 500 spawns cheaper than
    holding all 3,000 pipe ends of a big start-up open at once.
    """
    try:
        f = _Fds(p)
    except OSError as exc:
        return SpawnError(f"couldn't make pipes: {exc.strerror}")
    try:
        pid = how(p, f)
    except SpawnError as exc:
        f.close_child_ends()
        f.close_ours()
        return exc
    except OSError as exc:
        f.close_child_ends()
        f.close_ours()
        return _exec_error(p, exc)
    f.close_child_ends()
    return Child(pid, f.stdin, f.stdout, f.stderr)


class _Fds:
    """The pipes of one child: its ends (closed once it has started) and ours."""

    def __init__(self, p: Plan) -> None:
        self.child_ends: list[int] = []
        self.ours: list[int] = []
        try:
            if p.stdin_fd >= 0:
                in_r, self.stdin = p.stdin_fd, -1
            else:
                in_r, self.stdin = os.pipe()
                self.ours.append(self.stdin)
                self.child_ends.append(in_r)
            out_r, out_w = self._pipe()
            self.stdout = out_r
            err_r, err_w = (-1, out_w) if p.redirect_stderr else self._pipe()
            self.stderr = err_r
        except OSError:
            self.close_child_ends()
            self.close_ours()
            raise
        self.targets = (in_r, out_w, err_w)

    def _pipe(self) -> tuple[int, int]:
        r, w = os.pipe()
        self.ours.append(r)
        self.child_ends.append(w)
        return r, w

    def close_child_ends(self) -> None:
        for fd in self.child_ends:
            os.close(fd)
        self.child_ends = []

    def close_ours(self) -> None:
        for fd in self.ours:
            os.close(fd)
        self.ours = []


def _native(p: Plan, f: _Fds) -> int:
    # Encoded argv and environment are built just before use and dropped after: kept per
    # process they would cost a few KiB each.
    return fastspawn.spawn(Prepared(p.executable, p.argv, p.env), f.targets)


def _exec(p: Plan, f: _Fds) -> int:
    # os.posix_spawn is no shortcut here: libc's spawn helper leaves its internal signals
    # ignored in the child unless their bits are set by hand, which only fastspawn does.
    stdin, stdout, stderr = f.targets
    return _popen(p, stdin, stdout, stderr)


def _exec_error(p: Plan, exc: OSError) -> SpawnError:
    if exc.errno == errno.ENOENT:
        return SpawnError(f"can't find command {p.executable!r}", "NO_FILE")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return SpawnError(f"no permission to run command {p.executable!r}", "NOT_EXECUTABLE")
    return SpawnError(f"couldn't exec {p.executable}: {exc.strerror}")


def _popen(p: Plan, stdin: int, stdout: int, stderr: int) -> int:
    import subprocess  # only children that need a cwd, umask or user switch come here

    creds = p.creds
    try:
        popen = subprocess.Popen(
            p.argv, executable=p.executable, env=p.env, cwd=p.cwd, umask=p.umask,
            stdin=stdin, stdout=stdout, stderr=stderr, close_fds=True, process_group=0,
            user=creds.uid if creds else None, group=creds.gid if creds else None,
            extra_groups=list(creds.groups) if creds else None,
            # Python in the child only when needed, and never while spawning threads run
            # (spawn_many starts these after the parallel ones).
            preexec_fn=None if inherits_defaults() else default_signals,
        )
    except FileNotFoundError as exc:
        if p.cwd and not os.path.isdir(p.cwd):
            raise SpawnError(f"couldn't chdir to {p.cwd}: ENOENT") from exc
        raise SpawnError(f"can't find command {p.executable!r}", "NO_FILE") from exc
    except PermissionError as exc:
        raise SpawnError(f"no permission to run command {p.executable!r}",
                         "NOT_EXECUTABLE") from exc
    except OSError as exc:
        raise SpawnError(f"couldn't exec {p.executable}: {exc.strerror}") from exc
    # The supervisor reaps every child itself (waitpid(-1)); marking this Popen finished keeps
    # subprocess from ever calling waitpid on the pid and stealing its exit status.
    popen.returncode = 0
    return popen.pid


class SpawnBatch:
    """Spawns collected while the supervisor starts many processes, then started together."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Plan, Callable[[Child | SpawnError], None]]] = []

    def append(self, job: tuple[Plan, Callable[[Child | SpawnError], None]]) -> None:
        self.jobs.append(job)

    def run(self) -> None:
        jobs, self.jobs = self.jobs, []
        results = spawn_many([p for p, _done in jobs])
        for (_p, done), result in zip(jobs, results, strict=True):
            done(result)
