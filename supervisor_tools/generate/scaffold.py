"""`svtool echo-conf program|group`: ready sections with production defaults.

The defaults worth writing down explicitly are the ones experience recommends over
supervisord's own: restart only on unexpected exits, stderr merged into a rotated stdout log, and
signals sent to the whole process group when a shell sits between supervisord and the program
(otherwise stopping the shell orphans its children). Every other value shown is the table's
default, written out so the reader sees it and can change it in place.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from supervisor_tools.errors import SvtoolError
from supervisor_tools.generate.lines import option_line, row
from supervisor_tools.ini import Block, Line, environment_value, render, value_text
from supervisor_tools.model.groups import MAX_NUMPROCS
from supervisor_tools.options.command import split_command
from supervisor_tools.options.table import SECTION_DOCS

# Characters that break a name somewhere: supervisord rejects whitespace, ':' and '/'; brackets
# confuse the header, ',' splits [group:x] programs, '%' breaks expansion of %(program_name)s,
# ';' '#' and '=' read as comment or delimiter in other places names are written.
NAME_FORBIDDEN = frozenset(":/[],;#%=\"'\\")
ENV_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "busybox", "fish",
                    "csh", "tcsh"})
MULTI_PROCESS_NAME = "%(program_name)s_%(process_num)02d"


def check_name(name: str, what: str) -> str:
    if not name:
        raise SvtoolError(f"the {what} name must not be empty")
    for ch in name:
        if ch.isspace() or ch in NAME_FORBIDDEN or not ch.isprintable():
            raise SvtoolError(f"invalid {what} name {name!r}: {ch!r} is not allowed (a name may "
                              "not contain whitespace or any of " + "".join(sorted(NAME_FORBIDDEN))
                              + ")")
    return name


def typed_line(kind: str, name: str, value: Any) -> Line:
    """A line whose value is a Python value, written as the table's type writes it."""
    return option_line(kind, name, row(kind, name).type.format(value))


def convert(kind: str, name: str, text: str, flag: str) -> Any:
    try:
        return row(kind, name).type.convert(text, host=False)
    except ValueError as exc:
        raise SvtoolError(f"{flag}: {exc}") from None


# -- environment ----------------------------------------------------------------------------------


def parse_env_pair(pair: str) -> tuple[str, str]:
    key, eq, value = pair.partition("=")
    if not eq:
        raise SvtoolError(f"--env {pair!r}: expected KEY=VALUE")
    if not ENV_KEY_RE.match(key):
        raise SvtoolError(f"--env {pair!r}: {key!r} is not a valid variable name (letters, digits "
                          "and _, not starting with a digit)")
    return key, value


def quote_env_value(key: str, value: str) -> str:
    try:
        return environment_value(value)
    except SvtoolError as exc:
        raise SvtoolError(f"--env {key}: {exc.message}") from None


def environment_text(pairs: Sequence[str]) -> str:
    env: dict[str, str] = {}
    for pair in pairs:
        key, value = parse_env_pair(pair)
        if key in env:
            raise SvtoolError(f"--env {key} is given twice")
        env[key] = value
    return ",".join(f"{k}={quote_env_value(k, v)}" for k, v in env.items())


# -- [program:x] ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProgramRequest:
    """What `echo-conf program` was asked for."""

    name: str
    command: str
    numprocs: int = 1
    user: str | None = None
    directory: str | None = None
    env: tuple[str, ...] = ()
    autorestart: str = "unexpected"
    priority: int | None = None
    logdir: str | None = None
    stopasgroup: bool | None = None  # None: on exactly when the command runs through a shell


def runs_through_shell(command: str) -> bool:
    """True if supervisord's child would be a shell (or a shell script) rather than the program.

    The command is split as supervisord splits it at spawn time (POSIX shlex).
    """
    try:
        argv = split_command(command)
    except ValueError as exc:
        raise SvtoolError(f"--command {command!r}: {exc} (supervisord splits the command like a "
                          "shell would)") from None
    if not argv:
        raise SvtoolError("--command must not be empty")
    first = os.path.basename(argv[0])
    if first == "env":
        rest = [a for a in argv[1:] if not a.startswith("-") and "=" not in a]
        first = os.path.basename(rest[0]) if rest else first
    return first in SHELLS or first.endswith(".sh")


def check_absolute(path: str, flag: str) -> None:
    if not (path.startswith("/") or path.startswith("%(")):
        raise SvtoolError(f"{flag} {path!r} must be an absolute path (a relative one depends on "
                          "the directory supervisord was started in)")


