"""How one option fills the fields of a Kubernetes workload: the writers the mapping names.

A writer gets the `Target` of one workload (its controller spec, pod spec and container, the
processes it runs, the Kubernetes version) and sets the fields its option maps to, or reports
the option as lost. Values the processes of a StatefulSet differ in are written once with
`$(SVTOOL_PROCESS_NUM)` where the process number goes; a value that cannot be written so raises
NoTemplate, and the program becomes one workload per process instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from supervisor_tools.convert.kubernetes_programs import (
    Program,
    Report,
    set_by_config,
    shown,
    template,
)
from supervisor_tools.errors import ConfigError
from supervisor_tools.model.model import ProcessConfig
from supervisor_tools.options.command import split_command

Version = tuple[int, int]
PROCESS_NUM_ENV = "SVTOOL_PROCESS_NUM"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
_MARK = "\0"  # where the process number goes while a template is built (never in a config)

# The Kubernetes version from which the API has a field (and the schemas the tests validate
# against accept it). Two came as alpha features: a cluster must enable their feature gate
# while they are not on by default, or it drops the field.
STOP_SIGNAL: Version = (1, 33)  # Container.lifecycle.stopSignal (gate ContainerStopSignals)
RESTART_RULES: Version = (1, 34)  # Container.restartPolicyRules (gate ContainerRestartRules)
POD_FAILURE_POLICY: Version = (1, 26)  # Job.spec.podFailurePolicy
OPTIONAL_POD_CONDITIONS: Version = (1, 29)  # a podFailurePolicy rule may omit onPodConditions
ORDINALS: Version = (1, 27)  # StatefulSet.spec.ordinals.start
OPTIONAL_SERVICE_NAME: Version = (1, 33)  # a StatefulSet may omit serviceName
POD_INDEX: Version = (1, 28)  # the apps.kubernetes.io/pod-index label on StatefulSet pods
# any printable env name but `=` (gate RelaxedEnvironmentVariableValidation)
RELAXED_ENV_NAMES: Version = (1, 32)
# What an env variable's name had to be before that.
C_ENV_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")


class NoTemplate(Exception):
    """The processes of a program differ in a way one StatefulSet cannot express."""


def escape(text: str) -> str:
    """`text` as a Kubernetes command, argument or env value: `$(` and `$$` are expansions
    there, so a `$` before `(`, `$` or the process number's mark is doubled."""
    out = []
    for i, ch in enumerate(text):
        out.append(ch)
        if ch == "$" and text[i + 1:i + 2] in ("(", "$", _MARK):
            out.append("$")
    return "".join(out).replace(_MARK, f"$({PROCESS_NUM_ENV})")


@dataclass(slots=True)
class Target:
    """One workload being written: what the writers fill in."""

    controller: str  # Deployment, StatefulSet or Job
    version: Version
    prog: Program
    procs: list[ProcessConfig]  # the processes this workload runs
    spec: dict[str, Any]  # the controller's spec
    pod: dict[str, Any]  # the pod template's spec
    container: dict[str, Any]
    report: Report

    @property
    def first(self) -> ProcessConfig:
        return self.procs[0]

    @property
    def templated(self) -> bool:
        return self.controller == "StatefulSet" and len(self.procs) > 1

    def has(self, since: Version) -> bool:
        return self.version >= since

    def lose(self, option: str, why: str) -> None:
        p = self.first
        self.report.lose(p.span_of(option), f"{self.prog.section} {option}="
                         f"{shown(p.kind, option, getattr(p, option))}: {why}", key=option)

    def text(self, values: list[str]) -> str:
        """One escaped text for the processes' `values` (templated in a StatefulSet)."""
        if all(v == values[0] for v in values):
            return escape(values[0])
        if not self.templated:
            raise NoTemplate
        found = template(values, [p.process_num for p in self.procs], _MARK)
        if found is None:
            raise NoTemplate
        return escape(found)


Writer = Callable[[Target], None]


def field_writer(where: str, key: str, value_of: Callable[[ProcessConfig], Any]) -> Writer:
    """A writer that sets `key` of the pod spec or container (`where`) to what `value_of`
    gives for the workload's process, unless None: an option that maps to one field is one
    MAPPING row with such a writer."""

    def write(t: Target) -> None:
        value = value_of(t.first)
        if value is not None:
            (t.pod if where == "pod" else t.container)[key] = value

    return write


def write_command(t: Target) -> None:
    errors: list[ConfigError] = []
    words = []
    for p in t.procs:
        try:
            words.append(split_command(p.command))
        except ValueError as exc:
            errors.append(ConfigError(p.span_of("command"), f"{t.prog.section} command "
                                      f"{p.command!r} cannot be split: {exc}", "convert"))
    if errors or not words[0]:
        t.report.errors.extend(errors or [ConfigError(t.first.span_of("command"),
                                                      f"{t.prog.section} command is empty",
                                                      "convert")])
        return
    if any(len(w) != len(words[0]) for w in words):
        raise NoTemplate
    argv = [t.text([w[i] for w in words]) for i in range(len(words[0]))]
    t.container["command"] = argv[:1]
    if argv[1:]:
        t.container["args"] = argv[1:]


