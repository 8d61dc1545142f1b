"""`svtool ctl`: a client for any supervisord-compatible XML-RPC server (svtool run included).

It answers as supervisorctl 4.3.0 does, word for word and with its exit statuses (the process
commands are in ctlprocs.py, the log and foreground ones in ctltail.py, the interactive shell
in ctlshell.py); `--format json` gives the results as JSON instead.
"""

from __future__ import annotations

import errno
import getpass
import sys
import xmlrpc.client
from typing import Any, TextIO

from supervisor_tools.runtime.ctlclient import (
    DEFAULT_URL,
    Client,
    Server,
    Unauthorized,
    Unreachable,
    server_from_config,
    settings_from_config,
)
from supervisor_tools.runtime.ctlhelp import cmd_help
from supervisor_tools.runtime.ctlprocs import (
    cmd_clear,
    cmd_pid,
    cmd_restart,
    cmd_signal,
    cmd_start,
    cmd_status,
    cmd_stop,
)
from supervisor_tools.runtime.ctlsession import (
    ALREADY_ADDED,
    BAD_NAME,
    CANT_REREAD,
    FAILED,
    SHUTDOWN_STATE,
    STILL_RUNNING,
    Session,
    make_namespec,
)
from supervisor_tools.runtime.ctlshell import Command, Shell, interact
from supervisor_tools.runtime.ctltail import cmd_fg, cmd_maintail, cmd_tail

__all__ = ["COMMANDS", "DEFAULT_URL", "Client", "Server", "ctl", "server_from_config"]


def _no_arguments(s: Session, name: str, args: list[str], help_line: str) -> bool:
    if args:
        s.usage(f"Error: {name} accepts no arguments", (help_line,))
        return False
    return True


def _shutting_down(s: Session, fault: xmlrpc.client.Fault, words: str) -> None:
    s.fail()
    if fault.faultCode != SHUTDOWN_STATE:
        raise fault
    s.say(words)


def cmd_avail(s: Session, args: list[str]) -> None:
    if not _no_arguments(s, "avail", args, "avail\t\t\tDisplay all configured processes"):
        return
    try:
        infos = s.call("getAllConfigInfo")
    except xmlrpc.client.Fault as f:
        _shutting_down(s, f, "ERROR: supervisor shutting down")
        return
    for i in infos:
        used = "in use" if i["inuse"] else "avail"
        auto = "auto" if i["autostart"] else "manual"
        s.result(i, f"{make_namespec(i['group'], i['name']):<32} {used:<9} {auto:<9} "
                    f"{i['group_prio']}:{i['process_prio']}")


def _reread(s: Session, words: str) -> tuple[list[str], list[str], list[str]] | None:
    try:
        [[added, changed, removed]] = s.call("reloadConfig")
    except xmlrpc.client.Fault as f:
        if f.faultCode == CANT_REREAD:
            s.fail()
            s.say(f"ERROR: {f.faultString}")
            return None
        _shutting_down(s, f, words)
        return None
    return added, changed, removed


def cmd_reread(s: Session, args: list[str]) -> None:
    help_line = "reread \t\t\tReload the daemon's configuration files without add/remove"
    if not _no_arguments(s, "reread", args, help_line):
        return
    changes = _reread(s, "ERROR: supervisor shutting down")
    if changes is None:
        return
    added, changed, removed = changes
    s.record_value = {"added": added, "changed": changed, "removed": removed}
    words = {n: w for names, w in ((added, "available"), (changed, "changed"),
                                   (removed, "disappeared")) for n in names}
    for name in sorted(words):
        s.result(name, f"{name}: {words[name]}")
    if not words:
        s.say("No config updates to processes")


def cmd_update(s: Session, args: list[str]) -> None:
    changes = _reread(s, "ERROR: already shutting down")
    if changes is None:
        return
    added, changed, removed = changes
    wanted = set(args) - {"all"} if "all" not in args else set()
    if wanted:
        groups = {i["group"] for i in s.call("getAllProcessInfo")} | set(added)
        for name in sorted(wanted - groups):
            s.say(f"ERROR: no such group: {name}")
            s.fail()
    chosen = [(n, w) for names, w in ((removed, "removed"), (changed, "updated"),
                                      (added, "added")) for n in names
              if not wanted or n in wanted]
    for name, what in chosen:
        if what != "added":
            results = s.call("stopProcessGroup", name)
            s.result({"group": name, "action": "stopped"}, f"{name}: stopped")
            if what == "removed" and any(r["status"] == FAILED for r in results):
                s.say(f"{name}: has problems; not removing")
                s.fail()
                continue
            s.call("removeProcessGroup", name)
        if what != "removed":
            s.call("addProcessGroup", name)
        s.result({"group": name, "action": what},
                 f"{name}: {'removed' if what == 'removed' else what} process group")


def cmd_add(s: Session, args: list[str]) -> None:
    for name in args:
        try:
            s.call("addProcessGroup", name)
        except xmlrpc.client.Fault as f:
            if f.faultCode == ALREADY_ADDED:
                s.say("ERROR: process group already active")
                continue
            s.fail()
            if f.faultCode == SHUTDOWN_STATE:
                s.say("ERROR: shutting down")
            elif f.faultCode == BAD_NAME:
                s.say(f"ERROR: no such process/group: {name}")
            else:
                raise
            continue
        s.result({"group": name, "action": "added"}, f"{name}: added process group")


