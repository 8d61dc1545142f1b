"""`svtool ctl` commands on processes: status, start, stop, restart, signal, pid, clear.

Each says what supervisorctl 4.3.0 says, in its words and with its exit status, for every
outcome: a known or unknown process, a known or unknown group, `all`, no name at all.
"""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Callable
from typing import Any, TextIO

from supervisor_tools.runtime.ctlsession import (
    ABNORMAL_TERMINATION,
    ALREADY_STARTED,
    BAD_NAME,
    BAD_SIGNAL,
    FAILED,
    FAULT_NOT_RUNNING,
    GENERIC,
    INVALID_ARGS,
    NO_FILE,
    NOT_EXECUTABLE,
    NOT_RUNNING,
    SPAWN_ERROR,
    STATUS_NOT_RUNNING,
    STATUS_UNKNOWN,
    SUCCESS,
    Session,
    make_namespec,
    split_namespec,
)

STOPPED_STATES = (0, 40, 100, 200)  # STOPPED, EXITED, FATAL, UNKNOWN

HELP = {
    "status": ("status <name>\t\tGet status for a single process",
               "status <gname>:*\tGet status for all processes in a group",
               "status <name> <name>\tGet status for multiple named processes",
               "status\t\t\tGet all process status info"),
    "start": ("start <name>\t\tStart a process",
              "start <gname>:*\t\tStart all processes in a group",
              "start <name> <name>\tStart multiple processes or groups",
              "start all\t\tStart all processes"),
    "stop": ("stop <name>\t\tStop a process", "stop <gname>:*\t\tStop all processes in a group",
             "stop <name> <name>\tStop multiple processes or groups",
             "stop all\t\tStop all processes"),
    "restart": ("restart <name>\t\tRestart a process",
                "restart <gname>:*\tRestart all processes in a group",
                "restart <name> <name>\tRestart multiple processes or groups",
                "restart all\t\tRestart all processes",
                "Note: restart does not reread config files. For that, see reread and update."),
    "signal": ("signal <signal name> <name>\t\tSignal a process",
               "signal <signal name> <gname>:*\t\tSignal all processes in a group",
               "signal <signal name> <name> <name>\tSignal multiple processes or groups",
               "signal <signal name> all\t\tSignal all processes"),
    "clear": ("clear <name>\t\tClear a process' log files.",
              "clear <name> <name>\tClear multiple process' log files",
              "clear all\t\tClear all process' log files"),
}

_START_ERRORS = {BAD_NAME: "no such process", NO_FILE: "no such file",
                 NOT_EXECUTABLE: "file is not executable", ALREADY_STARTED: "already started",
                 SPAWN_ERROR: "spawn error", ABNORMAL_TERMINATION: "abnormal termination"}
_SIGNAL_ERRORS = {BAD_NAME: "no such process", BAD_SIGNAL: "bad signal name",
                  FAULT_NOT_RUNNING: "not running"}
_CLEAR_ERRORS = {BAD_NAME: "no such process", FAILED: "failed"}


def _line(result: dict[str, Any], success: str, errors: dict[int, str],
          failed_raw: bool = False) -> str:
    name = make_namespec(result["group"], result["name"])
    code = result["status"]
    if code == SUCCESS:
        return f"{name}: {success}"
    if failed_raw and code == FAILED:
        return str(result["description"])
    text = errors.get(code, result["description"])
    # supervisord's faults name only the process ("SPAWN_ERROR: web"); svtool run's may add
    # why ("SPAWN_ERROR: web: cannot start: db:running: db is FATAL"), which is worth showing
    why = str(result["description"]).partition(": ")[2].partition(f"{name}: ")
    if code in errors and not why[0] and why[1]:
        text = f"{text}: {why[2]}"
    return f"{name}: ERROR ({text})"


def _fault_result(name: str, fault: xmlrpc.client.Fault) -> dict[str, Any]:
    group, process = split_namespec(name)
    return {"name": process, "group": group, "status": fault.faultCode,
            "description": fault.faultString}


def _ok_result(name: str) -> dict[str, Any]:
    group, process = split_namespec(name)
    return {"name": process, "group": group, "status": SUCCESS, "description": "OK"}


def cmd_status(s: Session, args: list[str]) -> None:
    if not s.upcheck():
        s.fail(STATUS_UNKNOWN)
        return
    infos = s.call("getAllProcessInfo")
    matching = infos if not args or "all" in args else []
    if matching is not infos:
        for name in args:
            group, process = split_namespec(name)
            found = [i for i in infos if i["group"] == group
                     and (process is None or i["name"] == process)]
            matching += found
            if not found:
                s.say(f"{group}: ERROR (no such group)" if process is None
                      else f"{name}: ERROR (no such process)")
                s.fail(STATUS_UNKNOWN)
    width = max([30] + [len(make_namespec(i["group"], i["name"])) for i in matching]) + 3
    for info in matching:
        name = make_namespec(info["group"], info["name"])
        s.result(info, f"{name:<{width}}{_state(s.out, info['statename'])}{info['description']}")
    if any(info["state"] in STOPPED_STATES for info in matching):
        s.fail(STATUS_NOT_RUNNING)


