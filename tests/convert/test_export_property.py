"""Property: for generated configs, the Kubernetes and Compose exports validate against the
published schemas, and every process's argv, environment and working directory, read back as
Kubernetes and Compose would (their own `$` expansion), are what `svtool show --json` says; so
are its probes, and a wait on another program is a Compose depends_on on its services."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import kubernetes_validate  # type: ignore[import-untyped]
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervisor_tools.convert.compose_out import PROCESS_LABEL, SECTION_LABEL, to_compose
from supervisor_tools.convert.kubernetes_fields import PROCESS_NUM_ENV
from supervisor_tools.convert.kubernetes_map import NEWEST, OLDEST, version_text
from supervisor_tools.convert.kubernetes_out import (
    PROCESS_ANNOTATION,
    SECTION_ANNOTATION,
    KubeOptions,
    to_kubernetes,
)
from supervisor_tools.ini import quote_words
from supervisor_tools.model.show import model_json
from supervisor_tools.options.command import split_command

from .orchestra import COMPOSE_SCHEMA, compose_problems, manifest_problems
from .test_roundtrip import Config, configs, load_generated

VERSIONS = [OLDEST, (1, 27), (1, 28), (1, 33), NEWEST]
# Words with what Kubernetes and Compose expand ($(NAME), $$), and a name to rename.
kube_arg = st.text(st.sampled_from(list("ab$()_ 0")), max_size=6)


@st.composite
def export_configs(draw: st.DrawFn) -> Config:
    """The round-trip configs, and maybe a program whose processes differ by process_num in
    their argv, environment or directory (with and without a width)."""
    cfg = draw(configs(extras=True))
    if draw(st.booleans()):
        words = ["/usr/bin/Job_X", *draw(st.lists(kube_arg, max_size=3))]
        opts = {"command": quote_words(words).replace("%", "%%")}
        numprocs = draw(st.integers(1, 3))
        if numprocs > 1:
            num = draw(st.sampled_from(["%(process_num)s", "%(process_num)02d"]))
            opts["command"] += " --n " + num
            opts["numprocs"] = str(numprocs)
            opts["process_name"] = "%(program_name)s_" + num
            opts["numprocs_start"] = str(draw(st.integers(0, 2)))
            if draw(st.booleans()):
                opts["environment"] = f'SLOT="{num}",CASH="$$("'.replace("$$", "$")
            if draw(st.booleans()):
                opts["directory"] = "/srv/" + num
        opts["autorestart"] = draw(st.sampled_from(["true", "false", "unexpected"]))
        opts.update(draw(probe_options(num if numprocs > 1 else "1")))
        cfg.sections.append(("program:Job_X", opts))
        if draw(st.booleans()):
            cond = draw(st.sampled_from(["started", "running", "exited", "backoff", "after"]))
            dep = {"command": "/usr/bin/dep"}
            if cond == "after":
                dep["depends_on"] = "Job_X"
            else:
                dep.update(dependent_startup="true", dependent_startup_wait_for=f"Job_X:{cond}")
            cfg.sections.append(("program:Dep_Y", dep))
            if draw(st.booleans()):
                opts["depends_on"] = "Dep_Y"  # a cycle
    return cfg


@st.composite
def probe_options(draw: st.DrawFn, num: str) -> dict[str, str]:
    """Maybe a readiness and a liveness probe, reaching the process number through `num`."""
    opts = {}
    for kind in ("readiness", "liveness"):
        host = draw(st.sampled_from(["127.0.0.1", "localhost", "db.example"]))
        target = draw(st.sampled_from([
            None, ("exec", "true"), ("exec", 'test -n "$HOME$(echo $$)"'),
            ("exec", f"test -e /run/{num}"),
            ("http_get", f"http://{host}:80{num}/p?q=1"), ("http_get", f"https://{host}/"),
            ("tcp_socket", f"{host}:90{num}"),
            ("tcp_socket", f"90{num}")]))
        if target is not None:
            opts[f"{kind}_probe_{target[0]}"] = target[1]
            opts[f"{kind}_probe_period_seconds"] = str(draw(st.integers(1, 5)))
    return opts


@cache
def compose_validator() -> Any:
    return jsonschema.Draft202012Validator(json.loads(COMPOSE_SCHEMA.read_text("utf-8")))


def kube_expand(text: str, env: dict[str, str]) -> str:
    """Kubernetes' expansion of commands, args and env values: $(NAME) if defined, $$ is $."""
    out, i = [], 0
    while i < len(text):
        if text.startswith("$$", i):
            out.append("$")
            i += 2
            continue
        if text.startswith("$(", i):
            end = text.find(")", i + 2)
            if end >= 0:
                name = text[i + 2:end]
                out.append(env.get(name, text[i:end + 1]))
                i = end + 1
                continue
        out.append(text[i])
        i += 1
    return "".join(out)


