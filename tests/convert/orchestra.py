"""Helpers of the Kubernetes and Compose export tests: offline validation and svtool's checks.

`kubernetes-validate --strict` validates manifests against the published Kubernetes schemas it
ships; `check-jsonschema` validates Compose files against the Compose specification's schema
vendored in schemas/. Both run with every proxy pointed at a closed port, so a test would fail
rather than fetch anything. svtool's own checks cover what the schemas cannot.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from .helpers import REPO

COMPOSE_SCHEMA = REPO / "schemas" / "compose-spec.json"
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
RESTART_POLICIES = {"Deployment": {"Always"}, "StatefulSet": {"Always"},
                    "Job": {"Never", "OnFailure"}}
OFFLINE = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
           "NO_PROXY": "", "no_proxy": ""}


def tool(name: str) -> str:
    """A validator installed with the test extra, beside this interpreter."""
    path = Path(sys.executable).parent / name
    found = str(path) if path.exists() else shutil.which(name)
    assert found, f"{name} is required (pip install -e '.[test]')"
    return found


def run_offline(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **OFFLINE})


def kubernetes_validate(files: list[Path], version: str) -> subprocess.CompletedProcess[str]:
    return run_offline([tool("kubernetes-validate"), "--strict", "--quiet", "--no-warn",
                        "-k", version, *map(str, files)])


def check_compose(files: list[Path]) -> subprocess.CompletedProcess[str]:
    return run_offline([tool("check-jsonschema"), "--schemafile", str(COMPOSE_SCHEMA),
                        *map(str, files)])


def manifest_problems(obj: dict[str, Any]) -> list[str]:
    """What the schemas cannot see: names, labels and selectors, restart policies, signals."""
    kind, meta, spec = obj["kind"], obj["metadata"], obj["spec"]
    name = meta["name"]
    out = []
    if not (DNS_LABEL.fullmatch(name) and len(name) <= 63):
        out.append(f"{kind} {name!r}: not a DNS-1123 label")
    labels = meta.get("labels", {})
    for key, value in labels.items():
        if not (LABEL_VALUE.fullmatch(value) and len(value) <= 63):
            out.append(f"{name}: label {key}={value!r} is no valid label value")
    pod_labels = spec["template"]["metadata"]["labels"]
    if kind != "Job":
        selector = spec["selector"]["matchLabels"]
        if any(pod_labels.get(k) != v for k, v in selector.items()):
            out.append(f"{name}: selector {selector} does not select its pods {pod_labels}")
    if pod_labels != labels:
        out.append(f"{name}: the pods' labels {pod_labels} differ from the object's {labels}")
    pod = spec["template"]["spec"]
    if pod.get("restartPolicy") not in RESTART_POLICIES[kind]:
        out.append(f"{name}: restartPolicy {pod.get('restartPolicy')} is refused in a {kind}")
    for c in pod["containers"]:
        if not (DNS_LABEL.fullmatch(c["name"]) and len(c["name"]) <= 63):
            out.append(f"{name}: container name {c['name']!r} is not a DNS-1123 label")
        sig = c.get("lifecycle", {}).get("stopSignal")
        if sig is not None:
            if not sig.startswith("SIG"):
                out.append(f"{name}: stopSignal {sig} lacks SIG")
            if pod.get("os", {}).get("name") != "linux":
                out.append(f"{name}: stopSignal needs spec.os.name")
    if "podFailurePolicy" in spec and pod.get("restartPolicy") != "Never":
        out.append(f"{name}: podFailurePolicy needs restartPolicy Never")
    for c in pod["containers"]:
        out += probe_problems(name, c)
    return out


PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")


def probe_problems(name: str, container: dict[str, Any]) -> list[str]:
    """What the API server refuses in a probe and the schemas let through."""
    out = []
    for kind in ("readinessProbe", "livenessProbe", "startupProbe"):
        probe = container.get(kind)
        if probe is None:
            continue
        handlers = [h for h in PROBE_HANDLERS if h in probe]
        if len(handlers) != 1:
            out.append(f"{name}: {kind} needs exactly one handler, has {handlers}")
        if kind != "readinessProbe" and probe.get("successThreshold", 1) != 1:
            out.append(f"{name}: {kind} successThreshold must be 1")
        for field in ("periodSeconds", "timeoutSeconds", "successThreshold",
                      "failureThreshold"):
            if probe.get(field, 1) < 1:
                out.append(f"{name}: {kind} {field} must be at least 1")
        port = (probe.get("httpGet") or probe.get("tcpSocket") or {}).get("port", 1)
        if isinstance(port, int) and not 1 <= port <= 65535:
            out.append(f"{name}: {kind} port {port} out of range")
    return out


def compose_problems(doc: dict[str, Any]) -> list[str]:
    out = []
    for name, service in doc["services"].items():
        if not (DNS_LABEL.fullmatch(name) and len(name) <= 63):
            out.append(f"service {name!r}: not a DNS-1123 label")
        if not service["stop_signal"].startswith("SIG"):
            out.append(f"{name}: stop_signal {service['stop_signal']} lacks SIG")
        if service["restart"] not in ("always", "no", "on-failure"):
            out.append(f"{name}: restart {service['restart']}")
        for dep, how in service.get("depends_on", {}).items():
            if dep not in doc["services"]:
                out.append(f"{name}: depends_on {dep!r}, which is no service")
            elif how["condition"] == "service_healthy" and \
                    "healthcheck" not in doc["services"][dep]:
                out.append(f"{name}: waits for {dep} to be healthy; it has no healthcheck")
    return out + compose_cycles(doc)


def compose_cycles(doc: dict[str, Any]) -> list[str]:
    """`docker compose` refuses a cycle of depends_on."""
    deps = {n: set(s.get("depends_on", {})) for n, s in doc["services"].items()}
    state: dict[str, int] = {}  # 1 on the path, 2 done
    out: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        for d in sorted(deps.get(n, ())):
            if state.get(d) == 1:
                out.append(f"depends_on cycle through {n} and {d}")
            elif d not in state:
                visit(d)
        state[n] = 2

    for n in sorted(deps):
        if n not in state:
            visit(n)
    return out
