"""How each process option becomes Kubernetes fields: the mapping, as data.

Every option of [program:x], [eventlistener:x] and [fcgi-program:x] has one row (a test checks
it); docs/kubernetes.md shows these rows. A row names the writer that fills its fields (or
reports it lost), and the Kubernetes version its field needs. A `lost` row without a writer is
reported, with its source position, whenever the config sets the option to something other
than its default. A new option is one more row here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from supervisor_tools.convert import kubernetes_fields as f
from supervisor_tools.convert import kubernetes_probes as probes
from supervisor_tools.convert.container_rows import output_rows
from supervisor_tools.options.readiness import PROBE_KINDS, PROBE_TARGETS, probe_key

Kind = Literal["mapped", "approximate", "structural", "lost"]

# The Kubernetes versions whose schemas the tests validate against; the newest is the default.
OLDEST: f.Version = (1, 25)
NEWEST: f.Version = (1, 37)


@dataclass(frozen=True, slots=True)
class Decision:
    kind: Kind
    field: str  # the fields it becomes ("" when lost)
    note: str  # how, or why it is lost
    write: f.Writer | None = None
    since: f.Version | None = None  # the Kubernetes version the field needs


def _lost(note: str) -> Decision:
    return Decision("lost", "", note)


_LOGS = "a container's output goes to its container log (kubectl logs); no file is written"
_ROTATION = "the container runtime rotates container logs (kubelet containerLogMaxSize)"
_EVENTS = "Kubernetes has no supervisor event protocol"

# the kubelet's crash back-off (10 s doubling to 5 min) is the node's, not a pod field
_BACKOFF = "the kubelet's restart back-off is set per node, not per workload"


def _probe_rows() -> dict[str, Decision]:
    """The rows of both probes: the target row writes the whole probe, timing rows follow."""
    rows: dict[str, Decision] = {}
    for kind in PROBE_KINDS:
        field = f"containers[].{kind}Probe"
        if kind == "readiness":
            kind_of: Kind = "approximate"
            field = "containers[].{readiness,startup}Probe"
            how = ("also written as the startupProbe (successThreshold 1), which decides the "
                   "start as svtool's readiness probe does: failing it restarts the container; "
                   "the readinessProbe keeps probing a ready pod and takes it out of its "
                   "Services' endpoints while it fails, where svtool stops probing")
            writer: f.Writer = probes.write_readiness
        else:
            kind_of = "mapped"
            how = ("failureThreshold failures restart the container; with a readiness probe "
                   "(so a startupProbe) it starts once the start succeeded, as from RUNNING "
                   "under svtool, else from the container's start")
            writer = probes.write_liveness
        targets = {"exec": ("exec.command", "[\"/bin/sh\", \"-c\", command], as svtool runs it; "
                            "`$(` and `$$` doubled, as the kubelet expands them there too"),
                   "http_get": ("httpGet host, port, path, scheme",
                                "https:// is scheme HTTPS (neither checks the certificate); "
                                "a host of 127.0.0.1, localhost, "
                                "::1, 0.0.0.0 or :: is left out: the kubelet probes the pod's "
                                "IP (the program must listen there, not only on loopback)"),
                   "tcp_socket": ("tcpSocket host, port", "the host as for http_get")}
        for key, (sub, note) in targets.items():
            rows[probe_key(kind, key)] = Decision(
                kind_of, f"{field}.{sub}", f"{note}; {how}",
                writer if key == PROBE_TARGETS[0] else None)
        for key, k8s in probes.TIMING_FIELDS.items():
            note = "written with the probe"
            if kind == "liveness" and key == "success_threshold":
                note += "; must be 1 (anything else is reported and 1 written)"
            if kind == "readiness" and key in ("success_threshold", "failure_threshold"):
                note += ("; the startupProbe's successThreshold is 1 and its failureThreshold "
                         "also counts readytimeoutsecs")
            rows[probe_key(kind, key)] = Decision("mapped", f"{field}.{k8s}", note)
    return rows


MAPPING: dict[str, Decision] = {
    "command": Decision("mapped", "containers[].command, args", "split as supervisord splits "
                        "it (POSIX shell words, no shell); `$(` and `$$` doubled so Kubernetes "
                        "expands nothing", f.write_command),
    "process_name": Decision("structural", "pod names", "pods are named by their controller"),
    "numprocs": Decision("structural", "replicas, parallelism", "a Deployment's or "
                         "StatefulSet's replicas, a Job's parallelism and completions; processes "
                         "that differ in a way no StatefulSet expresses become one workload "
                         "each"),
    "numprocs_start": Decision("structural", "StatefulSet ordinals.start", "the first pod "
                               "index, when %(process_num)s reaches what a process sees",
                               since=f.ORDINALS),
    "priority": _lost("Kubernetes starts workloads in no order"),
    "backoffincrement": _lost(_BACKOFF),
    "backoffmultiplier": _lost(_BACKOFF),
    "maxbackoff": _lost(_BACKOFF),
    "backoffreset": _lost(_BACKOFF),
    "dependent_startup": Decision("structural", "replicas", "the program starts (replicas = "
                                  "numprocs, a Job not suspended) even with autostart=false, "
                                  "as svtool starts it once its waits hold"),
    "dependent_startup_wait_for": Decision("lost", "", probes.ORDER + " (reported only with "
                                           "dependent_startup=true, without which svtool "
                                           "ignores the waits too)", probes.write_dependencies),
    "dependent_startup_inherit_priority": Decision("lost", "", "Kubernetes starts workloads "
                                                   "in no order (reported only with "
                                                   "dependent_startup=true)",
                                                   probes.write_inherit_priority),
    "depends_on": Decision("lost", "", probes.ORDER, probes.write_dependencies),
    "sd_notify": _lost("Kubernetes passes no NOTIFY_SOCKET: a container without a readiness "
                       "probe counts as ready once it has started"),
    "watchdogsecs": _lost("Kubernetes has no watchdog; a livenessProbe is its way to restart "
                          "a container that stops answering"),
    "ready_log_line": _lost("the kubelet reads no container output for readiness"),
    "readytimeoutsecs": Decision("approximate", "containers[].startupProbe.failureThreshold",
                                 "with a readiness probe: the startupProbe fails the start "
                                 "after the fewer of failure_threshold and the probes that fit "
                                 "in readytimeoutsecs; without one it is lost (nothing times a "
                                 "start)", probes.write_readytimeout),
    **_probe_rows(),
    "exit_on_end": _lost("a pod's containers restart by the pod's restartPolicy; no field ends "
                         "every workload when one program ends"),
    "autostart": Decision("structural", "replicas: 0, Job suspend: true",
                          "autostart=false (without dependent_startup): nothing runs until "
                          "scaled up or resumed"),
    "startsecs": Decision("mapped", "minReadySeconds", "Deployments and StatefulSets; lost for "
                          "a Job", f.write_startsecs),
    "startretries": Decision("approximate", "Job backoffLimit", "a Job retries a failed run "
                             "startretries times; lost for Deployments, whose container the "
                             "kubelet restarts forever", f.write_startretries),
    "autorestart": Decision("structural", "Deployment / StatefulSet, or Job", "true or "
                            "unexpected → a Deployment (a StatefulSet when %(process_num)s is "
                            "used), restartPolicy Always; false → a Job, restartPolicy Never; "
                            "unexpected set with exitcodes → container restartPolicyRules "
                            "(Restart when the exit code is not in exitcodes; an alpha "
                            "feature at first: the cluster must enable the ContainerRestartRules "
                            "gate), else lost", f.write_autorestart,
                            since=f.RESTART_RULES),
    "exitcodes": Decision("mapped", "Job podFailurePolicy, restartPolicyRules", "a Job: an exit "
                          "with a listed non-zero code fails it at once (FailJob), other "
                          "failures are retried; see autorestart for Deployments",
                          f.write_exitcodes, since=f.POD_FAILURE_POLICY),
    "stopsignal": Decision("mapped", "lifecycle.stopSignal", "SIGNAME, with spec.os.name: "
                           "linux (an alpha feature at first: the cluster must enable the "
                           "ContainerStopSignals gate); TERM is the default and is not written; "
                           "lost before the version", f.write_stopsignal, since=f.STOP_SIGNAL),
    "stopwaitsecs": Decision("mapped", "terminationGracePeriodSeconds", "always written "
                             "(Kubernetes' default is 30, supervisord's 10)",
                             f.field_writer("pod", "terminationGracePeriodSeconds",
                                            lambda p: p.stopwaitsecs)),
    "stopasgroup": _lost("Kubernetes signals the container's main process only"),
    "killasgroup": Decision("approximate", "—", "the runtime kills every process of the "
                            "container when the grace period ends"),
    "user": Decision("mapped", "securityContext.runAsUser", "a numeric user id, also taken "
                     "from [supervisord] user when the program sets none; a user name is lost",
                     f.write_user),
    "redirect_stderr": Decision("approximate", "—", "stdout and stderr both go to the "
                                "container log"),
    **output_rows(_lost, _LOGS, _ROTATION, _EVENTS),
    "environment": Decision("mapped", "env", "one name/value per variable, [supervisord] "
                            "environment included; before the version, a name other than "
                            "letters, digits, `-`, `.` and `_` is reported and left out",
                            f.write_environment, since=f.RELAXED_ENV_NAMES),
    "directory": Decision("mapped", "workingDir", "the same for every process of a workload",
                          f.write_directory),
    "umask": _lost("Kubernetes sets no umask"),
    "serverurl": _lost("there is no supervisord to talk to (SUPERVISOR_SERVER_URL)"),
    # [eventlistener:x]
    "events": _lost(_EVENTS + "; the listener runs as a plain container"),
    "buffer_size": _lost(_EVENTS),
    "result_handler": _lost(_EVENTS),
    # [fcgi-program:x]
    "socket": _lost("Kubernetes passes no listening socket as stdin; expose a port instead"),
    "socket_backlog": _lost("no socket is created"),
    "socket_owner": _lost("no socket is created"),
    "socket_mode": _lost("no socket is created"),
}

# [group:x] options.
GROUP_MAPPING: dict[str, Decision] = {
    "programs": Decision("structural", "label app.kubernetes.io/part-of", "on every member's "
                         "workload and pods"),
    "priority": _lost("Kubernetes starts workloads in no order"),
}


def version_text(v: f.Version) -> str:
    return f"{v[0]}.{v[1]}"


def markdown_table() -> str:
    """The mapping as the Markdown table docs/kubernetes.md shows (one row per option)."""
    rows = ["| option | becomes | kind | since | how / why |", "|---|---|---|---|---|"]
    for name, d in [*MAPPING.items(), *((f"[group] {k}", v) for k, v in GROUP_MAPPING.items())]:
        note = d.note.replace("|", "\\|")
        fields = d.field.replace("|", "\\|") or "—"
        since = version_text(d.since) if d.since else ""
        rows.append(f"| `{name}` | {fields} | {d.kind} | {since} | {note} |")
    return "\n".join(rows) + "\n"
