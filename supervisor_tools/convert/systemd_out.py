"""The resolved model to systemd units: one service per program, targets for groups.

The mapping of each option is data in systemd_map.py; this module applies it. Whatever systemd
cannot express is returned as a `Lost` with the span of the value that set it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from supervisor_tools.convert.logrotate import logrotate_config
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
from supervisor_tools.convert.systemd_units import Unit, escape_name
from supervisor_tools.errors import ConfigError, ConfigErrors, Span, SvtoolError
from supervisor_tools.model.model import GroupConfig, Model, ProcessConfig, SupervisordConfig
from supervisor_tools.options.command import split_command
from supervisor_tools.options.table import options_for
from supervisor_tools.options.types import BYTES, SIGNAL_NUMBERS

ENV = "/usr/bin/env"
# supervisord waits 1 s before the first retry; systemd waits RestartSec= every time.
RESTART_SEC = 1
_SPECIFIER = re.compile(r"%.")
_STRICT_USER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,30}")
Put = Callable[[str, str, str], None]  # (section, key, value) of one directive


@dataclass(frozen=True, slots=True)
class SystemdOptions:
    prefix: str = ""
    user_mode: bool = False
    which: Which = is_executable
    logrotate: bool = False  # rotate log files with a logrotate snippet instead of reporting


@dataclass(slots=True)
class Conversion:
    units: dict[str, str]
    lost: list[Lost] = field(default_factory=list)
    logrotate: str = ""  # with SystemdOptions.logrotate: the logrotate configuration


@dataclass(slots=True)
class _Program:
    """The processes of one program section inside one supervisor group."""

    group: GroupConfig
    procs: list[ProcessConfig]
    base: str  # unit name without suffix
    template: bool
    unit_names: list[str] = field(default_factory=list)  # what others Want= / After=
    units: list[Unit] = field(default_factory=list)
    sockets: list[Unit] = field(default_factory=list)

    @property
    def first(self) -> ProcessConfig:
        return self.procs[0]

    @property
    def order(self) -> tuple[int, int]:
        return (self.group.priority, self.first.priority)


class _Converter:
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
        if p.autorestart is not False:
            put("Service", "RestartSec", str(RESTART_SEC))
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
        if p.startretries > 1:
            self.lose(p.span_of("startretries"), f"[{p.kind}:{p.program}] startretries="
                      f"{p.startretries}: supervisord waits longer before each retry (1 s, 2 s, "
                      f"…, {p.startretries} s); systemd waits RestartSec={RESTART_SEC} each time",
                      key="startretries")
        put("Unit", "StartLimitBurst", str(p.startretries + 1))
        put("Unit", "StartLimitIntervalSec",
            str((p.startretries + 1) * (p.startsecs + RESTART_SEC)))

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

    # -- programs, groups, targets -------------------------------------------------------------

    def programs(self) -> list[_Program]:
        out: list[_Program] = []
        for g in self.model.groups:
            by_program: dict[str, list[ProcessConfig]] = {}
            for p in g.processes:
                by_program.setdefault(p.program, []).append(p)
            for name, procs in by_program.items():
                base = self.opts.prefix + escape_name(name)
                out.append(_Program(g, sorted(procs, key=lambda q: q.process_num), base,
                                    template=len(procs) > 1))
        return out

    def build(self, prog: _Program) -> None:
        for p in prog.procs:
            self.lost_options(prog.group, p)
        lines = [self.service(p) for p in prog.procs]
        nums = [p.process_num for p in prog.procs]
        socket = self.socket_unit(prog, nums)
        if socket is not None:
            prog.sockets.append(socket)
            for own in lines:
                own += [("Service", "Sockets", socket.name),
                        ("Service", "StandardInput", "socket")]
        first = prog.first
        desc = _describe(first.program if first.group == first.program
                         else f"{first.group}:{first.program}")
        if not prog.template:
            unit = Unit(f"{prog.base}.service")
            unit.add("Unit", "Description", f"supervisor {prog.first.kind} {desc}")
            for section, key, value in lines[0]:
                unit.add(section, key, value)
            prog.units.append(unit)
            prog.unit_names.append(unit.name)
            return
        prog.unit_names.extend(f"{prog.base}@{n}.service" for n in nums)
        merged = _template_lines(lines, nums)
        if merged is not None:
            unit = Unit(f"{prog.base}@.service")
            unit.add("Unit", "Description", f"supervisor {prog.first.kind} {desc}, process %i")
            for section, key, value in merged:
                unit.add(section, key, value)
            prog.units.append(unit)
            return
        # Values differ between processes in a way %i cannot express: one file per instance.
        for n, own in zip(nums, lines, strict=True):
            unit = Unit(f"{prog.base}@{n}.service")
            unit.add("Unit", "Description", f"supervisor {prog.first.kind} {desc}, process {n}")
            for section, key, value in own:
                unit.add(section, key, value)
            prog.units.append(unit)

    def socket_unit(self, prog: _Program, nums: list[int]) -> Unit | None:
        """The socket an fcgi-program's processes share, passed as stdin like supervisord."""
        g = prog.group
        if prog.first.kind != "fcgi-program" or g.kind != "fcgi-program" or not g.socket:
            return None
        listen = self.listen_address(g)
        if listen is None:
            return None
        unit = Unit(f"{prog.base}.socket")
        unit.add("Unit", "Description", f"supervisor fcgi-program {_describe(g.name)} socket")
        unit.add("Socket", "ListenStream", listen)
        if g.socket.startswith("unix://"):
            mode = 0o700 if g.socket_mode is None else g.socket_mode  # supervisord's default
            unit.add("Socket", "SocketMode", f"{mode:04o}")
            if g.socket_owner:
                user, _, group = g.socket_owner.partition(":")
                where = g.spans.get("socket_owner", g.source)
                section = f"[fcgi-program:{g.name}]"
                self.check_user(where, section, "socket_owner", user)
                unit.add("Socket", "SocketUser", specifiers(user))
                if group:
                    self.check_user(where, section, "socket_owner", group)
                    unit.add("Socket", "SocketGroup", specifiers(group))
        if g.socket_backlog is not None:
            unit.add("Socket", "Backlog", str(g.socket_backlog))
        if prog.template:
            unit.add("Socket", "Service", f"{prog.base}@{nums[0]}.service")
        if prog.first.autostart:
            unit.add("Install", "WantedBy", "sockets.target")
        return unit

    def listen_address(self, g: GroupConfig) -> str | None:
        assert g.socket is not None
        span = g.spans.get("socket", g.source)
        if g.socket.startswith("unix://"):
            return path_value(g.socket[len("unix://"):])
        host, _, port = g.socket[len("tcp://"):].rpartition(":")
        if host in ("", "*", "0.0.0.0"):
            return port
        if host == "localhost":
            return f"127.0.0.1:{port}"
        try:
            addr = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            self.lose(span, f"[fcgi-program:{g.name}] socket {g.socket}: systemd listens on "
                            "addresses, not host names; no .socket unit is generated")
            return None
        return f"[{addr}]:{port}" if addr.version == 6 else f"{addr}:{port}"

    def convert(self) -> dict[str, Unit]:
        progs = self.programs()
        for prog in progs:
            self.build(prog)
        targets: dict[str, tuple[GroupConfig, list[_Program]]] = {}
        for prog in progs:
            g = prog.group
            if g.kind == "group" or prog.template:
                tname = self.opts.prefix + escape_name(g.name) + ".target"
                targets.setdefault(tname, (g, []))[1].append(prog)
        in_target = {id(p): t for t, (_, ps) in targets.items() for p in ps}
        self.order(progs)
        units: dict[str, Unit] = {}
        for prog in progs:
            owner = in_target.get(id(prog))
            group_autostarts = owner is not None and all(
                p.first.autostart for p in targets[owner][1])
            for unit in prog.units:
                if owner is not None:
                    unit.add("Unit", "PartOf", owner)
                if prog.first.autostart and not group_autostarts:
                    unit.add("Install", "WantedBy", self.wanted_by())
                units[unit.name] = unit
            units.update((u.name, u) for u in prog.sockets)
        for tname, (g, members) in targets.items():
            target = Unit(tname)
            what = "group" if g.kind == "group" else "program"
            target.add("Unit", "Description", f"supervisor {what} {_describe(g.name)}")
            target.add("Unit", "Wants", " ".join(n for m in members for n in m.unit_names))
            if all(m.first.autostart for m in members):
                target.add("Install", "WantedBy", self.wanted_by())
            units[tname] = target
        return units

    def order(self, progs: Sequence[_Program]) -> None:
        """After= the units of the next lower (group priority, priority) level."""
        levels = sorted({p.order for p in progs})
        for prog in progs:
            i = levels.index(prog.order)
            if i == 0:
                continue
            before = [n for q in progs if q.order == levels[i - 1] for n in q.unit_names]
            for unit in prog.units:
                # Start limits belong to [Unit]; After= goes before them for readability.
                unit.sections.setdefault("Unit", []).insert(1, ("After", " ".join(before)))


