"""Turning a ProcessConfig into a running child: argv, environment, credentials, the fork.

This is the only place that creates child processes. Children get their own process group
(so group signals reach their descendants but never us), pipes for stdin/stdout/stderr, and the
environment supervisord would give them.
"""

from __future__ import annotations

import functools
import grp
import os
import pwd
import shlex
import signal
import stat
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass

from supervisor_tools.model.model import ProcessConfig

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
        argv = shlex.split(command)
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
        pw = pwd.getpwuid(int(user)) if user.isdigit() else pwd.getpwnam(user)
    except (KeyError, ValueError) as exc:
        raise SpawnError(f"Can't find user {user!r}") from exc
    if os.getuid() != 0:
        if pw.pw_uid == os.getuid():
            return None
        raise SpawnError("Can't drop privilege as nonroot user")
    groups = tuple(g.gr_gid for g in grp.getgrall() if pw.pw_name in g.gr_mem)
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


def plan(pc: ProcessConfig, server_url: str | None) -> Plan:
    argv = parse_command(pc.command)
    env = child_environment(pc, server_url)
    executable = resolve_executable(argv[0], pc.environment if "PATH" in pc.environment
                                    else os.environ)
    return Plan(executable, argv, env, pc.directory, -1 if pc.umask is None else pc.umask,
                credentials(pc.user), pc.redirect_stderr)


@dataclass(frozen=True, slots=True)
class Child:
    """A started child: its pid and the parent's ends of its pipes (stderr -1 when merged)."""

    pid: int
    stdin: int
    stdout: int
    stderr: int


# Python ignores these; a child must start with the default action, as Popen's
# restore_signals does.
_RESTORE = (signal.SIGPIPE, signal.SIGXFSZ)


def spawn(p: Plan) -> Child:
    """Fork and exec. Raises SpawnError when the exec itself fails.

    posix_spawn (vfork-like, no Python in the child) is used whenever it can do everything
    needed; a working directory, umask or user switch takes the slower Popen path.
    """
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = (-1, -1) if p.redirect_stderr else os.pipe()
    child_ends = [in_r, out_w] + ([] if p.redirect_stderr else [err_w])
    ours = [in_w, out_r] + ([] if p.redirect_stderr else [err_r])
    try:
        if p.cwd is None and p.umask < 0 and p.creds is None:
            pid = _posix_spawn(p, in_r, out_w, out_w if p.redirect_stderr else err_w)
        else:
            pid = _popen(p, in_r, out_w, out_w if p.redirect_stderr else err_w)
    except BaseException:
        for fd in ours:
            os.close(fd)
        raise
    finally:
        for fd in child_ends:
            os.close(fd)
    return Child(pid, in_w, out_r, err_r)


def _posix_spawn(p: Plan, stdin: int, stdout: int, stderr: int) -> int:
    actions = [(os.POSIX_SPAWN_DUP2, stdin, 0), (os.POSIX_SPAWN_DUP2, stdout, 1),
               (os.POSIX_SPAWN_DUP2, stderr, 2)]
    try:
        return os.posix_spawn(p.executable, p.argv, p.env, file_actions=actions,
                              setpgroup=0, setsigdef=_RESTORE)
    except FileNotFoundError as exc:
        raise SpawnError(f"can't find command {p.executable!r}", "NO_FILE") from exc
    except PermissionError as exc:
        raise SpawnError(f"no permission to run command {p.executable!r}",
                         "NOT_EXECUTABLE") from exc
    except OSError as exc:
        raise SpawnError(f"couldn't exec {p.executable}: {exc.strerror}") from exc


def _popen(p: Plan, stdin: int, stdout: int, stderr: int) -> int:
    creds = p.creds
    try:
        popen = subprocess.Popen(
            p.argv, executable=p.executable, env=p.env, cwd=p.cwd, umask=p.umask,
            stdin=stdin, stdout=stdout, stderr=stderr, close_fds=True, process_group=0,
            user=creds.uid if creds else None, group=creds.gid if creds else None,
            extra_groups=list(creds.groups) if creds else None,
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