def cmd_remove(s: Session, args: list[str]) -> None:
    for name in args:
        try:
            s.call("removeProcessGroup", name)
        except xmlrpc.client.Fault as f:
            s.fail()
            if f.faultCode == STILL_RUNNING:
                s.say(f"ERROR: process/group still running: {name}")
            elif f.faultCode == BAD_NAME:
                s.say(f"ERROR: no such process/group: {name}")
            else:
                raise
            continue
        s.result({"group": name, "action": "removed"}, f"{name}: removed process group")


def cmd_reload(s: Session, args: list[str]) -> None:
    if not _no_arguments(s, "reload", args, "reload \t\tRestart the remote supervisord."):
        return
    if not s.confirm("Really restart the remote supervisord process y/N? "):
        return
    try:
        s.call("restart")
    except xmlrpc.client.Fault as f:
        _shutting_down(s, f, "ERROR: already shutting down")
        return
    s.result("restarted", "Restarted supervisord")


def cmd_shutdown(s: Session, args: list[str]) -> None:
    if not _no_arguments(s, "shutdown", args, "shutdown \tShut the remote supervisord down."):
        return
    if not s.confirm("Really shut the remote supervisord process down y/N? "):
        return
    url = s.client.server.url
    try:
        s.call("shutdown")
    except xmlrpc.client.Fault as f:
        _shutting_down(s, f, "ERROR: already shutting down")
        return
    except Unreachable as exc:
        s.fail()
        why = {errno.ECONNREFUSED: "refused connection", errno.ENOENT: "no such file"}
        if exc.errno not in why:
            raise
        s.say(f"ERROR: {url} {why[exc.errno]} (already shut down?)")
        return
    s.result("shut down", "Shut down")


def cmd_version(s: Session, args: list[str]) -> None:
    help_line = "version\t\t\tShow the version of the remote supervisord process"
    if not _no_arguments(s, "version", args, help_line) or not s.upcheck():
        return
    version = s.call("getSupervisorVersion")
    s.record_value = version
    s.result(version, version)


def cmd_quit(s: Session, args: list[str]) -> None:
    # the shell's way out (the shell leaves after it); as a command, an empty line
    s.say("")


def cmd_open(s: Session, args: list[str]) -> None:
    from urllib.parse import urlparse

    url = " ".join(args).strip()
    if urlparse(url).scheme not in ("unix", "http"):
        s.say("ERROR: url must be http:// or unix://")
        s.fail()
        return
    server = s.client.server
    s.client = Client(Server(url, server.username, server.password))
    before = s.status
    cmd_status(s, [])
    s.status = before  # as supervisorctl: what status found does not count


COMMANDS: dict[str, Command] = {
    "status": cmd_status, "start": cmd_start, "stop": cmd_stop, "restart": cmd_restart,
    "signal": cmd_signal, "pid": cmd_pid, "tail": cmd_tail, "maintail": cmd_maintail,
    "clear": cmd_clear, "fg": cmd_fg, "avail": cmd_avail, "reread": cmd_reread,
    "update": cmd_update, "add": cmd_add, "remove": cmd_remove, "reload": cmd_reload,
    "shutdown": cmd_shutdown, "version": cmd_version, "help": cmd_help, "quit": cmd_quit,
    "exit": cmd_quit, "open": cmd_open,
}


# what the shell also answers to, without listing it: the end of input leaves, as quit does
LINE_COMMANDS: dict[str, Command] = {**COMMANDS, "EOF": cmd_quit}


def ctl(config: str | None, serverurl: str | None, username: str | None,
        password: str | None, command: str | None, args: list[str], as_json: bool = False,
        out: TextIO | None = None, interactive: bool = False,
        history_file: str | None = None) -> int:
    """Run one control command, or the interactive shell when there is none (exit status 0).

    As supervisorctl 4.3.0, -i with a command runs that command alone, but as the shell would:
    shutdown and reload ask first, and a server wanting a password has it asked for.
    """
    server, settings = settings_from_config(config, serverurl, username, password)
    s = Session(Client(server), out or sys.stdout, as_json, interactive or command is None)
    shell = Shell(s, LINE_COMMANDS, run_command, COMMANDS, settings.prompt)
    if command is None:
        interact(shell, history_file or settings.history_file)
        return 0
    # supervisorctl reads the command line's words as one line typed into its shell
    shell.onecmd(" ".join([command, *args]))
    return s.finish()


def run_command(s: Session, handler: Command, args: list[str]) -> None:
    """One command, with supervisorctl's answers to what can go wrong on the way."""
    try:
        try:
            handler(s, list(args))
        except Unauthorized:
            s.say("Server requires authentication")
            if not s.interactive:
                s.fail()
                return
            username = input("Username:")
            password = getpass.getpass(prompt="Password:")
            s.say("")
            s.client = Client(Server(s.client.server.url, username, password))
            run_command(s, handler, args)
    except (xmlrpc.client.Fault, Unreachable, ValueError, EOFError) as exc:
        # supervisorctl's last resort: one line naming what went wrong, status 1
        s.say(f"error: {_describe(exc)}")
        s.fail()


def _describe(exc: Any) -> str:
    cause = exc.exc if isinstance(exc, Unreachable) else exc
    return f"{type(cause)}, {cause}"