def compose_unescape(text: str) -> str:
    """Compose interpolation of a value with no variables: `$$` is `$`; a lone `$` would be a
    variable, which the export never writes."""
    assert "$" not in text.replace("$$", ""), text
    return text.replace("$$", "$")


def seen(proc: dict[str, Any]) -> tuple[list[str], dict[str, str], str | None]:
    return split_command(proc["command"]), proc["environment"], proc["directory"]


def pod_view(obj: dict[str, Any], process_num: int | None) -> tuple[list[str], dict[str, str],
                                                                     str | None]:
    c = obj["spec"]["template"]["spec"]["containers"][0]
    env: dict[str, str] = {}
    for item in c.get("env", []):
        if item["name"] == PROCESS_NUM_ENV:
            assert process_num is not None
            env[item["name"]] = str(process_num)
        else:
            env[item["name"]] = kube_expand(item["value"], env)
    argv = [kube_expand(w, env) for w in c["command"] + c.get("args", [])]
    env.pop(PROCESS_NUM_ENV, None)
    return argv, env, c.get("workingDir")


def check_kubernetes(model: dict[str, Any], objects: list[dict[str, Any]],
                     version: tuple[int, int]) -> None:
    by_section: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        kubernetes_validate.validate(obj, f"{version_text(version)}.0", strict=True)
        assert manifest_problems(obj) == []
        by_section.setdefault(obj["metadata"]["annotations"][SECTION_ANNOTATION], []).append(obj)
    for group in model["groups"]:
        for proc in group["processes"]:
            section = f"{proc['source_kind']}:{proc['program']}"
            objs = by_section[section]
            own = [o for o in objs
                   if o["metadata"]["annotations"].get(PROCESS_ANNOTATION, proc["name"])
                   == proc["name"]]
            assert len(own) == 1, (section, proc["name"])
            obj = own[0]
            num = proc["process_num"] if obj["kind"] == "StatefulSet" else None
            assert pod_view(obj, num) == seen(proc), (section, proc["name"])
            c = obj["spec"]["template"]["spec"]["containers"][0]
            if "readinessProbe" in c:  # the start is decided by the same check
                assert {k: v for k, v in c["startupProbe"].items() if "Threshold" not in k} \
                    == {k: v for k, v in c["readinessProbe"].items() if "Threshold" not in k}
            for kind in ("readiness", "liveness"):
                assert kube_probe(c, kind) == loopback(model_probe(proc, kind)), (section, kind)


LOOPBACK = ("127.0.0.1", "localhost")


def model_probe(proc: dict[str, Any], kind: str) -> tuple[Any, ...] | None:
    """What the process's probe checks, and how often, as svtool runs it."""
    for key in ("exec", "http_get", "tcp_socket"):
        value = proc[f"{kind}_probe_{key}"]
        if value is None:
            continue
        where: Any
        if key == "exec":
            where = value
        elif key == "http_get":
            u = urlsplit(value)
            where = (u.hostname, u.port or {"http": 80, "https": 443}[u.scheme],
                     f"{u.path or '/'}?{u.query}".rstrip("?"), u.scheme)
        else:
            host, _, port = value.rpartition(":")
            where = (host, int(port))
        return key, where, proc[f"{kind}_probe_period_seconds"]
    return None


