"""`svtool ctl`: a client for any supervisord-compatible XML-RPC server (svtool run included)."""

from __future__ import annotations

import json
import os
import sys
import xmlrpc.client
from collections.abc import Callable
from typing import Any, TextIO

from supervisor_tools.errors import SvtoolError
from supervisor_tools.runtime.ctlclient import DEFAULT_URL, Client, Server, server_from_config

__all__ = ["COMMANDS", "DEFAULT_URL", "Client", "Server", "ctl", "server_from_config",
           "status_table"]

STATE_COLOURS = {"RUNNING": "32", "STARTING": "33", "BACKOFF": "33", "STOPPING": "33",
                 "STOPPED": "2", "EXITED": "2", "FATAL": "31", "UNKNOWN": "31"}
SUCCESS = 80


# -- output ------------------------------------------------------------------------------------


def _namespec(info: dict[str, Any]) -> str:
    return info["name"] if info["name"] == info["group"] else f"{info['group']}:{info['name']}"


def _colour(state: str, out: TextIO) -> str:
    text = f"{state:<9}"
    if out.isatty() and state in STATE_COLOURS:
        return f"\x1b[{STATE_COLOURS[state]}m{text}\x1b[0m"
    return text


def status_table(infos: list[dict[str, Any]], out: TextIO) -> None:
    width = max([len(_namespec(i)) for i in infos] + [32])
    for info in infos:
        uptime = ""
        if info["statename"] == "RUNNING":
            secs = max(0, info["now"] - info["start"])
            uptime = f"{secs // 3600}:{secs // 60 % 60:02d}:{secs % 60:02d}"
        detail = f"pid {info['pid']:<7} uptime {uptime}" if uptime else info["description"]
        if uptime and "; " in info["description"]:
            # svtool run adds readiness and health after "pid N, uptime T; "
            detail += "  " + info["description"].split("; ", 1)[1]
        out.write(f"{_namespec(info):<{width}} {_colour(info['statename'], out)} {detail}\n")


def _results(results: list[dict[str, Any]], verb: str, out: TextIO) -> int:
    code = 0
    for r in results:
        name = _namespec(r)
        if r["status"] == SUCCESS:
            out.write(f"{name}: {verb}\n")
        else:
            out.write(f"{name}: ERROR ({r['description']})\n")
            code = 1
    return code


# -- commands ----------------------------------------------------------------------------------

Command = Callable[[Client, list[str], bool, TextIO], int]


def _targets(args: list[str]) -> list[str]:
    if not args:
        raise SvtoolError("give process names, group:*, or all")
    return args


def _act(client: Client, args: list[str], as_json: bool, out: TextIO, method: str,
         verb: str, extra: tuple[Any, ...] = ()) -> int:
    collected: list[dict[str, Any]] = []
    for name in _targets(args):
        if name == "all":
            collected += client.call(f"supervisor.{method}AllProcesses", *extra)
            continue
        try:
            value = client.call(f"supervisor.{method}Process", name, *extra)
        except xmlrpc.client.Fault as f:
            group, _, proc = name.rpartition(":")
            collected.append({"name": proc, "group": group or proc, "status": f.faultCode,
                              "description": f.faultString})
            continue
        if isinstance(value, list):
            collected += value
        else:
            group, _, proc = name.rpartition(":")
            collected.append({"name": proc, "group": group or proc, "status": SUCCESS,
                              "description": "OK"})
    if as_json:
        json.dump(collected, out, indent=2)
        out.write("\n")
        return 0 if all(r["status"] == SUCCESS for r in collected) else 1
    return _results(collected, verb, out)


def cmd_status(client: Client, args: list[str], as_json: bool, out: TextIO) -> int:
    infos = client.call("supervisor.getAllProcessInfo")
    if args and "all" not in args:
        wanted = set(args)
        infos = [i for i in infos if _namespec(i) in wanted or f"{i['group']}:*" in wanted
                 or i["name"] in wanted]
    if as_json:
        json.dump(infos, out, indent=2)
        out.write("\n")
    else:
        status_table(infos, out)
    return 0 if all(i["statename"] == "RUNNING" for i in infos) else 3