STATE_COLOURS = {"RUNNING": "32", "STARTING": "33", "BACKOFF": "33", "STOPPING": "33",
                 "STOPPED": "2", "EXITED": "2", "FATAL": "31", "UNKNOWN": "31"}


def _state(out: TextIO, state: str) -> str:
    text = f"{state:<10}"
    if out.isatty() and state in STATE_COLOURS:
        return f"\x1b[{STATE_COLOURS[state]}m{state}\x1b[0m{text[len(state):]}"
    return text


def _each(s: Session, args: list[str], action: Callable[[str], Any],
          group_action: Callable[[str], list[dict[str, Any]]],
          all_action: Callable[[], list[dict[str, Any]]], success: str, errors: dict[int, str],
          ignored: int | None, bad_group: int, failed_raw: bool = False) -> None:
    """start/stop/signal: results for `all`, for each group and for each process."""
    def report(result: dict[str, Any]) -> None:
        s.result(result, _line(result, success, errors, failed_raw))
        if result["status"] not in (SUCCESS, *errors) and not failed_raw:
            s.fail(GENERIC)  # a code supervisorctl has no words for stops it with an error
        else:
            s.from_fault(result["status"], ignored)

    if "all" in args:
        for result in all_action():
            report(result)
        return
    for name in args:
        group, process = split_namespec(name)
        if process is None:
            try:
                results = group_action(group)
            except xmlrpc.client.Fault as f:
                if f.faultCode != BAD_NAME:
                    raise
                s.result({"name": None, "group": group, "status": f.faultCode,
                          "description": f.faultString}, f"{group}: ERROR (no such group)")
                s.fail(bad_group)
                continue
            for result in results:
                report(result)
            continue
        try:
            action(name)
        except xmlrpc.client.Fault as f:
            report(_fault_result(name, f))
        else:
            report(_ok_result(name))


def cmd_start(s: Session, args: list[str]) -> None:
    if not s.upcheck():
        return
    if not args:
        s.usage("Error: start requires a process name", HELP["start"], INVALID_ARGS)
        return
    _each(s, args, lambda n: s.call("startProcess", n),
          lambda g: s.call("startProcessGroup", g), lambda: s.call("startAllProcesses"),
          "started", _START_ERRORS, ALREADY_STARTED, INVALID_ARGS)


def cmd_stop(s: Session, args: list[str]) -> None:
    if not s.upcheck():
        return
    if not args:
        s.usage("Error: stop requires a process name", HELP["stop"])
        return
    _each(s, args, lambda n: s.call("stopProcess", n),
          lambda g: s.call("stopProcessGroup", g), lambda: s.call("stopAllProcesses"),
          "stopped", _SIGNAL_ERRORS, FAULT_NOT_RUNNING, GENERIC, failed_raw=True)


def cmd_restart(s: Session, args: list[str]) -> None:
    if not s.upcheck():
        return
    if not args:
        s.usage("Error: restart requires a process name", HELP["restart"])
        return
    cmd_stop(s, args)
    cmd_start(s, args)


def cmd_signal(s: Session, args: list[str]) -> None:
    if not s.upcheck():
        return
    if len(args) < 2:
        s.usage("Error: signal requires a signal name and a process name", HELP["signal"])
        return
    sig, names = args[0], args[1:]
    _each(s, names, lambda n: s.call("signalProcess", n, sig),
          lambda g: s.call("signalProcessGroup", g, sig),
          lambda: s.call("signalAllProcesses", sig), "signalled", _SIGNAL_ERRORS, None, GENERIC,
          failed_raw=True)


def cmd_pid(s: Session, args: list[str]) -> None:
    if not s.upcheck():
        return
    if not args:
        pid = s.call("getPID")
        s.record_value = pid
        s.result(pid, str(pid))
        return
    if "all" in args:
        infos = s.call("getAllProcessInfo")
        s.record_value = {make_namespec(i["group"], i["name"]): i["pid"] for i in infos}
        for info in infos:
            s.result(info["pid"], str(info["pid"]))
        return
    s.record_value = {}
    for name in args:
        try:
            info = s.call("getProcessInfo", name)
        except xmlrpc.client.Fault as f:
            s.fail(GENERIC)
            if f.faultCode != BAD_NAME:
                raise
            s.say(f"No such process {name}")
            continue
        s.record_value[name] = info["pid"]
        s.result(info["pid"], str(info["pid"]))
        if info["pid"] == 0:
            s.fail(NOT_RUNNING)


def cmd_clear(s: Session, args: list[str]) -> None:
    if not s.upcheck():
        return
    if not args:
        s.usage("Error: clear requires a process name", HELP["clear"])
        return
    if "all" in args:
        for result in s.call("clearAllProcessLogs"):
            s.result(result, _line(result, "cleared", _CLEAR_ERRORS))
            s.from_fault(result["status"])
        return
    for name in args:
        try:
            s.call("clearProcessLogs", name)
        except xmlrpc.client.Fault as f:
            result = _fault_result(name, f)
        else:
            result = _ok_result(name)
        s.result(result, _line(result, "cleared", _CLEAR_ERRORS))
        s.from_fault(result["status"])