def _describe(name: str) -> str:
    """A name for Description=: specifiers escaped, characters systemd refuses replaced."""
    return "".join("?" if noncharacter(ch) or ord(ch) < 0x20 else ch
                   for ch in specifiers(name))


def _template_lines(per_proc: list[list[tuple[str, str, str]]],
                    nums: list[int]) -> list[tuple[str, str, str]] | None:
    """One set of lines with %i for the process number, or None if that cannot be done."""
    if len({len(lines) for lines in per_proc}) != 1:
        return None
    out = []
    for column in zip(*per_proc, strict=True):
        first = column[0]
        if all(c == first for c in column):
            out.append(first)
            continue
        if any(c[:2] != first[:2] for c in column):
            return None
        value = _template_value([c[2] for c in column], nums)
        if value is None:
            return None
        out.append((first[0], first[1], value))
    return out


def _template_value(values: list[str], nums: list[int]) -> str | None:
    needle = str(nums[0])
    starts = [i for i in range(len(values[0])) if values[0].startswith(needle, i)]
    candidates = [values[0].replace(needle, "%i")]
    candidates += [values[0][:i] + "%i" + values[0][i + len(needle):] for i in starts]
    for cand in candidates:
        if all(_instance(cand, n) == v for n, v in zip(nums, values, strict=True)):
            return cand
    return None


def _instance(text: str, num: int) -> str:
    """`text` with %i replaced as systemd would for instance `num` (other % left escaped)."""
    return _SPECIFIER.sub(lambda m: str(num) if m.group(0) == "%i" else m.group(0), text)


def to_systemd(model: Model, options: SystemdOptions) -> Conversion:
    """Every unit (name -> text) for `model`, and what could not be converted.

    Raises ConfigErrors when a process cannot be run by systemd at all (a command that does not
    split, or a relative program path with no absolute directory).
    """
    if not re.fullmatch(r"[A-Za-z0-9:_.\-]*", options.prefix) or options.prefix[:1] == ".":
        raise SvtoolError(f"--prefix {options.prefix!r}: a unit name prefix may hold only "
                          "letters, digits and : _ . - (not starting with .)")
    conv = _Converter(model, options)
    units = conv.convert()
    if conv.errors:
        raise ConfigErrors(conv.errors)
    texts = {name: units[name].text() for name in sorted(units)}
    rotate = logrotate_config(conv.rotations) if options.logrotate else ""
    return Conversion(texts, sorted(conv.lost, key=lambda x: (x.span, x.message)), rotate)