def cmd_start(client: Client, args: list[str], as_json: bool, out: TextIO) -> int:
    return _act(client, args, as_json, out, "start", "started")


def cmd_stop(client: Client, args: list[str], as_json: bool, out: TextIO) -> int:
    return _act(client, args, as_json, out, "stop", "stopped")


def cmd_restart(client: Client, args: list[str], as_json: bool, out: TextIO) -> int:
    quiet = open(os.devnull, "w")  # noqa: SIM115 - closed below
    try:
        _act(client, args, False, quiet, "stop", "stopped")
    finally:
        quiet.close()
    return _act(client, args, as_json, out, "start", "started")


def cmd_signal(client: Client, args: list[str], as_json: bool, out: TextIO) -> int:
    if len(args) < 2:
        raise SvtoolError("usage: signal SIGNAL NAME...")
    return _act(client, args[1:], as_json, out, "signal", "signalled", (args[0],))


def cmd_pid(client: Client, args: list[str], as_json: bool, out: TextIO) -> int:
    if not args:
        pid = client.call("supervisor.getPID")
        out.write(json.dumps(pid) + "\n" if as_json else f"{pid}\n")
        return 0
    infos = client.call("supervisor.getAllProcessInfo") if args == ["all"] else [
        client.call("supervisor.getProcessInfo", n) for n in args]
    if as_json:
        json.dump({_namespec(i): i["pid"] for i in infos}, out, indent=2)
        out.write("\n")
    else:
        for i in infos:
            out.write(f"{i['pid']}\n")
    return 0


def _tail_args(args: list[str]) -> tuple[bool, int, list[str]]:
    follow, size, rest = False, 1600, []
    for a in args:
        if a == "-f":
            follow = True
        elif a.startswith("-") and a[1:].isdigit():
            size = int(a[1:])
        else:
            rest.append(a)
    return follow, size, rest


def cmd_tail(client: Client, args: list[str], as_json: bool, out: TextIO) -> int:
    follow, size, rest = _tail_args(args)
    if not rest:
        raise SvtoolError("usage: tail [-f] [-BYTES] NAME [stdout|stderr]")
    name, channel = rest[0], (rest[1] if len(rest) > 1 else "stdout")
    if follow:
        client.stream(f"/logtail/{name}/{channel}", out)
        return 0
    method = "readProcessStderrLog" if channel == "stderr" else "readProcessStdoutLog"
    data = client.call(f"supervisor.{method}", name, -size, 0)
    out.write(json.dumps(data) + "\n" if as_json else data)
    return 0


def cmd_maintail(client: Client, args: list[str], as_json: bool, out: TextIO) -> int:
    follow, size, _ = _tail_args(args)
    if follow:
        client.stream("/mainlogtail", out)
        return 0
    data = client.call("supervisor.readLog", -size, 0)
    out.write(json.dumps(data) + "\n" if as_json else data)
    return 0


def cmd_clear(client: Client, args: list[str], as_json: bool, out: TextIO) -> int:
    if args == ["all"]:
        return _results(client.call("supervisor.clearAllProcessLogs"), "cleared", out)
    for name in _targets(args):
        client.call("supervisor.clearProcessLogs", name)
        out.write(f"{name}: cleared\n")
    return 0


def cmd_avail(client: Client, args: list[str], as_json: bool, out: TextIO) -> int:
    infos = client.call("supervisor.getAllConfigInfo")
    if as_json:
        json.dump(infos, out, indent=2)
        out.write("\n")
        return 0
    for i in infos:
        name = i["name"] if i["name"] == i["group"] else f"{i['group']}:{i['name']}"
        used = "in use" if i["inuse"] else "avail"
        auto = "auto" if i["autostart"] else "manual"
        out.write(f"{name:<32} {used:<9} {auto:<9} {i['group_prio']}:{i['process_prio']}\n")
    return 0


