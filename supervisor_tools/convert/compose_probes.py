"""A readiness probe as a Compose healthcheck, the keys Compose cannot carry as losses.

Compose runs a healthcheck as a command inside the container, so an exec probe (a shell
command, as svtool runs it) becomes `test: [CMD-SHELL, ...]`. An HTTP GET or a TCP connection
would need a client (curl, wget, nc) that the image may not have: svtool does not guess one and
reports the probe as lost. Docker marks a container unhealthy but never restarts it for that, so
a liveness probe is lost too.
"""

from __future__ import annotations

from typing import Any

from supervisor_tools.convert.compose_service import Service, escape
from supervisor_tools.convert.kubernetes_programs import set_by_config
from supervisor_tools.options.readiness import PROBE_TIMING, probe_key

NEEDS_CLIENT = ("a Compose healthcheck is a command run in the container; an HTTP GET or TCP "
                "connect needs a client (curl, wget, nc) the image may not have, so none is "
                "guessed")
NO_RESTART = ("Docker marks a container unhealthy but never restarts it for that (its restart "
              "policy acts on exits only)")


def write_healthcheck(s: Service) -> None:
    p = s.p
    command = p.readiness_probe_exec
    if command is None:
        if p.readiness_probe_http_get is None and p.readiness_probe_tcp_socket is None:
            return
        for field, _default, _minimum in PROBE_TIMING:
            key = probe_key("readiness", field)
            if set_by_config(p, key):
                s.lose(key, "the probe it times is not carried")
        return
    check: dict[str, Any] = {
        "test": ["CMD-SHELL", escape(command)],
        "interval": f"{p.readiness_probe_period_seconds}s",
        "timeout": f"{p.readiness_probe_timeout_seconds}s",
        "retries": p.readiness_probe_failure_threshold,
    }
    if p.readiness_probe_initial_delay_seconds:
        check["start_period"] = f"{p.readiness_probe_initial_delay_seconds}s"
    if p.readiness_probe_success_threshold != 1:
        s.lose("readiness_probe_success_threshold", "one successful healthcheck makes a "
                                                    "container healthy")
    s.keys["healthcheck"] = check


def write_liveness(s: Service) -> None:
    p = s.p
    if all(getattr(p, probe_key("liveness", k)) is None
           for k in ("exec", "http_get", "tcp_socket")):
        return
    for field in ("exec", "http_get", "tcp_socket", *(t[0] for t in PROBE_TIMING)):
        key = probe_key("liveness", field)
        if set_by_config(p, key):
            s.lose(key, NO_RESTART)


INHERIT = "dependent_startup_inherit_priority"


def write_inherit_priority(s: Service) -> None:
    """Ordering by priority among released programs: lost, but only where it would act."""
    if s.p.dependent_startup and set_by_config(s.p, INHERIT):
        s.lose(INHERIT, "Compose starts services in no order beyond depends_on")