def program_block(req: ProgramRequest) -> Block:
    kind = "program"
    check_name(req.name, "program")
    if not req.command.strip():
        raise SvtoolError("--command must not be empty")
    shell = runs_through_shell(req.command)
    if not 1 <= req.numprocs <= MAX_NUMPROCS:
        raise SvtoolError(f"--numprocs {req.numprocs}: must be between 1 and {MAX_NUMPROCS}")
    autorestart = convert(kind, "autorestart", req.autorestart, "--autorestart")

    lines = [option_line(kind, "command", req.command, what="--command")]
    if req.numprocs > 1:
        lines.append(option_line(kind, "process_name", MULTI_PROCESS_NAME))
        lines.append(typed_line(kind, "numprocs", req.numprocs))
    if req.directory is not None:
        check_absolute(req.directory, "--directory")
        lines.append(option_line(kind, "directory", req.directory, what="--directory"))
    if req.user is not None:
        if not req.user or any(ch.isspace() or ch == ":" for ch in req.user):
            raise SvtoolError(f"--user {req.user!r}: expected a user name or uid")
        lines.append(option_line(kind, "user", req.user, what="--user"))
    if req.env:
        lines.append(option_line(kind, "environment", environment_text(req.env), what="--env"))
    if req.priority is not None:
        lines.append(typed_line(kind, "priority", req.priority))
    lines += [option_line(kind, "autostart"),
              typed_line(kind, "autorestart", autorestart),
              option_line(kind, "startsecs"),
              option_line(kind, "startretries"),
              option_line(kind, "exitcodes"),
              option_line(kind, "stopsignal"),
              option_line(kind, "stopwaitsecs")]
    group_signals = shell if req.stopasgroup is None else req.stopasgroup
    # supervisord refuses stopasgroup=true with killasgroup=false, so both are always written.
    lines += [typed_line(kind, "stopasgroup", group_signals),
              typed_line(kind, "killasgroup", group_signals),
              typed_line(kind, "redirect_stderr", True)]
    if req.logdir is not None:
        check_absolute(req.logdir, "--logdir")
        # One file per process: processes of one program must not share a log. The directory
        # is escaped on its own; the name part is an expansion.
        directory = value_text(req.logdir.rstrip("/") or "/", row(kind, "stdout_logfile"),
                               "--logdir")
        stem = MULTI_PROCESS_NAME if req.numprocs > 1 else "%(program_name)s"
        lines.append(option_line(kind, "stdout_logfile", f"{directory.rstrip('/')}/{stem}.log",
                                 raw=True))
    else:
        lines.append(option_line(kind, "stdout_logfile"))
    lines += [option_line(kind, "stdout_logfile_maxbytes"),
              option_line(kind, "stdout_logfile_backups")]
    notes = []
    if req.logdir is None:
        notes.append("stdout_logfile=AUTO keeps the log in [supervisord] childlogdir, where "
                     "supervisord deletes it")
        notes.append("at its next start; `--logdir DIR` writes a log that stays.")
    if shell and req.stopasgroup is None:
        notes.append("The command runs through a shell: stop and kill signals go to the whole "
                     "process group,")
        notes.append("so the shell's children stop with it. Starting the program with `exec` "
                     "in the script is better still.")
    return Block(f"{kind}:{req.name}", lines, notes=notes, header_comment=SECTION_DOCS[kind])


def program_section(req: ProgramRequest) -> str:
    return render([program_block(req)])


# -- [group:x] -------------------------------------------------------------------------------------


def split_programs(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",")]
    if names == [""]:
        raise SvtoolError("--programs must name at least one program")
    seen: set[str] = set()
    for n in names:
        if not n:
            raise SvtoolError(f"--programs {text!r}: empty program name")
        check_name(n, "program")
        if n in seen:
            raise SvtoolError(f"--programs {text!r}: {n} is listed twice")
        seen.add(n)
    return names


def group_block(name: str, programs: str, priority: int | None = None) -> Block:
    kind = "group"
    check_name(name, "group")
    members = split_programs(programs)
    lines = [typed_line(kind, "programs", tuple(members))]
    lines.append(option_line(kind, "priority") if priority is None
                 else typed_line(kind, "priority", priority))
    return Block(f"{kind}:{name}", lines, header_comment=SECTION_DOCS[kind])


def group_section(name: str, programs: str, priority: int | None = None) -> str:
    return render([group_block(name, programs, priority)])
