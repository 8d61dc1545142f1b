"""The resolved model to Kubernetes manifests: a workload per program.

A program that restarts becomes a Deployment (`replicas` = numprocs, 0 when autostart=false
and dependent_startup is off),
or a StatefulSet when its processes differ by %(process_num)s (the pod index label gives each
pod its number, ordinals start at numprocs_start); a run-once program (autorestart=false)
becomes a Job. What each option becomes is data in kubernetes_map.py; whatever Kubernetes
cannot express is returned as a `Lost` with the span of the value that set it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from supervisor_tools.convert import kubernetes_fields as f
from supervisor_tools.convert.kubernetes_map import GROUP_MAPPING, MAPPING, NEWEST
from supervisor_tools.convert.kubernetes_programs import (
    Program,
    Report,
    dns_label,
    lose_unwritten,
    programs,
)
from supervisor_tools.convert.source import Lost
from supervisor_tools.convert.systemd_deps import starts
from supervisor_tools.errors import ConfigErrors, SvtoolError
from supervisor_tools.model.model import Model, ProcessConfig
from supervisor_tools.options.table import options_for

NAME_LABEL = "app.kubernetes.io/name"
PART_OF_LABEL = "app.kubernetes.io/part-of"
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
# Where a workload came from: the section, and the process when it runs one process of several.
SECTION_ANNOTATION = "svtool.dev/section"
PROCESS_ANNOTATION = "svtool.dev/process"
API_VERSION = {"Deployment": "apps/v1", "StatefulSet": "apps/v1", "Job": "batch/v1"}


@dataclass(frozen=True, slots=True)
class KubeOptions:
    image: str | None = None  # for every program without its own
    images: Mapping[str, str] = field(default_factory=dict)  # program name -> image
    namespace: str | None = None
    version: f.Version = NEWEST


@dataclass(slots=True)
class KubeConversion:
    objects: list[dict[str, Any]]
    lost: list[Lost]
    notes: list[Lost]  # renamings: reported, not losses

    def files(self) -> dict[str, str]:
        """One file per object: NAME-KIND.yaml."""
        return {f"{o['metadata']['name']}-{o['kind'].lower()}.yaml": dump([o])
                for o in self.objects}

    def stream(self) -> str:
        return dump(self.objects)


def dump(objects: list[dict[str, Any]]) -> str:
    return yaml.safe_dump_all(objects, sort_keys=False, allow_unicode=True,
                              default_flow_style=False, width=100, explicit_start=True)


class _Builder:
    def __init__(self, model: Model, opts: KubeOptions) -> None:
        self.model = model
        self.opts = opts
        self.report = Report()

    def image(self, prog: Program) -> str:
        image = self.opts.images.get(prog.first.program, self.opts.image)
        if image is None:
            raise SvtoolError(f"no image for {prog.section}: give --image IMAGE, or --image "
                              f"{prog.first.program}=IMAGE", prog.first.source)
        return image

    def labels(self, prog: Program, name: str) -> dict[str, str]:
        labels = {NAME_LABEL: name}
        if prog.part_of is not None:
            labels[PART_OF_LABEL] = dns_label(prog.part_of, 63)
        labels[MANAGED_BY_LABEL] = "svtool"
        return labels

    def workloads(self, prog: Program) -> list[dict[str, Any]]:
        self.lost_options(prog)
        first = prog.first
        controller = "Job" if first.autorestart is False else "Deployment"
        if len(prog.procs) == 1 or prog.same_for_all():
            name = self.report.names.claim(first.program, first.source, prog.section[1:-1])
            return [self.workload(prog, prog.procs, controller, name)]
        if controller == "Deployment" and self.opts.version >= f.POD_INDEX and (
                first.numprocs_start == 0 or self.opts.version >= f.ORDINALS):
            name = self.report.names.claim(first.program, first.source, prog.section[1:-1])
            try:
                return [self.workload(prog, prog.procs, "StatefulSet", name)]
            except f.NoTemplate:
                self.report.names.release(name)
        # one workload per process: each its own argv, environment and directory
        out = []
        for p in prog.procs:
            name = self.report.names.claim(p.name, p.source, f"process {p.name} of "
                                                             f"{prog.section}")
            out.append(self.workload(prog, [p], controller, name))
        return out

    def lost_options(self, prog: Program) -> None:
        lose_unwritten(self.report, prog, MAPPING, GROUP_MAPPING)

    def workload(self, prog: Program, procs: list[ProcessConfig], controller: str,
                 name: str) -> dict[str, Any]:
        container: dict[str, Any] = {"name": name, "image": self.image(prog)}
        pod: dict[str, Any] = {}
        spec: dict[str, Any] = {}
        t = f.Target(controller, self.opts.version, prog, procs, spec, pod, container,
                     self.report)
        for option, decision in MAPPING.items():
            if decision.write is not None and option in options_for(prog.first.kind):
                decision.write(t)
        pod["restartPolicy"] = "Never" if controller == "Job" else "Always"
        pod["containers"] = [container]
        labels = self.labels(prog, name)
        metadata: dict[str, Any] = {"name": name}
        if self.opts.namespace is not None:
            metadata["namespace"] = self.opts.namespace
        metadata["labels"] = dict(labels)
        metadata["annotations"] = {SECTION_ANNOTATION: prog.section[1:-1]}
        if len(procs) < len(prog.procs):
            metadata["annotations"][PROCESS_ANNOTATION] = procs[0].name
        template = {"metadata": {"labels": dict(labels)}, "spec": pod}
        first = procs[0]
        count = len(procs) if starts(first) or controller == "Job" else 0
        head: dict[str, Any]
        if controller == "Job":
            head = {"parallelism": count, "completions": count}
            if not starts(first):
                head["suspend"] = True
        else:
            head = {"replicas": count, "selector": {"matchLabels": {NAME_LABEL: name}}}
        if controller == "StatefulSet":
            if self.opts.version < f.OPTIONAL_SERVICE_NAME:
                # required before: it names the headless Service for the pods' DNS names,
                # which svtool does not create (supervisor processes have none)
                head["serviceName"] = name
            head["podManagementPolicy"] = "Parallel"  # supervisord starts them together
            if first.numprocs_start:
                head["ordinals"] = {"start": first.numprocs_start}
        return {"apiVersion": API_VERSION[controller], "kind": controller,
                "metadata": metadata, "spec": {**head, **spec, "template": template}}


def to_kubernetes(model: Model, options: KubeOptions) -> KubeConversion:
    """Every workload for `model`, what could not be converted, and what was renamed.

    Raises ConfigErrors when a process cannot run at all (a command that does not split) and
    SvtoolError when a program has no image.
    """
    builder = _Builder(model, options)
    progs = programs(model)
    known = {p.first.program for p in progs}
    unknown = sorted(set(options.images) - known)
    if unknown:
        raise SvtoolError(f"--image {unknown[0]}=...: the config has no program {unknown[0]!r}")
    objects = [o for prog in progs for o in builder.workloads(prog)]
    if builder.report.errors:
        # a StatefulSet tried first meets the same errors again process by process
        raise ConfigErrors(list(dict.fromkeys(builder.report.errors)))
    return KubeConversion(objects, builder.report.sorted_lost(), builder.report.names.notes)
