"""The resolved model to systemd units: one service per program, targets for groups.

The mapping of each option is data in systemd_map.py; the directives of one process come from
systemd_service.py; this module groups them into units, sockets and targets. Whatever systemd
cannot express is returned as a `Lost` with the span of the value that set it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from supervisor_tools.convert.logrotate import logrotate_config
from supervisor_tools.convert.source import Lost
from supervisor_tools.convert.systemd_deps import dependency_lines, starts
from supervisor_tools.convert.systemd_quote import noncharacter, path_value, specifiers
from supervisor_tools.convert.systemd_service import ServiceWriter, SystemdOptions
from supervisor_tools.convert.systemd_units import Unit, escape_name
from supervisor_tools.errors import ConfigErrors, SvtoolError
from supervisor_tools.model.model import GroupConfig, Model, ProcessConfig

__all__ = ["Conversion", "SystemdOptions", "to_systemd"]

_SPECIFIER = re.compile(r"%.")


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


class _Converter(ServiceWriter):
    """The services of every process, grouped into units, sockets and targets."""

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
        if starts(prog.first):
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
        self.dependencies(progs)
        units: dict[str, Unit] = {}
        for prog in progs:
            owner = in_target.get(id(prog))
            group_autostarts = owner is not None and all(
                starts(p.first) for p in targets[owner][1])
            for unit in prog.units:
                if owner is not None:
                    unit.add("Unit", "PartOf", owner)
                if starts(prog.first) and not group_autostarts:
                    unit.add("Install", "WantedBy", self.wanted_by())
                units[unit.name] = unit
            units.update((u.name, u) for u in prog.sockets)
        for tname, (g, members) in targets.items():
            target = Unit(tname)
            what = "group" if g.kind == "group" else "program"
            target.add("Unit", "Description", f"supervisor {what} {_describe(g.name)}")
            target.add("Unit", "Wants", " ".join(n for m in members for n in m.unit_names))
            if all(starts(m.first) for m in members):
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

    def dependencies(self, progs: Sequence[_Program]) -> None:
        """After= and Requires= for dependencies (convert/systemd_deps.py)."""
        names: dict[str, list[str]] = {}
        for prog in progs:
            names.setdefault(prog.first.program, []).extend(prog.unit_names)
        lines = dependency_lines(self.model, names, self.lose)
        for prog in progs:
            for key, value in lines.get(prog.first.program, []):
                for unit in prog.units:
                    unit.add("Unit", key, value)


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