def write_environment(t: Target) -> None:
    env: list[dict[str, Any]] = []
    if t.templated:
        if PROCESS_NUM_ENV in t.first.environment:
            raise NoTemplate
        env.append({"name": PROCESS_NUM_ENV, "valueFrom": {"fieldRef": {
            "fieldPath": f"metadata.labels['{POD_INDEX_LABEL}']"}}})
    names = list(t.first.environment)
    if any(list(p.environment) != names for p in t.procs):
        raise NoTemplate
    for name in names:
        if not t.has(RELAXED_ENV_NAMES) and not C_ENV_NAME.fullmatch(name):
            t.report.lose(t.first.span_of("environment"), f"{t.prog.section} environment "
                          f"variable {name!r}: Kubernetes before {_v(RELAXED_ENV_NAMES)} "
                          "refuses the name (letters, digits, - . _); left out",
                          key=f"environment {name}")
            continue
        env.append({"name": name, "value": t.text([p.environment[name] for p in t.procs])})
    if env:
        t.container["env"] = env


def write_directory(t: Target) -> None:
    dirs = {p.directory for p in t.procs}
    if len(dirs) > 1:
        raise NoTemplate  # workingDir is not expanded
    if t.first.directory is not None:
        t.container["workingDir"] = t.first.directory


def write_user(t: Target) -> None:
    found = t.prog.user()
    if found is None:
        return
    user, span = found
    if user.isdigit():
        t.container.setdefault("securityContext", {})["runAsUser"] = int(user)
    else:
        t.report.lose(span, f"{t.prog.section} user={user}: Kubernetes runs as a numeric user "
                            "id (runAsUser); a user name is resolved by no one", key="user")


def write_stopsignal(t: Target) -> None:
    sig = t.first.stopsignal
    if sig == "TERM":
        return  # the container runtime's default (unless the image says STOPSIGNAL)
    if not t.has(STOP_SIGNAL):
        t.lose("stopsignal", f"lifecycle.stopSignal needs Kubernetes {_v(STOP_SIGNAL)}; the "
                             "container gets SIGTERM (or the image's STOPSIGNAL)")
        return
    t.container.setdefault("lifecycle", {})["stopSignal"] = f"SIG{sig}"
    t.pod["os"] = {"name": "linux"}  # stopSignal is only accepted with spec.os.name


def write_startsecs(t: Target) -> None:
    if t.controller == "Job":
        if set_by_config(t.first, "startsecs"):
            t.lose("startsecs", "a Job has no time after which a start counts as successful")
        return
    t.spec["minReadySeconds"] = t.first.startsecs


def write_startretries(t: Target) -> None:
    if t.controller == "Job":
        t.spec["backoffLimit"] = t.first.startretries
    elif set_by_config(t.first, "startretries"):
        t.lose("startretries", "the kubelet restarts a failing container forever, with a "
                               "growing back-off of its own")


def write_autorestart(t: Target) -> None:
    p = t.first
    if t.controller == "Job" or p.autorestart is not True and p.autorestart != "unexpected":
        return
    if p.autorestart is True or not (set_by_config(p, "autorestart")
                                     or set_by_config(p, "exitcodes")):
        return
    if not t.has(RESTART_RULES):
        t.lose("autorestart", f"a {t.controller} restarts its container after every exit; "
                              f"restarting only on unexpected exit codes needs Kubernetes "
                              f"{_v(RESTART_RULES)} (restartPolicyRules)")
        return
    t.container["restartPolicy"] = "Never"
    t.container["restartPolicyRules"] = [{"action": "Restart", "exitCodes": {
        "operator": "NotIn", "values": sorted(set(p.exitcodes))}}]


def write_exitcodes(t: Target) -> None:
    p = t.first
    if t.controller != "Job" or not set_by_config(p, "exitcodes"):
        return
    if 0 not in p.exitcodes:
        t.lose("exitcodes", "a Job counts exit status 0 as success whatever exitcodes says")
    expected = sorted({c for c in p.exitcodes if c != 0})
    if not expected:
        return
    if not t.has(POD_FAILURE_POLICY):
        t.lose("exitcodes", f"podFailurePolicy needs Kubernetes {_v(POD_FAILURE_POLICY)}")
        return
    rule: dict[str, Any] = {"action": "FailJob", "onExitCodes": {
        "containerName": t.container["name"], "operator": "In", "values": expected}}
    if not t.has(OPTIONAL_POD_CONDITIONS):
        rule["onPodConditions"] = []  # required (if empty) by the schema before 1.29
    t.spec["podFailurePolicy"] = {"rules": [rule]}


def _v(version: Version) -> str:
    return f"{version[0]}.{version[1]}"
