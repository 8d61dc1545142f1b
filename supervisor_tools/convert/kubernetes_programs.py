"""The programs of a model as containers: what the Kubernetes and Compose exports share.

A program section (inside its supervisor group) becomes one workload; its processes are its
replicas when they all run the same argv, environment and directory, and one workload each
otherwise (unless a Kubernetes StatefulSet can give each its process number). Names become
DNS-1123 labels, and each renaming is reported as a note.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from supervisor_tools.convert.source import Lost
from supervisor_tools.convert.yaml_values import native
from supervisor_tools.errors import ConfigError, Span
from supervisor_tools.model.model import GroupConfig, Model, ProcessConfig
from supervisor_tools.options.command import split_command
from supervisor_tools.options.table import READINESS_OPTIONS, options_for

# A workload name must be a DNS-1123 label; 52 leaves room for the suffixes controllers add
# (a StatefulSet's controller-revision-hash label holds the name and 11 more characters).
NAME_MAX = 52
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
LABEL_VALUE = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")


def dns_label(name: str, limit: int = NAME_MAX) -> str:
    """`name` as a DNS-1123 label: lower case, other characters as `-`, at most `limit` long."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:limit].strip("-")
    return text or "program"


@dataclass(slots=True)
class Names:
    """Unique DNS-1123 names, each renaming noted at the span of what it names."""

    renamed: dict[str, Lost] = field(default_factory=dict)  # by the name given
    taken: set[str] = field(default_factory=set)

    @property
    def notes(self) -> list[Lost]:
        return list(self.renamed.values())

    def claim(self, wanted: str, span: Span, what: str) -> str:
        base = dns_label(wanted)
        name, n = base, 2
        while name in self.taken:
            suffix = f"-{n}"
            name = base[:NAME_MAX - len(suffix)].rstrip("-") + suffix
            n += 1
        self.taken.add(name)
        if name != wanted:
            self.renamed[name] = Lost(span, f"{what} is named {name!r} (a name must be a "
                                            "DNS-1123 label: a-z, 0-9 and -)")
        return name

    def release(self, name: str) -> None:
        """Give back a name that ended up unused."""
        self.taken.discard(name)
        self.renamed.pop(name, None)


@dataclass(slots=True)
class Program:
    """The processes of one program section inside one supervisor group."""

    group: GroupConfig
    procs: list[ProcessConfig]
    # [supervisord] user, and where it is set: the user of a process that names none
    supervisor_user: tuple[str, Span] | None = None

    @property
    def first(self) -> ProcessConfig:
        return self.procs[0]

    def user(self) -> tuple[str, Span] | None:
        """The user the processes run as, and where the config says so (None: unchanged)."""
        p = self.first
        return (p.user, p.span_of("user")) if p.user is not None else self.supervisor_user

    @property
    def section(self) -> str:
        return f"[{self.first.kind}:{self.first.program}]"

    @property
    def part_of(self) -> str | None:
        """The [group:x] the program belongs to, if any."""
        return self.group.name if self.group.kind == "group" else None

    def same_for_all(self) -> bool:
        """Whether every process runs the same argv, environment, directory and probes."""
        return all(seen(p) == seen(self.first) for p in self.procs[1:])


def seen(p: ProcessConfig) -> tuple[object, ...]:
    """What a process's container sees of its config: command, environment, directory, and
    the probes (which %(process_num)s may reach too)."""
    return (p.command, tuple(sorted(p.environment.items())), p.directory,
            *(getattr(p, row.name) for row in READINESS_OPTIONS))


def programs(model: Model) -> list[Program]:
    """Every program section with processes, in supervisord's group order."""
    sd = model.supervisord
    sd_user = None if sd is None or sd.user is None else \
        (sd.user, sd.spans.get("user", sd.source))
    out: list[Program] = []
    for g in model.groups:
        by_program: dict[tuple[str, str], list[ProcessConfig]] = {}
        for p in g.processes:
            by_program.setdefault((p.kind, p.program), []).append(p)
        for procs in by_program.values():
            out.append(Program(g, sorted(procs, key=lambda q: q.process_num), sd_user))
    return out


