"""Probes and dependencies in to-kubernetes and to-compose: what each becomes, what is
reported, and what svtool's own checks refuse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from supervisor_tools.convert.compose_out import ComposeConversion, to_compose
from supervisor_tools.convert.kubernetes_out import KubeConversion, KubeOptions, to_kubernetes
from supervisor_tools.convert.source import load_for_conversion

from .orchestra import compose_problems, manifest_problems


def load(tmp_path: Path, text: str) -> tuple[KubeConversion, ComposeConversion, str]:
    conf = tmp_path / "app.conf"
    conf.write_text("[supervisord]\n" + text, encoding="utf-8")
    model = load_for_conversion(str(conf)).model
    return to_kubernetes(model, KubeOptions(image="img")), to_compose(model, "img"), str(conf)


def container(conv: KubeConversion, name: str) -> dict[str, Any]:
    obj = next(o for o in conv.objects if o["metadata"]["name"] == name)
    found: dict[str, Any] = obj["spec"]["template"]["spec"]["containers"][0]
    return found


def lost(conv: KubeConversion | ComposeConversion) -> list[str]:
    return [f"{x.span.line}: {x.message}" for x in conv.lost]


PROBES = """[program:web]
command=/srv/web
readiness_probe_http_get=http://127.0.0.1:8080/ready?deep=1
readiness_probe_period_seconds=2
readiness_probe_success_threshold=2
liveness_probe_tcp_socket=cache.internal:6379
liveness_probe_success_threshold=2
[program:db]
command=/srv/db
readiness_probe_exec=pg_isready -p $PGPORT -d "$(cat /run/db)"
readiness_probe_initial_delay_seconds=4
liveness_probe_http_get=http://localhost/
[program:idle]
command=/srv/idle
readiness_probe_period_seconds=5
"""


def test_kubernetes_probes_field_for_field(tmp_path: Path) -> None:
    kube, _compose, _conf = load(tmp_path, PROBES)
    web = container(kube, "web")
    assert web["readinessProbe"] == {
        "httpGet": {"path": "/ready?deep=1", "port": 8080},  # loopback: the pod's own IP
        "initialDelaySeconds": 0, "periodSeconds": 2, "timeoutSeconds": 1,
        "successThreshold": 2, "failureThreshold": 3}
    # the start is decided as svtool decides it: 3 failures (readytimeoutsecs=90 has room)
    assert web["startupProbe"] == {**web["readinessProbe"], "successThreshold": 1}
    assert web["livenessProbe"]["tcpSocket"] == {"port": 6379, "host": "cache.internal"}
    assert web["livenessProbe"]["successThreshold"] == 1
    db = container(kube, "db")
    assert db["readinessProbe"]["exec"] == {"command": [
        "/bin/sh", "-c", 'pg_isready -p $PGPORT -d "$$(cat /run/db)"']}  # the kubelet's $(
    assert db["readinessProbe"]["initialDelaySeconds"] == 4
    assert db["livenessProbe"]["httpGet"] == {"path": "/", "port": 80}
    assert "readinessProbe" not in container(kube, "idle")
    # timing without a probe times nothing, in svtool run as here: nothing is lost
    assert lost(kube) == ["8: [program:web] liveness_probe_success_threshold=2: Kubernetes "
                          "requires successThreshold 1 for a liveness probe; 1 is written"]
    assert [p for o in kube.objects for p in manifest_problems(o)] == []


def test_readytimeoutsecs_bounds_the_startup_probe(tmp_path: Path) -> None:
    kube, _compose, _conf = load(tmp_path, "[program:a]\ncommand=/srv/a\n"
                                           "readiness_probe_tcp_socket=0.0.0.0:80\n"
                                           "readiness_probe_initial_delay_seconds=1\n"
                                           "readiness_probe_period_seconds=2\n"
                                           "readiness_probe_failure_threshold=10\n"
                                           "readytimeoutsecs=6\n"
                                           "[program:b]\ncommand=/srv/b\nsd_notify=true\n"
                                           "readytimeoutsecs=6\n")
    a = container(kube, "a")
    assert a["readinessProbe"]["tcpSocket"] == {"port": 80}  # the pod itself
    assert a["readinessProbe"]["failureThreshold"] == 10
    assert a["startupProbe"]["failureThreshold"] == 3  # probes at 1, 3, 5 s fit in 6 s
    assert "startupProbe" not in container(kube, "b")
    assert [m.split(": ")[1] for m in lost(kube)] == ["[program:b] sd_notify=true",
                                                      "[program:b] readytimeoutsecs=6"]


def test_compose_healthcheck_from_an_exec_readiness_probe(tmp_path: Path) -> None:
    _kube, compose, _conf = load(tmp_path, PROBES)
    assert compose.services["db"]["healthcheck"] == {
        "test": ["CMD-SHELL", 'pg_isready -p $$PGPORT -d "$$(cat /run/db)"'],
        "interval": "10s", "timeout": "1s", "retries": 3, "start_period": "4s"}
    assert "healthcheck" not in compose.services["web"]
    assert lost(compose) == [
        "4: [program:web] readiness_probe_http_get=http://127.0.0.1:8080/ready?deep=1: a "
        "Compose healthcheck is a command run in the container; an HTTP GET or TCP connect "
        "needs a client (curl, wget, nc) the image may not have, so none is guessed",
        "5: [program:web] readiness_probe_period_seconds=2: the probe it times is not carried",
        "6: [program:web] readiness_probe_success_threshold=2: the probe it times is not "
        "carried",
        *[f"{n}: [program:{prog}] {key}: Docker marks a container unhealthy but never "
          "restarts it for that (its restart policy acts on exits only)"
          for n, prog, key in [(7, "web", "liveness_probe_tcp_socket=cache.internal:6379"),
                               (8, "web", "liveness_probe_success_threshold=2"),
                               (13, "db", "liveness_probe_http_get=http://localhost/")]]]


def test_https_probes_keep_their_scheme(tmp_path: Path) -> None:
    kube, compose, _conf = load(tmp_path, "[program:api]\ncommand=/srv/api\n"
                                          "readiness_probe_http_get=https://127.0.0.1/ready\n"
                                          "liveness_probe_http_get=https://api.internal:8443/l\n")
    api = container(kube, "api")
    # the kubelet's HTTPS probe checks no certificate, as svtool's
    assert api["readinessProbe"]["httpGet"] == {"path": "/ready", "port": 443,
                                                "scheme": "HTTPS"}
    assert api["startupProbe"]["httpGet"] == api["readinessProbe"]["httpGet"]
    assert api["livenessProbe"]["httpGet"] == {"path": "/l", "port": 8443,
                                               "host": "api.internal", "scheme": "HTTPS"}
    assert [p for o in kube.objects for p in manifest_problems(o)] == []
    # Compose would need a client in the image, for HTTPS as for HTTP
    assert "healthcheck" not in compose.services["api"]
    assert [m.split(": ")[1] for m in lost(compose)] == [
        "[program:api] readiness_probe_http_get=https://127.0.0.1/ready",
        "[program:api] liveness_probe_http_get=https://api.internal:8443/l"]


def test_processes_with_different_probes_run_apart(tmp_path: Path) -> None:
    kube, compose, _conf = load(tmp_path, "[program:s]\ncommand=/srv/s 80\nnumprocs=2\n"
                                          "process_name=%(program_name)s_%(process_num)s\n"
                                          "readiness_probe_tcp_socket=80%(process_num)s\n")
    ports = [c["containers"][0]["readinessProbe"]["tcpSocket"]["port"]
             for c in (o["spec"]["template"]["spec"] for o in kube.objects)]
    assert ports == [800, 801]
    assert sorted(compose.services) == ["s-0", "s-1"]


DEPS = """[group:backend]
programs=db,cache
[program:db]
command=/srv/db
readiness_probe_exec=pg_isready
[program:cache]
command=/srv/cache
readiness_probe_exec=redis-cli ping
[program:migrate]
command=/srv/migrate
autorestart=false
startsecs=0
[program:web]
command=/srv/web
autostart=false
dependent_startup=true
dependent_startup_wait_for=backend:running migrate:exited db:fatal
[program:cron]
command=/srv/cron
depends_on=web
[program:plain]
command=/srv/plain
dependent_startup_wait_for=web
dependent_startup_inherit_priority=true
"""


def test_compose_depends_on_conditions(tmp_path: Path) -> None:
    _kube, compose, _conf = load(tmp_path, DEPS)
    s = compose.services
    assert s["web"]["depends_on"] == {
        "db": {"condition": "service_healthy"}, "cache": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"}}
    assert s["web"]["deploy"] == {"replicas": 1}  # dependent_startup starts it
    assert s["cron"]["depends_on"] == {"web": {"condition": "service_started",
                                               "required": False}}
    assert "depends_on" not in s["plain"]  # without dependent_startup the waits are ignored
    assert not [m for m in lost(compose) if "plain" in m]  # and so is inherit_priority
    assert [m for m in lost(compose) if "depends" in m or "wait" in m] == [
        "18: [program:web] dependent_startup_wait_for: db:fatal: Compose cannot start a "
        "service when another has failed for good"]
    assert compose_problems({"services": s}) == []


def test_compose_running_without_a_healthcheck_waits_for_the_start(tmp_path: Path) -> None:
    _kube, compose, _conf = load(tmp_path, "[program:a]\ncommand=/srv/a\n[program:b]\n"
                                           "command=/srv/b\ndependent_startup=true\n"
                                           "dependent_startup_wait_for=a\n")
    assert compose.services["b"]["depends_on"] == {"a": {"condition": "service_started"}}
    assert lost(compose) == [
        "7: [program:b] dependent_startup_wait_for: a:running: the target has no healthcheck "
        "(no exec readiness probe): Compose waits for its start (service_started), not for "
        "RUNNING"]


def test_compose_reports_a_cycle_and_writes_none_of_it(tmp_path: Path) -> None:
    _kube, compose, _conf = load(tmp_path, "[program:ping]\ncommand=/srv/ping\n"
                                           "depends_on=pong\n[program:pong]\n"
                                           "command=/srv/pong\ndepends_on=ping\n")
    assert not any("depends_on" in s for s in compose.services.values())
    assert lost(compose) == [
        f"{n}: [program:{a}] depends_on: {b}:after: dependency cycle ping -> pong -> ping: "
        "Compose refuses a cycle of depends_on" for n, a, b in [(4, "ping", "pong"),
                                                                (7, "pong", "ping")]]


def test_kubernetes_reports_each_written_wait_and_starts_dependent_programs(
        tmp_path: Path) -> None:
    kube, _compose, _conf = load(tmp_path, DEPS)
    web = next(o for o in kube.objects if o["metadata"]["name"] == "web")
    assert web["spec"]["replicas"] == 1
    assert [m.split(": Kubernetes")[0] for m in lost(kube) if "startsecs" not in m] == [
        "18: [program:web] dependent_startup_wait_for=backend:running migrate:exited db:fatal",
        "21: [program:cron] depends_on=web"]  # nothing of [program:plain]


def test_the_checks_refuse_what_a_cluster_or_compose_would(tmp_path: Path) -> None:
    kube, compose, _conf = load(tmp_path, PROBES + DEPS.replace("[program:db]", "[program:d2]")
                                .replace("programs=db,", "programs=d2,"))
    obj = next(o for o in kube.objects if o["metadata"]["name"] == "web")
    c = obj["spec"]["template"]["spec"]["containers"][0]
    c["livenessProbe"]["successThreshold"] = 2
    c["readinessProbe"]["exec"] = {"command": ["true"]}
    assert len(manifest_problems(obj)) == 2
    doc: dict[str, Any] = {"services": compose.services}
    doc["services"]["migrate"]["depends_on"] = {"web": {"condition": "service_healthy"}}
    assert len(compose_problems(doc)) == 2  # a cycle, and web has no healthcheck


def test_compose_reports_a_wait_for_a_service_scaled_to_zero(tmp_path: Path) -> None:
    _kube, compose, _conf = load(tmp_path, "[program:a]\ncommand=/srv/a\nautostart=false\n"
                                           "[program:b]\ncommand=/srv/b\ndependent_startup=true\n"
                                           "dependent_startup_wait_for=a:started\n"
                                           "[program:c]\ncommand=/srv/c\ndepends_on=a\n")
    assert compose.services["a"]["deploy"] == {"replicas": 0}
    assert compose.services["b"]["depends_on"] == {"a": {"condition": "service_started"}}
    # depends_on orders only (required: false): nothing is lost there
    assert lost(compose) == [
        "8: [program:b] dependent_startup_wait_for: a:started: the target does not start with "
        "the supervisor (autostart=false: replicas 0); svtool waits until it is started by "
        "hand, Compose cannot wait for a service scaled to 0"]
