"""Turning a ProcessConfig into a running child: argv, environment, credentials, the fork.

This is the only place that creates child processes. Children get their own process group
(so group signals reach their descendants but never us), pipes for stdin/stdout/stderr, and the
environment supervisord would give them.
"""

from __future__ import annotations

import grp
import os
import pwd
import shlex
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


def child_environment(pc: ProcessConfig, server_url: str | None,
                      base: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
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


def spawn(p: Plan) -> subprocess.Popen[bytes]:
    """Fork and exec. Raises SpawnError when the exec itself fails."""
    creds = p.creds
    try:
        return subprocess.Popen(
            p.argv, executable=p.executable, env=p.env, cwd=p.cwd, umask=p.umask,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if p.redirect_stderr else subprocess.PIPE,
            close_fds=True, process_group=0, bufsize=0,
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