def kube_probe(c: dict[str, Any], kind: str) -> tuple[Any, ...] | None:
    """What a container's probe checks (an omitted host is the pod, where the process runs)."""
    p = c.get(f"{kind}Probe")
    if p is None:
        return None
    where: Any
    if "exec" in p:
        assert p["exec"]["command"][:2] == ["/bin/sh", "-c"]
        key, where = "exec", kube_expand(p["exec"]["command"][2], {})
    elif "httpGet" in p:
        h = p["httpGet"]
        assert h.get("host") not in LOOPBACK
        key, where = "http_get", (h.get("host", "127.0.0.1"), h["port"], h["path"],
                                  h.get("scheme", "HTTP").lower())
    else:
        t = p["tcpSocket"]
        key, where = "tcp_socket", (t.get("host", "127.0.0.1"), t["port"])
    return key, where, p["periodSeconds"]


def loopback(probe: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
    """`probe` with localhost spelt 127.0.0.1 (both are the pod's own address)."""
    if probe is None or probe[0] == "exec" or probe[1][0] != "localhost":
        return probe
    return (probe[0], ("127.0.0.1", *probe[1][1:]), *probe[2:])


def check_compose(model: dict[str, Any], doc: dict[str, Any]) -> None:
    errors = sorted(compose_validator().iter_errors(doc), key=str)
    assert not errors, errors[0].message
    assert compose_problems(doc) == []
    services = doc["services"].values()
    for group in model["groups"]:
        for proc in group["processes"]:
            section = f"{proc['source_kind']}:{proc['program']}"
            mine = [s for s in services if s["labels"][SECTION_LABEL] == section
                    and s["labels"].get(PROCESS_LABEL, proc["name"]) == proc["name"]]
            assert len(mine) == 1, (section, proc["name"])
            s = mine[0]
            argv = [compose_unescape(w) for w in s["entrypoint"] + s.get("command", [])]
            env = {k: compose_unescape(v) for k, v in s.get("environment", {}).items()}
            assert (argv, env, s.get("working_dir")) == seen(proc)
            check = s.get("healthcheck")
            if proc["readiness_probe_exec"] is None:
                assert check is None
            else:
                assert check["test"][0] == "CMD-SHELL"
                assert compose_unescape(check["test"][1]) == proc["readiness_probe_exec"]
                assert check["interval"] == f"{proc['readiness_probe_period_seconds']}s"
    check_waits(model, doc)


def check_waits(model: dict[str, Any], doc: dict[str, Any]) -> None:
    """A wait of Dep_Y on Job_X (not in a cycle, on a state Compose has) is a depends_on on
    every service of Job_X."""
    procs = {p["program"]: p for g in model["groups"] for p in g["processes"]}
    dep, job = procs.get("Dep_Y"), procs.get("Job_X")
    if dep is None or job is None or "Dep_Y" in job["depends_on"] or not (
            dep["dependent_startup"] or dep["depends_on"]):
        return
    words = [*dep["dependent_startup_wait_for"], *(f"{t}:after" for t in dep["depends_on"])]
    if any(w.endswith(":backoff") for w in words):
        return
    (dep_service,) = [s for s in doc["services"].values()
                      if s["labels"][SECTION_LABEL] == "program:Dep_Y"]
    jobs = {n for n, s in doc["services"].items() if s["labels"][SECTION_LABEL] == "program:Job_X"}
    assert set(dep_service.get("depends_on", {})) == jobs


def with_kinds(result: Any) -> dict[str, Any]:
    """show --json, each process with the kind of the section it came from and its number."""
    data = model_json(result.model)
    procs = {(p.program, p.name): p for p in result.model.processes()}
    for group in data["groups"]:
        for proc in group["processes"]:
            p = procs[(proc["program"], proc["name"])]
            proc["source_kind"], proc["process_num"] = p.kind, p.process_num
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cfg=export_configs(), version=st.sampled_from(VERSIONS))
def test_exports_validate_and_run_what_show_says(cfg: Config, version: tuple[int, int],
                                                 tmp_path_factory: Any) -> None:
    path = Path(tmp_path_factory.mktemp("export")) / "supervisord.conf"
    path.write_text(cfg.text(), encoding="utf-8")
    result = load_generated(str(path))
    model = with_kinds(result)
    kube = to_kubernetes(result.model, KubeOptions(image="registry.example/app:1",
                                                   version=version))
    check_kubernetes(model, kube.objects, version)
    compose = to_compose(result.model, "registry.example/app:1")
    check_compose(model, yaml.safe_load(compose.text()))
