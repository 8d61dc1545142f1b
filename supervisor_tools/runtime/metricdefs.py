"""The metrics `/metrics` serves: name, type, labels, HELP text and meaning of each.

The renderer (runtime/metricstext.py) writes the HELP and TYPE lines from these rows, and
docs/metrics.md is generated from them (runtime/metricsdoc.py), so a metric is described once.
Two families keep the names, labels and values of the exporters people already run against
supervisord, so their dashboards and alerts work unchanged: node_exporter's former supervisord
collector and supervisord_exporter. The third family is what only the supervisor itself can
count, at the moment it happens (runtime/metrics.py).
"""

from __future__ import annotations

from dataclasses import dataclass

NODE_EXPORTER = "node_exporter"
SUPERVISORD_EXPORTER = "supervisord_exporter"
RUNTIME = "svtool"

FAMILIES = {
    NODE_EXPORTER: "The series of node_exporter's supervisord collector (since dropped from "
                   "node_exporter), with its names, labels, types and HELP texts.",
    SUPERVISORD_EXPORTER: "The series of supervisord_exporter, which polls "
                          "`getAllProcessInfo`, with its names, labels and HELP texts.",
    RUNTIME: "Counted by the supervisor at the event they measure, so no change between two "
             "scrapes is missed. They start at 0 when a process is added and survive a reload "
             "(`supervisorctl reload`, SIGHUP) as long as the process is still configured; "
             "removing its group (`supervisorctl update`, `remove`) drops them.",
}

PROCESS = ("name", "group")


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    type: str  # gauge, counter or summary
    help: str  # the exposition's HELP text
    labels: tuple[str, ...]
    family: str
    meaning: str  # what the value says, for docs/metrics.md

    def head(self) -> str:
        return f"# HELP {self.name} {self.help}\n# TYPE {self.name} {self.type}"


NODE_UP = Metric(
    "node_supervisord_up", "gauge", "Process Up", PROCESS, NODE_EXPORTER,
    "1 while the process is STARTING, RUNNING or STOPPING, else 0.")
NODE_STATE = Metric(
    "node_supervisord_state", "gauge", "Process State", PROCESS, NODE_EXPORTER,
    "The state's number as `getProcessInfo` gives it: STOPPED 0, STARTING 10, RUNNING 20, "
    "BACKOFF 30, STOPPING 40, EXITED 100, FATAL 200, UNKNOWN 1000.")
NODE_EXIT_STATUS = Metric(
    "node_supervisord_exit_status", "gauge", "Process Exit Status", PROCESS, NODE_EXPORTER,
    "The exit status of the last exit (`exitstatus` of `getProcessInfo`): 0 before the first "
    "exit, -1 when a signal ended the process.")
NODE_START_TIME = Metric(
    "node_supervisord_start_time_seconds", "counter", "Process start time", PROCESS,
    NODE_EXPORTER,
    "When the process was last started, in whole seconds since the epoch (`start` of "
    "`getProcessInfo`); only present while `node_supervisord_up` is 1. Typed counter, as "
    "node_exporter typed it.")

PROCESS_INFO = Metric(
    "supervisor_process_info", "gauge", "Supervisor process information",
    ("name", "group", "state", "exit_status"), SUPERVISORD_EXPORTER,
    "1 when the process is RUNNING, else 0; `state` is the state's name and `exit_status` the "
    "exit status of the last exit (0 before the first).")
PROCESS_UPTIME = Metric(
    "supervisor_process_uptime", "gauge", "Uptime of Supervisor processes", PROCESS,
    SUPERVISORD_EXPORTER,
    "Whole seconds since the process was started; only present while it is RUNNING (so "
    "`resets()` over it counts restarts only roughly: see `supervisor_process_restarts_total`).")
SUPERVISORD_UP = Metric(
    "supervisord_up", "gauge", "Supervisord XML-RPC connection status (1 if up, 0 if down)", (),
    SUPERVISORD_EXPORTER,
    "Always 1: the supervisor answered the scrape (Prometheus's own `up` says when it did not).")

INFO = Metric(
    "supervisord_info", "gauge", "The supervisord version this supervisor implements.",
    ("version",), RUNTIME,
    "Always 1; `version` is what `getSupervisorVersion` answers.")
RESTARTS = Metric(
    "supervisor_process_restarts_total", "counter",
    "Automatic restarts of the process after it exited.", PROCESS, RUNTIME,
    "Times autorestart started the process again after it exited (EXITED to STARTING without "
    "a start request), whether at once or after the restart interval, and times svtool "
    "restarted it because its liveness probe failed or it stopped sending WATCHDOG=1 (STOPPING "
    "to STOPPED to STARTING, also without a request). A start or restart "
    "asked for by a client and the retries after a failed start (see "
    "`supervisor_process_backoffs_total`) are not counted.")
SPAWN_ERRORS = Metric(
    "supervisor_process_spawn_errors_total", "counter",
    "Spawns of the process that failed before its program ran.", PROCESS, RUNTIME,
    "Times the process could not be spawned at all (a command not found or not executable, a "
    "directory or user that cannot be used, no file descriptors left...): the `spawnerr:` "
    "lines of the main log.")
FATAL = Metric(
    "supervisor_process_fatal_total", "counter",
    "Times the process entered the FATAL state.", PROCESS, RUNTIME,
    "Entries into FATAL: start retries used up (startretries), or a shutdown while the process "
    "waited in BACKOFF.")
BACKOFFS = Metric(
    "supervisor_process_backoffs_total", "counter",
    "Times the process entered the BACKOFF state.", PROCESS, RUNTIME,
    "Entries into BACKOFF: the process exited before startsecs, or could not be spawned. Each "
    "is followed by a retry, or by FATAL when startretries are used up.")
START_DURATION = Metric(
    "supervisor_process_start_duration_seconds", "summary",
    "Time from spawning the process to its RUNNING state.", PROCESS, RUNTIME,
    "`_count` is the number of times the process reached RUNNING and `_sum` the seconds from "
    "each spawn (the fork) to RUNNING: about startsecs, more when the supervisor was busy, 0 "
    "with startsecs=0. A process that exited after startsecs but before the supervisor saw it "
    "running counts startsecs.")
LOG_BYTES = Metric(
    "supervisor_process_log_bytes_total", "counter",
    "Bytes of the process's output on the stream handed to its log.",
    ("name", "group", "stream"), RUNTIME,
    "Bytes read from the process's stdout or stderr and handed to that stream's log (file, "
    "syslog, or nothing with NONE), after capture mode took out its messages and ANSI codes "
    "were stripped (strip_ansi). With redirect_stderr, stderr is part of stdout and has no "
    "series of its own.")
LOG_ROTATIONS = Metric(
    "supervisor_process_log_rotations_total", "counter",
    "Rotations of the stream's log file.", ("name", "group", "stream"), RUNTIME,
    "Times the stream's log file reached its maxbytes and was rotated (or truncated, with no "
    "backups). A rotation that failed and is retried later is not counted.")

METRICS: tuple[Metric, ...] = (
    NODE_UP, NODE_STATE, NODE_EXIT_STATUS, NODE_START_TIME,
    PROCESS_INFO, PROCESS_UPTIME, SUPERVISORD_UP,
    INFO, RESTARTS, SPAWN_ERRORS, FATAL, BACKOFFS, START_DURATION, LOG_BYTES, LOG_ROTATIONS,
)
