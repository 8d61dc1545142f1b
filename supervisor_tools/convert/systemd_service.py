"""One supervisor process to the directives of its systemd service, and what systemd loses.

The start command, user, environment, restarts, stopping and logs of a process become
(section, key, value) lines; options systemd cannot express become `Lost` entries.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from supervisor_tools.convert.source import Lost
from supervisor_tools.convert.systemd_map import MAPPING
from supervisor_tools.convert.systemd_quote import (
    SYSTEMD_PATH,
    Which,
    env_assignment,
    env_name_valid,
    exec_line,
    is_executable,
    noncharacter,
    path_problem,
    path_value,
    resolve,
    specifiers,
)
from supervisor_tools.convert.systemd_readiness import readiness
from supervisor_tools.convert.systemd_restart import (
    BACKOFF_KEYS,
    backoff,
    container_mode,
    start_limit,
    written,
)
from supervisor_tools.errors import ConfigError, Span
from supervisor_tools.model.model import GroupConfig, Model, ProcessConfig, SupervisordConfig
from supervisor_tools.options.command import split_command
from supervisor_tools.options.table import options_for
from supervisor_tools.options.types import BYTES, SIGNAL_NUMBERS

ENV = "/usr/bin/env"
# supervisord waits 1 s before the first retry; systemd waits RestartSec= every time.
RESTART_SEC = 1
_STRICT_USER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,30}")
Put = Callable[[str, str, str], None]  # (section, key, value) of one directive


@dataclass(frozen=True, slots=True)
class SystemdOptions:
    prefix: str = ""
    user_mode: bool = False
    which: Which = is_executable
    logrotate: bool = False  # rotate log files with a logrotate snippet instead of reporting


class ServiceWriter:
    """The directives of the service that runs one process, and what it cannot keep."""

    def __init__(self, model: Model, options: SystemdOptions) -> None:
        self.model = model
        self.opts = options
        self.sd: SupervisordConfig | None = model.supervisord
        self.lost: list[Lost] = []
        self.errors: list[ConfigError] = []
        self.rotations: list[tuple[str, int, int]] = []
        self._seen: set[tuple[Span, str]] = set()

    def lose(self, span: Span, message: str, key: str | None = None) -> None:
        """Record a loss once per place (processes of one section share their spans)."""
        seen = (span, key or message)
        if seen not in self._seen:
            self._seen.add(seen)
            self.lost.append(Lost(span, message))

    def error(self, span: Span, message: str) -> None:
        self.errors.append(ConfigError(span, message, "convert"))

    def wanted_by(self) -> str:
        return "default.target" if self.opts.user_mode else "multi-user.target"

    # -- one process -> directives -------------------------------------------------------------

    def service(self, p: ProcessConfig) -> list[tuple[str, str, str]]:
        """(section, key, value) lines of the unit that runs `p`."""
        out: list[tuple[str, str, str]] = []

        def put(section: str, key: str, value: str) -> None:
            out.append((section, key, value))

        section = f"[{p.kind}:{p.program}]"
        words = self.exec_words(p, section)
        put("Service", "ExecStart", exec_line(words) if words else "")
        if p.directory is not None:
            problem = path_problem(p.directory)
            if problem:
                self.lose(p.span_of("directory"), f"{section} directory {p.directory!r} "
                          f"{problem}; WorkingDirectory= is left out")
            else:
                put("Service", "WorkingDirectory", path_value(p.directory))
        user = p.user if p.user is not None else (self.sd.user if self.sd else None)
        if user is not None:
            where = p.span_of("user") if p.user is not None else self._sd_span("user")
            if self.opts.user_mode:
                self.lose(where, f"{section} user={user}: a user service manager cannot switch "
                                 "users; User= is left out")
            else:
                self.check_user(where, section, "user", user)
                put("Service", "User", specifiers(user))
        umask = p.umask if p.umask is not None else (
            self.sd.umask if self.sd and "umask" in self.sd.spans else None)
        if umask is not None:
            put("Service", "UMask", f"{umask:04o}")
        for name, value in p.environment.items():
            if noncharacter(value):
                self.lose(p.span_of("environment"), f"{section} environment variable {name}: "
                          "its value holds a Unicode noncharacter, which systemd refuses; it is "
                          "left out")
            elif env_name_valid(name):
                put("Service", "Environment", env_assignment(name, value))
            else:
                self.lose(p.span_of("environment"), f"{section} environment variable {name!r} "
                          "is not a name systemd accepts; it is left out")
        self.restart(p, put)
        readiness(p, put)
        self.stopping(p, section, put)
        self.logs(p, section, put)
        return out

    def check_user(self, where: Span, section: str, option: str, name: str) -> None:
        """Report a user or group name systemd refuses, or accepts only with a warning."""
        if ":" in name or "/" in name or noncharacter(name) or name.strip() != name or not name:
            self.error(where, f"{section} {option} {name!r} is a name systemd refuses")
        elif not _STRICT_USER.fullmatch(name) and not name.isdigit():
            self.lose(where, f"{section} {option}={name}: systemd accepts the name only with a "
                             "warning (strict names are letters, digits, _ and -, at most 31 "
                             "characters, not starting with a digit or -)")
        if name in ("nobody", "65534"):
            # systemd-analyze flags it: files owned by nobody are shared by every such service.
            # The unit keeps the name; the warning says why it is not clean.
            self.lose(where, f"{section} {option}={name}: systemd warns that running as nobody "
                             "is not safe (consider DynamicUser=yes)")

    def _sd_span(self, option: str) -> Span:
        assert self.sd is not None
        return self.sd.spans.get(option, self.sd.source)

    def exec_words(self, p: ProcessConfig, section: str) -> list[str]:
        span = p.span_of("command")
        try:
            words = split_command(p.command)
        except ValueError as exc:
            self.error(span, f"{section} command cannot be split as supervisord splits it: {exc}")
            return []
        if not words:
            self.error(span, f"{section} command is empty")
            return []
        bad = next((ch for w in words if (ch := noncharacter(w))), None)
        if bad is not None:
            self.error(span, f"{section} command holds the Unicode noncharacter U+{ord(bad):04X}, "
                             "which systemd refuses in a unit file")
            return []
        path_env = p.environment.get("PATH")
        search = path_env.split(":") if path_env else list(SYSTEMD_PATH)
        found = resolve(words[0], search, p.directory, self.opts.which)
        if found is not None:
            return [found, *words[1:]]
        if "/" in words[0]:
            self.error(span, f"{section} command {words[0]!r} is a relative path and there is no "
                             "absolute directory to resolve it against")
            return []
        if words[0][0] == "-" or "=" in words[0]:
            self.error(span, f"{section} program name {words[0]!r} cannot be looked up in PATH "
                             "by env (it starts with '-' or holds '=')")
            return []
        # Not found here (the units are usually for another machine): like supervisord, look the
        # name up in PATH when the process starts; env does, with the unit's environment.
        self.lose(span, f"{section} command {words[0]!r} was not found in {':'.join(search)} "
                        f"on this machine; ExecStart= runs it as {ENV} {words[0]}, which looks "
                        "it up in the unit's PATH when it starts")
        return [ENV, *words]

    def restart(self, p: ProcessConfig, put: Put) -> None:
        mode = {True: "always", False: "no", "unexpected": "on-failure"}[p.autorestart]
        put("Service", "Restart", mode)
        section = f"[{p.kind}:{p.program}]"
        custom = written(p, BACKOFF_KEYS)
        if custom:
            backoff(p, section, put, self.lose)
        elif p.autorestart is not False:
            put("Service", "RestartSec", str(RESTART_SEC))
        container_mode(p, put)
        success = [c for c in p.exitcodes if c != 0]
        if success:
            put("Service", "SuccessExitStatus", " ".join(str(c) for c in success))
        if 0 not in p.exitcodes:
            if p.autorestart == "unexpected":
                put("Service", "RestartForceExitStatus", "0")
            else:
                self.lose(p.span_of("exitcodes"), f"[{p.kind}:{p.program}] exitcodes "
                          f"{','.join(map(str, p.exitcodes))}: exit status 0 always counts as "
                          "success for systemd")
        # A default the config does not write is no loss of the user's: only a written value
        # asks for supervisord's growing waits.
        if p.startretries > 1 and not custom and "startretries" in p.spans:
            self.lose(p.span_of("startretries"), f"{section} startretries="
                      f"{p.startretries}: supervisord waits longer before each retry (1 s, 2 s, "
                      f"…, {p.startretries} s); systemd waits RestartSec={RESTART_SEC} each time",
                      key="startretries")
        start_limit(p, put, custom)

    def stopping(self, p: ProcessConfig, section: str, put: Put) -> None:
        sig = p.stopsignal
        if sig.isdigit():
            if int(sig) in SIGNAL_NUMBERS and 0 < int(sig) < 65:
                put("Service", "KillSignal", sig)
            else:
                self.lose(p.span_of("stopsignal"), f"{section} stopsignal {sig} is not a "
                          "signal systemd can send; KillSignal= is left at SIGTERM")
        else:
            put("Service", "KillSignal", "SIG" + sig)
        put("Service", "TimeoutStopSec", str(p.stopwaitsecs))
        if p.stopasgroup:
            mode = "control-group"
        elif p.killasgroup:
            mode = "mixed"
        else:
            mode = "process"
        put("Service", "KillMode", mode)

    def logs(self, p: ProcessConfig, section: str, put: Put) -> None:
        for stream, key in (("stdout", "StandardOutput"), ("stderr", "StandardError")):
            if stream == "stderr" and p.redirect_stderr:
                put("Service", key, "inherit")
                continue
            path: str = getattr(p, f"{stream}_logfile")
            syslog: bool = getattr(p, f"{stream}_syslog")
            if path == "AUTO":
                put("Service", key, "journal")
            elif path == "NONE":
                put("Service", key, "journal" if syslog else "null")
            else:
                problem = path_problem(path)
                if problem:
                    self.lose(p.span_of(f"{stream}_logfile"), f"{section} {stream}_logfile "
                              f"{path!r} {problem}; {key}= is left at the journal")
                    put("Service", key, "journal")
                    continue
                put("Service", key, "append:" + path_value(path))
                if syslog:
                    self.lose(p.span_of(f"{stream}_syslog"), f"{section} {stream}_syslog=true "
                              f"next to a log file: systemd writes {stream} to one place")
                maxbytes = getattr(p, f"{stream}_logfile_maxbytes")
                backups = getattr(p, f"{stream}_logfile_backups")
                if maxbytes and self.opts.logrotate:
                    self.rotations.append((path, maxbytes, backups))
                elif maxbytes:
                    where = f"{stream}_logfile_maxbytes"
                    span = p.spans.get(where, p.span_of(f"{stream}_logfile"))
                    self.lose(span, f"{section} {stream}_logfile {path} rotates at "
                              f"{BYTES.format(maxbytes)} keeping {backups} backups under "
                              f"supervisord; {key}=append: never rotates (use logrotate)",
                              key=where)

    def lost_options(self, g: GroupConfig, p: ProcessConfig) -> None:
        """Report every option whose mapping is `lost` and whose value is not the default."""
        section = f"[{p.kind}:{p.program}]"
        table = options_for(p.kind)
        for name, decision in MAPPING.items():
            if decision.kind != "lost" or name not in table:
                continue
            if name.endswith(("_logfile_maxbytes", "_logfile_backups")):
                continue  # reported with the log file they rotate
            # a group-level option lives on the pool, not on each process
            group_level = table[name].level == "group"
            if group_level and g.kind != p.kind:
                # An fcgi-program inside a [group:x]: its socket lives in its own section.
                if name == "socket":
                    self.lose(p.source, f"{section} socket: an fcgi-program inside a [group:x] "
                                        "is converted without its socket")
                continue
            holder: Any = g if group_level else p
            value = getattr(holder, name)
            if value == table[name].default or (name == "serverurl" and value is None):
                continue
            span = holder.spans.get(name, holder.source)
            self.lose(span, f"{section} {name}: {decision.note}")
        if p.numprocs == 1 and p.name != p.program:
            self.lose(p.span_of("process_name"), f"{section} process_name {p.name!r}: the unit is "
                      f"named after the program; the process name is not kept")
