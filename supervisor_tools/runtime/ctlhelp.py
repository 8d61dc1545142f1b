"""`svtool ctl help [TOPIC]`: supervisorctl 4.3.0's help, topic by topic, in its words."""

from __future__ import annotations

import cmd
import io

from supervisor_tools.runtime.ctlprocs import HELP as PROCESS_HELP
from supervisor_tools.runtime.ctlsession import Session
from supervisor_tools.runtime.ctltail import FG_HELP, MAINTAIL_HELP, TAIL_HELP

HELP: dict[str, tuple[str, ...]] = {
    **PROCESS_HELP,
    "tail": TAIL_HELP, "maintail": MAINTAIL_HELP, "fg": FG_HELP,
    "pid": ("pid\t\t\tGet the PID of supervisord.",
            "pid <name>\t\tGet the PID of a single child process by name.",
            "pid all\t\t\tGet the PID of every child process, one per line."),
    "avail": ("avail\t\t\tDisplay all configured processes",),
    "reread": ("reread \t\t\tReload the daemon's configuration files without add/remove",),
    "add": ("add <name> [...]\tActivates any updates in config for process/group",),
    "remove": ("remove <name> [...]\tRemoves process/group from active config",),
    "update": ("update\t\t\tReload config and add/remove as necessary, and will restart "
               "affected programs",
               "update all\t\tReload config and add/remove as necessary, and will restart "
               "affected programs",
               "update <gname> [...]\tUpdate specific groups"),
    "reload": ("reload \t\tRestart the remote supervisord.",),
    "shutdown": ("shutdown \tShut the remote supervisord down.",),
    "version": ("version\t\t\tShow the version of the remote supervisord process",),
    "open": ("open <url>\tConnect to a remote supervisord process.",
             "\t\t(for UNIX domain socket, use unix:///socket/path)"),
    "quit": ("quit\tExit the supervisor shell.",),
    "exit": ("exit\tExit the supervisor shell.",),
}
HELP_HELP = ("help\t\tPrint a list of available actions", "help <action>\tPrint help for <action>")
HEADER = "default commands (type help <topic>):"


def cmd_help(s: Session, args: list[str]) -> None:
    topic = " ".join(args).strip()
    if topic == "help":
        for line in HELP_HELP:
            s.say(line)
        return
    if topic:
        for line in HELP.get(topic, (f"*** No help on {topic}",)):
            s.say(line)
        return
    # the topics as supervisorctl lays them out: the cmd module's columns, 79 wide
    listing = io.StringIO()
    cmd.Cmd(stdout=listing).columnize(sorted(HELP), 79)  # help itself is not listed
    s.say("")
    s.say(HEADER)
    s.say("=" * len(HEADER))
    s.say(listing.getvalue())
