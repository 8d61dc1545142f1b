"""Readiness and liveness probes as Kubernetes probes, and dependencies as reported losses.

svtool's probe keys are Kubernetes' probe fields flattened (docs/readiness.md), so a probe
becomes `readinessProbe` or `livenessProbe` field for field. An exec probe is a shell command
(svtool runs it with /bin/sh -c; its `$` escaped as a container command's), an HTTP GET and a
TCP connection keep their port and path; a loopback host is left out, since the kubelet probes
the pod's own address from its node, where 127.0.0.1 would be the node itself. An https://
URL becomes `scheme: HTTPS`, with the same meaning (no certificate check).
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlsplit

from supervisor_tools.convert.kubernetes_fields import NoTemplate, Target, escape
from supervisor_tools.convert.kubernetes_programs import set_by_config
from supervisor_tools.model.depgraph import waits_of
from supervisor_tools.model.model import ProcessConfig
from supervisor_tools.options.readiness import (
    PROBE_TARGETS,
    PROBE_TIMING,
    probe_key,
    split_host_port,
)

# the local machine, as a destination: what svtool reaches there is the pod the process runs in
LOOPBACK = ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::")
# svtool's timing keys -> Kubernetes' probe fields
TIMING_FIELDS = {"initial_delay_seconds": "initialDelaySeconds",
                 "period_seconds": "periodSeconds", "timeout_seconds": "timeoutSeconds",
                 "success_threshold": "successThreshold",
                 "failure_threshold": "failureThreshold"}
ORDER = ("Kubernetes has no ordering between workloads: all start at once, and a program must "
         "retry what it needs itself; an init container would need a Service to wait on, "
         "which svtool does not create")


def probe_values(p: ProcessConfig, kind: str) -> tuple[Any, ...]:
    """Every key of one probe of `p`, in a fixed order (to compare processes)."""
    return tuple(getattr(p, probe_key(kind, k)) for k in (*PROBE_TARGETS,
                                                           *(t[0] for t in PROBE_TIMING)))


def probe_target(p: ProcessConfig, kind: str) -> tuple[str, str] | None:
    """(target key, value) of the probe `kind` of `p`, None when it has none."""
    for key in PROBE_TARGETS:
        value = getattr(p, probe_key(kind, key))
        if value is not None:
            return key, value
    return None


def http_get(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    tls = parts.scheme == "https"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    out: dict[str, Any] = {"path": path, "port": parts.port or (443 if tls else 80)}
    if parts.hostname not in LOOPBACK:
        out["host"] = parts.hostname
    if tls:
        # the kubelet's HTTPS probe checks no certificate either
        out["scheme"] = "HTTPS"
    return out


def tcp_socket(value: str) -> dict[str, Any]:
    host, port = split_host_port(value)
    out: dict[str, Any] = {"port": port}
    if host not in LOOPBACK:
        out["host"] = host
    return out


def probe(t: Target, kind: str) -> dict[str, Any] | None:
    p = t.first
    if any(probe_values(q, kind) != probe_values(p, kind) for q in t.procs[1:]):
        raise NoTemplate  # a probe's fields are not expanded: one workload per process
    found = probe_target(p, kind)
    if found is None:
        return None
    key, value = found
    out: dict[str, Any]
    if key == "exec":
        # the kubelet expands $(NAME) and $$ in a probe's command with the container's env
        out = {"exec": {"command": ["/bin/sh", "-c", escape(value)]}}
    elif key == "http_get":
        out = {"httpGet": http_get(value)}
    else:
        out = {"tcpSocket": tcp_socket(value)}
    for field, k8s in TIMING_FIELDS.items():
        out[k8s] = getattr(p, probe_key(kind, field))
    if kind == "liveness" and out["successThreshold"] != 1:
        t.lose(probe_key(kind, "success_threshold"), "Kubernetes requires successThreshold 1 "
                                                     "for a liveness probe; 1 is written")
        out["successThreshold"] = 1
    return out


def write_readiness(t: Target) -> None:
    """The readiness probe, twice: svtool's decides the start (a failed start is retried), as
    a startupProbe does, which also holds the livenessProbe back as RUNNING does under svtool;
    the readinessProbe then keeps the pod's Ready condition, as svtool keeps no state for."""
    found = probe(t, "readiness")
    if found is None:
        return
    t.container["readinessProbe"] = found
    # a copy: a shared dict would come out of the YAML writer as an anchor and an alias
    t.container["startupProbe"] = {**copy.deepcopy(found), "successThreshold": 1,
                                   "failureThreshold": start_failures(t.first)}


def start_failures(p: ProcessConfig) -> int:
    """How many failed readiness probes fail a start under svtool: failure_threshold in a row,
    or as many as readytimeoutsecs leaves room for (each probe fails until the first success;
    0 waits for ever)."""
    limit = p.readiness_probe_failure_threshold
    if p.readytimeoutsecs == 0:
        return limit
    after_delay = max(p.readytimeoutsecs - p.readiness_probe_initial_delay_seconds, 0)
    return max(1, min(limit, -(-after_delay // p.readiness_probe_period_seconds)))


def write_readytimeout(t: Target) -> None:
    if probe_target(t.first, "readiness") is None and set_by_config(t.first,
                                                                    "readytimeoutsecs"):
        t.lose("readytimeoutsecs", "only a readiness probe's startupProbe times a start in "
                                   "Kubernetes; sd_notify and ready_log_line are not carried")


def write_liveness(t: Target) -> None:
    found = probe(t, "liveness")
    if found is not None:
        t.container["livenessProbe"] = found


def write_dependencies(t: Target) -> None:
    """Every wait the config asks for (none when dependent_startup is off) is lost."""
    written: list[str] = []
    for w in waits_of(t.first):
        if w.option not in written:
            written.append(w.option)
    for option in written:
        t.lose(option, ORDER)


INHERIT = "dependent_startup_inherit_priority"


def write_inherit_priority(t: Target) -> None:
    """Ordering by priority among released programs: lost, but only where it would act."""
    if t.first.dependent_startup and set_by_config(t.first, INHERIT):
        t.lose(INHERIT, "Kubernetes starts workloads in no order")
