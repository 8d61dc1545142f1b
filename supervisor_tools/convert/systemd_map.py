"""How each process option becomes systemd directives: the mapping, as data.

Every option of [program:x], [eventlistener:x] and [fcgi-program:x] has one row here (a test
checks it), and docs/systemd.md shows these rows. `lost` options are reported with their source
position whenever a config gives them a value other than the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from supervisor_tools.options.readiness import PROBE_KINDS, PROBE_TARGETS, PROBE_TIMING

Kind = Literal["mapped", "approximate", "structural", "lost"]


@dataclass(frozen=True, slots=True)
class Decision:
    kind: Kind
    systemd: str  # the directives it becomes ("" when lost)
    note: str  # how, or why it is lost


def _m(systemd: str, note: str) -> Decision:
    return Decision("mapped", systemd, note)


def _a(systemd: str, note: str) -> Decision:
    return Decision("approximate", systemd, note)


def _s(systemd: str, note: str) -> Decision:
    return Decision("structural", systemd, note)


def _lost(note: str) -> Decision:
    return Decision("lost", "", note)


_ROTATION = "systemd does not rotate files written with StandardOutput=append:; use logrotate"

MAPPING: dict[str, Decision] = {
    "command": _m("ExecStart=", "split as supervisord splits it (POSIX shell words), each word "
                  "re-quoted for systemd (`%`→`%%`, `$`→`$$`); a bare program name is resolved "
                  "to an absolute path with the program's PATH, or else (reported) run through "
                  "/usr/bin/env"),
    "process_name": _s("unit and instance names", "one process: `PROGRAM.service`; numprocs > 1: "
                       "template `PROGRAM@.service`, instance `%i` = process_num; a custom name "
                       "of a single process is reported"),
    "numprocs": _s("`PROGRAM@.service` + `PROGRAM.target`", "a template unit; the target's "
                   "Wants= lists the instances"),
    "numprocs_start": _s("instance numbers", "instances are numbered from numprocs_start"),
    "priority": _a("After=", "each unit is ordered after the units of the next lower "
                   "(group priority, priority); only the order is kept"),
    "autostart": _m("[Install] WantedBy=", "multi-user.target (default.target with --user); "
                    "autostart=false leaves out [Install]"),
    "startsecs": _a("StartLimitIntervalSec=", "(startretries + 1) × (startsecs + RestartSec): "
                    "quick failures inside that window count against StartLimitBurst="),
    "startretries": _a("StartLimitBurst=, RestartSec=1", "startretries + 1 starts; supervisord's "
                       "growing back-off (1 s, 2 s, …) becomes a fixed RestartSec=1, which is "
                       "reported when the config writes startretries > 1 and none of the "
                       "backoff keys; -1 (retry for ever) is StartLimitIntervalSec=0"),
    "backoffincrement": _a("RestartSec=", "the first wait (supervisord's default 1 s included "
                           "when the config writes none of the backoff keys)"),
    "backoffmultiplier": _a("RestartSteps=, RestartMaxDelaySec=", "systemd grows RestartSec= "
                            "exponentially to RestartMaxDelaySec= in RestartSteps= steps; "
                            "svtool's waits (backoffincrement, then each the previous one times "
                            "backoffmultiplier) match it when the cap is reached in whole steps; "
                            "waits that differ by more than 5% are reported"),
    "maxbackoff": _m("RestartMaxDelaySec=", "with RestartSteps= = the restarts it takes to reach "
                     "it; waits that grow without a cap are reported"),
    "backoffreset": _lost("systemd counts restarts until the unit is started again, whatever "
                          "its uptime"),
    "exit_on_end": _m("SuccessAction=exit, FailureAction=exit", "the service manager stops "
                      "and exits with the unit's exit status (a user manager or one in a "
                      "container; [supervisord] exit_on_end sets it for every program)"),
    "autorestart": _m("Restart=", "true → always, false → no, unexpected → on-failure"),
    "exitcodes": _m("SuccessExitStatus=, RestartForceExitStatus=", "codes other than 0 become "
                    "SuccessExitStatus=; with autorestart=unexpected and 0 not listed, "
                    "RestartForceExitStatus=0"),
    "stopsignal": _m("KillSignal=", "SIGNAME"),
    "stopwaitsecs": _m("TimeoutStopSec=", "seconds"),
    "stopasgroup": _a("KillMode=", "true → control-group (the unit's cgroup, not just the "
                      "process group)"),
    "killasgroup": _a("KillMode=", "true (stopasgroup false) → mixed; both false → process"),
    "user": _m("User=", "also taken from [supervisord] user when the program sets none"),
    "redirect_stderr": _m("StandardError=inherit", "stderr goes where stdout goes"),
    "stdout_logfile": _m("StandardOutput=", "path → append:PATH, AUTO → journal, NONE → null"),
    "stdout_logfile_maxbytes": _lost(_ROTATION),
    "stdout_logfile_backups": _lost(_ROTATION),
    "stdout_capture_maxbytes": _lost("capture mode needs supervisord's event protocol"),
    "stdout_events_enabled": _lost("PROCESS_LOG events need supervisord's event protocol"),
    "childlog_format": _lost("systemd writes output as it comes; the journal keeps each "
                             "line's time and unit by itself"),
    "stdout_syslog": _m("StandardOutput=journal", "when stdout_logfile is AUTO or NONE (journald "
                        "forwards to syslog); lost next to a log file path"),
    "stderr_logfile": _m("StandardError=", "path → append:PATH, AUTO → journal, NONE → null"),
    "stderr_logfile_maxbytes": _lost(_ROTATION),
    "stderr_logfile_backups": _lost(_ROTATION),
    "stderr_capture_maxbytes": _lost("capture mode needs supervisord's event protocol"),
    "stderr_events_enabled": _lost("PROCESS_LOG events need supervisord's event protocol"),
    "stderr_syslog": _m("StandardError=journal", "when stderr_logfile is AUTO or NONE; lost next "
                        "to a log file path"),
    "environment": _m("Environment=", "one quoted assignment per variable, [supervisord] "
                      "environment included; names systemd refuses are reported"),
    "directory": _m("WorkingDirectory=", "must be an absolute path"),
    "umask": _m("UMask=", "also taken from [supervisord] umask when the program sets none"),
    "serverurl": _lost("there is no supervisord to talk to (SUPERVISOR_SERVER_URL)"),
    # svtool's dependencies (docs/dependencies.md)
    "dependent_startup": _s("After=, Requires=", "switches on dependent_startup_wait_for; "
                            "systemd starts the unit when what it Requires= is up"),
    "dependent_startup_wait_for": _a("After=, Requires=", "each named unit (a group: its "
                                     "members); `running`/`started` wait for the unit's start "
                                     "(Type=simple: the fork, not startsecs), `exited` only "
                                     "matches a Type=oneshot unit (reported); backoff, stopping "
                                     "and fatal are lost (reported)"),
    "dependent_startup_inherit_priority": _lost("systemd orders only by After="),
    "depends_on": _m("After=", "order only, as depends_on: nothing is pulled in or required"),
    # readiness and liveness (convert/systemd_readiness.py)
    "sd_notify": _m("Type=notify, NotifyAccess=all", "systemd hears READY=1, STATUS=, "
                    "WATCHDOG=1 and STOPPING=1 itself; all: from the process and its children, "
                    "as svtool accepts them"),
    "watchdogsecs": _m("WatchdogSec=", "seconds; systemd restarts (Restart= permitting) a "
                       "service that stops pinging"),
    "readytimeoutsecs": _m("TimeoutStartSec=", "with sd_notify (0 → infinity); without it "
                           "there is no readiness for systemd to time"),
    "ready_log_line": _lost("systemd cannot wait for a line of output; send READY=1 instead"),
    **{f"{kind}_probe_{field}": _lost(f"systemd has no {kind} probes (an ExecStartPost= "
                                      "polling loop or a watchdog can stand in)")
       for kind in PROBE_KINDS
       for field in (*PROBE_TARGETS, *(name for name, _, _ in PROBE_TIMING))},
    # [eventlistener:x]
    "events": _lost("systemd has no event listener protocol; the pool becomes plain services"),
    "buffer_size": _lost("systemd has no event listener protocol"),
    "result_handler": _lost("systemd has no event listener protocol"),
    # [fcgi-program:x]
    "socket": _m("`PROGRAM.socket` ListenStream=; StandardInput=socket, Sockets=",
                 "the socket reaches every process as stdin, as supervisord passes it; a TCP "
                 "host must be an address (or localhost / *)"),
    "socket_backlog": _m("Backlog=", "in the .socket unit"),
    "socket_owner": _m("SocketUser=, SocketGroup=", "in the .socket unit"),
    "socket_mode": _m("SocketMode=", "in the .socket unit; supervisord's default 0700 is written "
                      "(systemd's would be 0666)"),
}

# [group:x] options.
GROUP_MAPPING: dict[str, Decision] = {
    "programs": _s("`GROUP.target`", "Wants= every member unit; members get PartOf="),
    "priority": _a("After=", "orders the members like their own priority"),
}


def markdown_table() -> str:
    """The mapping as the Markdown table docs/systemd.md shows (one row per option)."""
    rows = ["| option | becomes | kind | how / why |", "|---|---|---|---|"]
    for name, d in [*MAPPING.items(), *((f"[group] {k}", v) for k, v in GROUP_MAPPING.items())]:
        note = d.note.replace("|", "\\|")
        systemd = d.systemd.replace("|", "\\|") or "—"
        rows.append(f"| `{name}` | {systemd} | {d.kind} | {note} |")
    return "\n".join(rows) + "\n"
