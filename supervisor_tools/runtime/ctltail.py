"""`svtool ctl` commands that read logs or talk to a process: tail, maintail and fg.

As supervisorctl 4.3.0: `tail [-f|-BYTES] NAME [stdout|stderr]`, `maintail [-f|-BYTES]`, and
`fg NAME`, which shows the process's output and sends each line typed to its stdin until the
input ends (Ctrl-D) or is interrupted (Ctrl-C), or the process is no longer running.
"""

from __future__ import annotations

import sys
import threading
import xmlrpc.client

from supervisor_tools.runtime.ctlsession import (
    BAD_NAME,
    FAILED,
    FAULT_NOT_RUNNING,
    GENERIC,
    NO_FILE,
    Session,
)

RUNNING = 20
TAIL_HELP = ("tail [-f] <name> [stdout|stderr] (default stdout)\nEx:\n"
             "tail -f <name>\t\tContinuous tail of named process stdout\n"
             "\t\t\tCtrl-C to exit.\n"
             "tail -100 <name>\tlast 100 *bytes* of process stdout\n"
             "tail <name> stderr\tlast 1600 *bytes* of process stderr",)
MAINTAIL_HELP = ("maintail -f \tContinuous tail of supervisor main log file (Ctrl-C to exit)\n"
                 "maintail -100\tlast 100 *bytes* of supervisord main log file\n"
                 "maintail\tlast 1600 *bytes* of supervisor main log file\n",)
FG_HELP = ("fg <process>\tConnect to a process in foreground mode", "\t\tCtrl-C to exit")


class _BadArgument(Exception):
    pass


def _size(s: Session, modifier: str) -> int | None:
    """-f (follow: None) or -BYTES; _BadArgument (said) for anything else."""
    what = modifier[1:]
    if what == "f":
        return None
    try:
        return int(what)
    except ValueError:
        s.say(f"Error: bad argument {modifier}")
        s.fail()
        raise _BadArgument from None


def _follow(s: Session, path: str) -> None:
    s.say("==> Press Ctrl-C to exit <==")
    try:
        s.client.stream(path, s.out)
    except KeyboardInterrupt:
        s.say("")


def _read(s: Session, name: str, method: str, size: int) -> None:
    try:
        data = s.call(method, *(() if method == "readLog" else (name,)), -size, 0)
    except xmlrpc.client.Fault as f:
        s.fail()
        words = {NO_FILE: "no log file", FAILED: "unknown error reading log"}
        if method != "readLog":
            words[BAD_NAME] = "no such process name"
        if f.faultCode not in words:
            raise
        s.say(f"{name}: ERROR ({words[f.faultCode]})")
        return
    s.record_value = data
    if not s.as_json:
        s.out.write(data + "\n")


def cmd_tail(s: Session, args: list[str]) -> None:
    if not s.upcheck():
        return
    if not args or len(args) > 3:
        s.usage(f"Error: too {'few' if not args else 'many'} arguments", TAIL_HELP)
        return
    modifier = args.pop(0) if args[0].startswith("-") else None
    if len(args) == 1:
        name, channel = args[0], "stdout"
    elif not args:
        s.say("Error: tail requires process name")
        s.fail()
        return
    else:
        name, channel = args[0], args[-1].lower()
        if channel not in ("stderr", "stdout"):
            s.say(f"Error: bad channel {channel!r}")
            s.fail()
            return
    try:
        size = 1600 if modifier is None else _size(s, modifier)
    except _BadArgument:
        return
    if size is None:
        _follow(s, f"/logtail/{name}/{channel}")
        return
    method = "readProcessStdoutLog" if channel == "stdout" else "readProcessStderrLog"
    _read(s, name, method, size)


def cmd_maintail(s: Session, args: list[str]) -> None:
    if not s.upcheck():
        return
    if len(args) > 1:
        s.usage("Error: too many arguments", MAINTAIL_HELP)
        return
    size = 1600
    if args:
        if not args[0].startswith("-"):
            s.say(f"Error: bad argument {args[0]}")
            s.fail()
            return
        try:
            given = _size(s, args[0])
        except _BadArgument:
            return
        if given is None:
            _follow(s, "/mainlogtail")
            return
        size = given
    _read(s, "supervisord", "readLog", size)


def cmd_fg(s: Session, args: list[str]) -> None:
    if not s.upcheck():
        return
    if not args:
        s.usage("ERROR: no process name supplied", FG_HELP)
        return
    if len(args) > 1:
        s.say("ERROR: too many process names supplied")
        s.fail()
        return
    name = args[0]
    try:
        info = s.call("getProcessInfo", name)
    except xmlrpc.client.Fault as f:
        if f.faultCode == BAD_NAME:
            s.say("ERROR: bad process name supplied")
            s.fail()
        else:
            s.say(f"ERROR: {f}")
        return
    if info["state"] != RUNNING:
        s.say("ERROR: process not running")
        s.fail(GENERIC)
        return
    s.say("==> Press Ctrl-C to exit <==")
    for channel in ("stdout", "stderr"):
        # the streams end with this process; daemon threads need no goodbye
        threading.Thread(target=s.client.stream, args=(f"/logtail/{name}/{channel}", s.out),
                         daemon=True).start()
    try:
        for line in sys.stdin:
            try:
                s.call("sendProcessStdin", name, line)
            except xmlrpc.client.Fault as f:
                s.say("Process got killed" if f.faultCode == FAULT_NOT_RUNNING else f"ERROR: {f}")
                s.say("Exiting foreground")
                return
            if s.call("getProcessInfo", name)["state"] != RUNNING:
                s.say("Process got killed")
                s.say("Exiting foreground")
                return
    except KeyboardInterrupt:
        pass
    s.say("Exiting foreground")
