"""The resolved model to a Compose file: one service per program.

A program's processes are its `deploy.replicas` when they run the same argv, environment and
directory; processes that differ (by %(process_num)s) become one service each, since Compose
gives a replica no number. What each option becomes is data in compose_map.py; whatever Compose
cannot express is returned as a `Lost` with the span of the value that set it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from supervisor_tools.convert.compose_deps import write_depends_on
from supervisor_tools.convert.compose_map import GROUP_MAPPING, MAPPING
from supervisor_tools.convert.compose_service import Service
from supervisor_tools.convert.kubernetes_programs import (
    Program,
    Report,
    argv,
    dns_label,
    lose_unwritten,
    programs,
)
from supervisor_tools.convert.source import Lost
from supervisor_tools.convert.systemd_deps import starts
from supervisor_tools.errors import ConfigErrors, SvtoolError
from supervisor_tools.model.model import Model, ProcessConfig
from supervisor_tools.options.table import options_for

PART_OF_LABEL = "app.kubernetes.io/part-of"
# Where a service came from: the section, and the process when it runs one process of several.
SECTION_LABEL = "dev.svtool.section"
PROCESS_LABEL = "dev.svtool.process"


@dataclass(slots=True)
class ComposeConversion:
    services: dict[str, dict[str, Any]]
    lost: list[Lost]
    notes: list[Lost]

    def text(self) -> str:
        return yaml.safe_dump({"services": self.services}, sort_keys=False, allow_unicode=True,
                              default_flow_style=False, width=100)


class _Builder:
    def __init__(self, image: str | None, images: Mapping[str, str]) -> None:
        self.image = image
        self.images = images
        self.report = Report()

    def services(self, prog: Program) -> dict[str, dict[str, Any]]:
        lose_unwritten(self.report, prog, MAPPING, GROUP_MAPPING)
        first = prog.first
        if len(prog.procs) == 1 or prog.same_for_all():
            name = self.report.names.claim(first.program, first.source, prog.section[1:-1])
            return {name: self.service(prog, first, len(prog.procs))}
        out = {}
        for p in prog.procs:
            name = self.report.names.claim(p.name, p.source,
                                           f"process {p.name} of {prog.section}")
            out[name] = self.service(prog, p, 1)
            out[name]["labels"][PROCESS_LABEL] = p.name
        return out

    def service(self, prog: Program, p: ProcessConfig, replicas: int) -> dict[str, Any]:
        image = self.images.get(p.program, self.image)
        if image is None:
            raise SvtoolError(f"no image for {prog.section}: give --image IMAGE, or --image "
                              f"{p.program}=IMAGE", p.source)
        keys: dict[str, Any] = {"image": image}
        if not argv(p, self.report.errors):
            return {**keys, "labels": {}}
        s = Service(prog, p, keys, self.report)
        for option, decision in MAPPING.items():
            if decision.write is not None and option in options_for(p.kind):
                decision.write(s)
        keys["deploy"] = {"replicas": replicas if starts(p) else 0}
        keys["labels"] = {SECTION_LABEL: prog.section[1:-1]}
        if prog.part_of is not None:
            keys["labels"][PART_OF_LABEL] = dns_label(prog.part_of, 63)
        return keys


def to_compose(model: Model, image: str | None,
               images: Mapping[str, str] | None = None) -> ComposeConversion:
    """Every service for `model`, what could not be converted, and what was renamed.

    Raises ConfigErrors when a process cannot run at all (a command that does not split) and
    SvtoolError when a program has no image.
    """
    images = images or {}
    builder = _Builder(image, images)
    progs = programs(model)
    unknown = sorted(set(images) - {p.first.program for p in progs})
    if unknown:
        raise SvtoolError(f"--image {unknown[0]}=...: the config has no program {unknown[0]!r}")
    services: dict[str, dict[str, Any]] = {}
    services_of: dict[str, list[str]] = {}
    for prog in progs:
        made = builder.services(prog)
        services_of.setdefault(prog.first.program, []).extend(made)
        services.update(made)
    if builder.report.errors:
        raise ConfigErrors(list(dict.fromkeys(builder.report.errors)))
    write_depends_on(model, services_of, services, builder.report)
    return ComposeConversion(services, builder.report.sorted_lost(), builder.report.names.notes)
