"""One systemd .service unit's directives to the options of its supervisor program section.

Each directive either maps to an option (HANDLERS) or is reported, with its position, as
something supervisor cannot express.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from supervisor_tools.convert.source import Lost
from supervisor_tools.convert.systemd_ini import Directive, UnitFile, split_commands
from supervisor_tools.convert.systemd_words import (
    Segment,
    env_refs,
    is_split_reference,
    literal,
    option_text,
    parse_timespan,
    resolve_specifiers,
    shell_word,
)
from supervisor_tools.errors import ConfigError, Span, SvtoolError
from supervisor_tools.ini import ENV_KEY_RE, environment_text, environment_value
from supervisor_tools.options.types import SignalType

# Directives that only describe a unit; dropping them changes nothing a process sees.
DOCUMENTATION = {("Unit", "Description"), ("Unit", "Documentation")}
DEPENDENCIES = ("After", "Before", "Wants", "Requires", "PartOf", "BindsTo", "Requisite")
RESTART_MODES = {"always": "true", "no": "false", "on-failure": "unexpected"}
EXEC_PREFIXES = {"-": "a failing exit status is not ignored by supervisor",
                 "@": "supervisor cannot set a separate argv[0]",
                 "+": "supervisor cannot run a command with full privileges",
                 "!": "supervisor cannot run a command with elevated privileges",
                 ":": ""}


@dataclass(slots=True)
class ServiceDraft:
    """One .service file on its way to a [program:x] section."""

    unit: UnitFile
    program: str
    template: bool
    instances: list[int] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)  # values already %-escaped
    after: list[str] = field(default_factory=list)
    autostart: bool = False
    kind: str = "program"  # "fcgi-program" when a socket unit hands it its stdin
    # settings that combine into options once every directive is read
    restart: str = "no"
    restart_sec: float = 0.1  # systemd's default RestartSec=
    burst: int | None = None
    interval: float | None = None
    force_zero: bool = False
    success: list[int] = field(default_factory=list)

    def set(self, name: str, text: str) -> None:
        self.options.pop(name, None)
        self.options[name] = text


Handler = Callable[["ServiceReader", ServiceDraft, Directive, list[Segment]], None]


class ServiceReader:
    """Reads the directives of services, collecting what cannot be converted."""

    def __init__(self) -> None:
        self.lost: list[Lost] = []
        self.errors: list[ConfigError] = []

    def lose(self, d: Directive, why: str) -> None:
        self.lost.append(Lost(d.span, f"[{d.section}] {d.key}={d.value}: {why}"))

    # -- one service ---------------------------------------------------------------------------

    def service(self, svc: ServiceDraft, names: dict[str, str], known: set[str]) -> None:
        unit = svc.unit
        self.environment(svc)
        self.exec_start(svc)
        for d in unit.directives:
            key = (d.section, d.key)
            if d.value == "" or key in (("Service", "Environment"), ("Service", "ExecStart")) \
                    or key in DOCUMENTATION:
                continue
            if svc.kind == "fcgi-program" and key in (("Service", "Sockets"),
                                                     ("Service", "StandardInput")):
                continue  # the socket unit became the fcgi-program's socket
            if d.section == "Unit" and d.key in DEPENDENCIES:
                self.dependency(svc, d, names, known)
                continue
            if d.section == "Install" and d.key in ("WantedBy", "RequiredBy"):
                svc.autostart = True
                continue
            handler = HANDLERS.get(key)
            if handler is None:
                self.lose(d, "supervisor has no equivalent")
                continue
            try:
                handler(self, svc, d, resolve_specifiers(d.value, unit.name, svc.template))
            except ValueError as exc:
                self.lose(d, str(exc))
        if unit.last("Service", "StandardError") is None:
            svc.set("redirect_stderr", "true")  # systemd's default StandardError=inherit
        self.finish(svc)

    def environment(self, svc: ServiceDraft) -> None:
        for d in svc.unit.assignments("Service", "Environment"):
            try:
                words = [w for cmd in split_commands(d.value) for w in cmd]
            except ValueError as exc:
                self.lose(d, str(exc))
                continue
            for word in words:
                name, eq, text = word.partition("=")
                if not eq:
                    self.lose(d, f"{word!r} is not a NAME=value assignment")
                elif not ENV_KEY_RE.fullmatch(name):
                    self.lose(d, f"{name} cannot be written in supervisor's environment syntax")
                elif (reason := _environment_refusal(text)) is not None:
                    self.lose(d, f"{name}: {reason}")
                else:
                    try:
                        segs = resolve_specifiers(text, svc.unit.name, svc.template)
                    except ValueError as exc:
                        self.lose(d, str(exc))
                        continue
                    svc.env[name] = option_text(segs, "environment")

    def exec_start(self, svc: ServiceDraft) -> None:
        found = svc.unit.assignments("Service", "ExecStart")
        if not found:
            self.errors.append(ConfigError(Span.point(svc.unit.path),
                                           f"{svc.unit.name} has no ExecStart=", "convert"))
            return
        for extra in found[1:]:
            self.lose(extra, "supervisor runs one command per program")
        command = self.command(found[0], svc)
        if command is not None:
            svc.set("command", command)

    def command(self, d: Directive, svc: ServiceDraft) -> str | None:
        value = d.value
        prefixes = ""
        while value[:1] and value[0] in EXEC_PREFIXES:
            prefixes += value[0]
            value = value[1:]
        for p in dict.fromkeys(prefixes):
            if EXEC_PREFIXES[p]:
                self.lose(d, f"prefix {p!r}: {EXEC_PREFIXES[p]}")
        try:
            commands = split_commands(value)
        except ValueError as exc:
            self.lose(d, f"cannot split the command line: {exc}")
            return None
        if not commands:
            return None
        if len(commands) > 1:
            self.lose(d, "supervisor runs one command per program (the first is kept)")
        words = commands[0]
        if "@" in prefixes and len(words) > 1:
            words = [words[0], *words[2:]]  # the second word was only argv[0]
        if words[0] in ("/usr/bin/env", "/bin/env") and len(words) > 1 \
                and not words[1].startswith("-") and "=" not in words[1]:
            words = words[1:]  # env looks the name up in PATH, as supervisord does itself
        out = []
        for i, word in enumerate(words):
            try:
                segs = resolve_specifiers(word, svc.unit.name, svc.template)
            except ValueError as exc:
                self.lose(d, str(exc))
                return None
            # ':' turns off variable substitution; the executable's path never has it
            if ":" not in prefixes and i > 0:
                segs, missing = env_refs(segs, svc.env)
                for name in missing:
                    self.lose(d, f"${name} is not set by the unit's Environment=; it is kept "
                                 "literally")
            out.append(shell_word(segs, split_value=":" not in prefixes and i > 0 and
                                  is_split_reference(word)))
        return " ".join(out)

    def dependency(self, svc: ServiceDraft, d: Directive, names: dict[str, str],
                   known: set[str]) -> None:
        others = [n for n in d.value.split() if n not in known]
        if d.key == "After":
            svc.after.extend(n for n in d.value.split() if n in names)
        if others:
            self.lose(d, f"{', '.join(others)}: supervisor has no dependencies on units outside "
                         "this conversion")

    def finish(self, svc: ServiceDraft) -> None:
        """Options that several directives decide together."""
        d = svc.unit.last("Service", "Restart")
        if svc.restart in RESTART_MODES:
            svc.set("autorestart", RESTART_MODES[svc.restart])
        elif d is not None:
            svc.set("autorestart", "unexpected")
            self.lose(d, "supervisor restarts always, never, or on an unexpected exit code; "
                         "written as autorestart=unexpected")
        zero = [] if svc.force_zero and svc.restart == "on-failure" else [0]
        codes = list(dict.fromkeys(zero + svc.success))
        if codes != [0]:
            svc.set("exitcodes", ",".join(str(c) for c in codes))
        if svc.burst is not None:
            svc.set("startretries", str(max(svc.burst - 1, 0)))
            if svc.interval is not None and svc.burst > 0:
                # the inverse of to-systemd's (startretries + 1) * (startsecs + RestartSec)
                startsecs = svc.interval / svc.burst - max(svc.restart_sec, 1)
                svc.set("startsecs", str(max(round(startsecs), 0)))
        if svc.env:
            svc.set("environment", environment_text(svc.env))

    # -- directive handlers (see HANDLERS) --------------------------------------------------------

    def type_(self, svc: ServiceDraft, d: Directive, segs: list[Segment]) -> None:
        if literal(segs) not in ("simple", "exec"):
            self.lose(d, "supervisor runs the command in the foreground and treats it as the "
                         "service (like Type=simple)")

    def working_directory(self, svc: ServiceDraft, d: Directive, segs: list[Segment]) -> None:
        value = literal(segs)
        path = value.removeprefix("-")
        if path.startswith("~"):
            self.lose(d, "the user's home directory is not known here")
            return
        svc.set("directory", option_text(segs, "directory", len(value) - len(path)))
        if value.startswith("-"):
            self.lose(d, "supervisor fails to start when the directory is missing ('-' is not "
                         "kept)")

    def user(self, svc: ServiceDraft, d: Directive, segs: list[Segment]) -> None:
        svc.set("user", option_text(segs, "user"))

    def umask(self, svc: ServiceDraft, d: Directive, segs: list[Segment]) -> None:
        svc.set("umask", f"{int(literal(segs), 8):03o}")

    def restart(self, svc: ServiceDraft, d: Directive, segs: list[Segment]) -> None:
        svc.restart = literal(segs)

    def restart_sec(self, svc: ServiceDraft, d: Directive, segs: list[Segment]) -> None:
        svc.restart_sec = parse_timespan(literal(segs))
        if svc.restart_sec != 1:
            self.lose(d, "supervisor waits 1 s, 2 s, 3 s … between start retries")

    def success_exit_status(self, svc: ServiceDraft, d: Directive, segs: list[Segment]) -> None:
        for word in literal(segs).split():
            if word.isdigit() and int(word) < 256:
                svc.success.append(int(word))
            else:
                self.lose(d, f"{word}: supervisor's exitcodes are numbers 0-255")

    def restart_force(self, svc: ServiceDraft, d: Directive, segs: list[Segment]) -> None:
        if literal(segs).split() == ["0"]:
            svc.force_zero = True
        else:
            self.lose(d, "supervisor restarts by autorestart and exitcodes only")

    def start_limit_burst(self, svc: ServiceDraft, d: Directive, segs: list[Segment]) -> None:
        svc.burst = int(literal(segs))

    def start_limit_interval(self, svc: ServiceDraft, d: Directive, segs: list[Segment]) -> None:
        svc.interval = parse_timespan(literal(segs))

    def kill_signal(self, svc: ServiceDraft, d: Directive, segs: list[Segment]) -> None:
        svc.set("stopsignal", SignalType().convert(literal(segs)))

    def timeout_stop(self, svc: ServiceDraft, d: Directive, segs: list[Segment]) -> None:
        if literal(segs) == "infinity":
            self.lose(d, "supervisor always sends SIGKILL after stopwaitsecs")
        else:
            svc.set("stopwaitsecs", str(math.ceil(parse_timespan(literal(segs)))))

    def kill_mode(self, svc: ServiceDraft, d: Directive, segs: list[Segment]) -> None:
        value = literal(segs)
        if value == "control-group":
            svc.set("stopasgroup", "true")
            svc.set("killasgroup", "true")
        elif value == "mixed":
            svc.set("killasgroup", "true")
        elif value != "process":
            self.lose(d, "supervisor always signals at least the main process")

    def output(self, svc: ServiceDraft, d: Directive, segs: list[Segment]) -> None:
        value = literal(segs)
        stream = "stdout" if d.key == "StandardOutput" else "stderr"
        if stream == "stderr" and value == "inherit":
            svc.set("redirect_stderr", "true")
        elif value.startswith(("append:", "file:")):
            skip = len(value.partition(":")[0]) + 1
            svc.set(f"{stream}_logfile", option_text(segs, f"{stream}_logfile", skip))
            svc.set(f"{stream}_logfile_maxbytes", "0")  # systemd never rotates it
            if value.startswith("file:"):
                self.lose(d, "supervisor appends to log files (file: truncates at start)")
        elif value in ("journal", "journal+console", "kmsg", "kmsg+console"):
            svc.set(f"{stream}_logfile", "AUTO")
        elif value == "syslog":
            svc.set(f"{stream}_logfile", "NONE")
            svc.set(f"{stream}_syslog", "true")
        elif value == "null":
            svc.set(f"{stream}_logfile", "NONE")
        else:
            self.lose(d, f"supervisor writes {stream} to a file, AUTO or nowhere")


# (section, directive) -> how it becomes options; anything else is reported.
HANDLERS: dict[tuple[str, str], Handler] = {
    ("Service", "Type"): ServiceReader.type_,
    ("Service", "WorkingDirectory"): ServiceReader.working_directory,
    ("Service", "User"): ServiceReader.user,
    ("Service", "UMask"): ServiceReader.umask,
    ("Service", "Restart"): ServiceReader.restart,
    ("Service", "RestartSec"): ServiceReader.restart_sec,
    ("Service", "SuccessExitStatus"): ServiceReader.success_exit_status,
    ("Service", "RestartForceExitStatus"): ServiceReader.restart_force,
    ("Unit", "StartLimitBurst"): ServiceReader.start_limit_burst,
    ("Service", "StartLimitBurst"): ServiceReader.start_limit_burst,
    ("Unit", "StartLimitIntervalSec"): ServiceReader.start_limit_interval,
    ("Unit", "StartLimitInterval"): ServiceReader.start_limit_interval,
    ("Service", "StartLimitInterval"): ServiceReader.start_limit_interval,
    ("Service", "KillSignal"): ServiceReader.kill_signal,
    ("Service", "TimeoutStopSec"): ServiceReader.timeout_stop,
    ("Service", "TimeoutSec"): ServiceReader.timeout_stop,
    ("Service", "KillMode"): ServiceReader.kill_mode,
    ("Service", "StandardOutput"): ServiceReader.output,
    ("Service", "StandardError"): ServiceReader.output,
}


def _environment_refusal(text: str) -> str | None:
    """Why supervisor's environment syntax cannot hold `text`, or None."""
    try:
        environment_value(text)
    except SvtoolError as exc:
        return exc.message
    return None