def argv(p: ProcessConfig, errors: list[ConfigError]) -> list[str]:
    """The argv supervisord execs for `p` (the one splitter), or [] with an error recorded."""
    try:
        words = split_command(p.command)
    except ValueError as exc:
        errors.append(ConfigError(p.span_of("command"), f"[{p.kind}:{p.program}] command "
                                  f"{p.command!r} cannot be split: {exc}", "convert"))
        return []
    if not words:
        errors.append(ConfigError(p.span_of("command"), f"[{p.kind}:{p.program}] command is "
                                  "empty", "convert"))
    return words


def set_by_config(p: ProcessConfig, option: str) -> bool:
    """Whether the config gave `option` a value other than its default (defaults it did not
    write are no choice an export can lose)."""
    if option not in p.spans:
        return False
    row = options_for(p.kind).get(option)
    return row is None or getattr(p, option, None) != row.default


def template(values: list[str], nums: list[int], mark: str) -> str | None:
    """One text with `mark` where the process number goes, giving each of `values` for its
    number in `nums`; None when no such text exists (a width such as %(process_num)02d)."""
    first, needle = values[0], str(nums[0])
    starts = [i for i in range(len(first)) if first.startswith(needle, i)]
    candidates = [first.replace(needle, mark)]
    candidates += [first[:i] + mark + first[i + len(needle):] for i in starts]
    for cand in candidates:
        if all(cand.replace(mark, str(n)) == v for n, v in zip(nums, values, strict=True)):
            return cand
    return None


class Report:
    """What an export cannot carry (losses, once per place) and what it renamed (notes)."""

    def __init__(self) -> None:
        self.lost: list[Lost] = []
        self.errors: list[ConfigError] = []
        self.names = Names()
        self._seen: set[tuple[Span, str]] = set()

    def lose(self, span: Span, message: str, key: str | None = None) -> None:
        seen_key = (span, key or message)
        if seen_key not in self._seen:
            self._seen.add(seen_key)
            self.lost.append(Lost(span, message))

    def sorted_lost(self) -> list[Lost]:
        return sorted(self.lost, key=lambda x: (x.span, x.message))


def lose_if_set(report: Report, prog: Program, option: str, why: str) -> None:
    """Report `option` as lost when the config sets it to something other than its default."""
    p, g = prog.first, prog.group
    row = options_for(p.kind)[option]
    if row.level == "group":
        if g.kind != p.kind or option not in g.spans or getattr(g, option) == row.default:
            return
        span, value = g.spans[option], getattr(g, option)
    else:
        if not set_by_config(p, option):
            return
        span, value = p.span_of(option), getattr(p, option)
    report.lose(span, f"{prog.section} {option}={shown(p.kind, option, value)}: {why}",
                key=option)


def shown(kind: str, option: str, value: object) -> str:
    """A value as the config would write it: `true`, `022`, `50MB`, `0,2`."""
    value = native(options_for(kind)[option], value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        # waits are space-separated words, since a word may hold a comma (db:running,exited)
        return (" " if option == "dependent_startup_wait_for" else ",").join(map(str, value))
    return str(value)


class Row(Protocol):
    """A mapping row, as both container exports' Decision classes spell it."""

    @property
    def kind(self) -> str: ...
    @property
    def note(self) -> str: ...
    @property
    def write(self) -> object: ...


def lose_unwritten(report: Report, prog: Program, mapping: Mapping[str, Row],
                   group_mapping: Mapping[str, Row]) -> None:
    """Report every option of `prog` that the mapping says is lost (and nothing writes) and
    that the config sets, and the [group:x] options the target cannot express."""
    for option, decision in mapping.items():
        if option in options_for(prog.first.kind) and decision.write is None \
                and decision.kind == "lost":
            lose_if_set(report, prog, option, decision.note)
    lose_group_options(report, prog, {k: d.note for k, d in group_mapping.items()
                                      if d.kind == "lost"})


def lose_group_options(report: Report, prog: Program, mapping_note: dict[str, str]) -> None:
    """A [group:x] option the target cannot express (its priority), at the group's line."""
    g = prog.group
    if g.kind != "group":
        return
    row = options_for("group")["priority"]
    if "priority" in g.spans and g.priority != row.default and "priority" in mapping_note:
        report.lose(g.spans["priority"], f"[group:{g.name}] priority={g.priority}: "
                    f"{mapping_note['priority']}", key="group-priority")