def _reread(client: Client) -> tuple[list[str], list[str], list[str]]:
    [[added, changed, removed]] = client.call("supervisor.reloadConfig")
    return added, changed, removed


def cmd_reread(client: Client, args: list[str], as_json: bool, out: TextIO) -> int:
    added, changed, removed = _reread(client)
    if as_json:
        json.dump({"added": added, "changed": changed, "removed": removed}, out, indent=2)
        out.write("\n")
        return 0
    for names, what in ((removed, "disappeared"), (added, "available"), (changed, "changed")):
        for n in names:
            out.write(f"{n}: {what}\n")
    if not (added or changed or removed):
        out.write("No config updates to processes\n")
    return 0


def cmd_update(client: Client, args: list[str], as_json: bool, out: TextIO) -> int:
    added, changed, removed = _reread(client)
    only = set(args) - {"all"}
    for name in removed + changed:
        if only and name not in only:
            continue
        client.call("supervisor.stopProcessGroup", name)
        out.write(f"{name}: stopped\n")
        client.call("supervisor.removeProcessGroup", name)
        if name in removed:
            out.write(f"{name}: removed process group\n")
    for name in added + changed:
        if only and name not in only:
            continue
        client.call("supervisor.addProcessGroup", name)
        out.write(f"{name}: {'updated' if name in changed else 'added'} process group\n")
    return 0


def cmd_add(client: Client, args: list[str], as_json: bool, out: TextIO) -> int:
    code = 0
    for name in _targets(args):
        try:
            client.call("supervisor.addProcessGroup", name)
            out.write(f"{name}: added process group\n")
        except xmlrpc.client.Fault as f:
            out.write(f"ERROR: {f.faultString}\n")
            code = 1
    return code


def cmd_remove(client: Client, args: list[str], as_json: bool, out: TextIO) -> int:
    code = 0
    for name in _targets(args):
        try:
            client.call("supervisor.removeProcessGroup", name)
            out.write(f"{name}: removed process group\n")
        except xmlrpc.client.Fault as f:
            out.write(f"ERROR: {f.faultString}\n")
            code = 1
    return code


def cmd_reload(client: Client, args: list[str], as_json: bool, out: TextIO) -> int:
    client.call("supervisor.restart")
    out.write("Restarted supervisord\n")
    return 0


def cmd_shutdown(client: Client, args: list[str], as_json: bool, out: TextIO) -> int:
    client.call("supervisor.shutdown")
    out.write("Shut down\n")
    return 0


def cmd_version(client: Client, args: list[str], as_json: bool, out: TextIO) -> int:
    version = client.call("supervisor.getSupervisorVersion")
    out.write(json.dumps(version) + "\n" if as_json else f"{version}\n")
    return 0


COMMANDS: dict[str, Command] = {
    "status": cmd_status, "start": cmd_start, "stop": cmd_stop, "restart": cmd_restart,
    "signal": cmd_signal, "pid": cmd_pid, "tail": cmd_tail, "maintail": cmd_maintail,
    "clear": cmd_clear, "avail": cmd_avail, "reread": cmd_reread, "update": cmd_update,
    "add": cmd_add, "remove": cmd_remove, "reload": cmd_reload, "shutdown": cmd_shutdown,
    "version": cmd_version,
}


def ctl(config: str | None, serverurl: str | None, username: str | None,
        password: str | None, command: str, args: list[str], as_json: bool = False,
        out: TextIO | None = None) -> int:
    """Run one control command against the server; returns the exit code."""
    handler = COMMANDS.get(command)
    if handler is None:
        raise SvtoolError(f"unknown command {command!r}; one of: {', '.join(COMMANDS)}")
    server = server_from_config(config, serverurl, username, password)
    client = Client(server)
    try:
        return handler(client, list(args), as_json, out or sys.stdout)
    except xmlrpc.client.Fault as f:
        raise SvtoolError(f.faultString) from None
