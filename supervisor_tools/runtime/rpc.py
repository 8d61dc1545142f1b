"""XML-RPC API 3.0: the `supervisor.*` and `system.*` methods with supervisord's faults and shapes.

A method returns a value, raises RPCError, or returns a Deferred whose `poll()` the HTTP layer
calls after every batch of loop events until it stops answering NOT_DONE. Other namespaces
(event listeners, a later issue) register through `Dispatcher.add_namespace`.
"""

from __future__ import annotations

import datetime
import inspect
import os
import signal as signal_mod
import time
from collections.abc import Callable
from typing import Any

from supervisor_tools.runtime.logs import read_slice, tail_slice
from supervisor_tools.runtime.process import Process
from supervisor_tools.runtime.states import (
    RUNNING_STATES,
    SIGNALLABLE_STATES,
    STOPPED_STATES,
    State,
)
from supervisor_tools.runtime.stdin import StdinFull
from supervisor_tools.runtime.supervisor import Group, Mood, Supervisor

API_VERSION = "3.0"
# supervisorctl compares versions only for display; report the supervisor release we mirror.
SUPERVISOR_VERSION = "4.3.0"

FAULTS = {
    "UNKNOWN_METHOD": 1, "INCORRECT_PARAMETERS": 2, "BAD_ARGUMENTS": 3,
    "SIGNATURE_UNSUPPORTED": 4, "SHUTDOWN_STATE": 6, "BAD_NAME": 10, "BAD_SIGNAL": 11,
    "NO_FILE": 20, "NOT_EXECUTABLE": 21, "FAILED": 30, "ABNORMAL_TERMINATION": 40,
    "SPAWN_ERROR": 50, "ALREADY_STARTED": 60, "NOT_RUNNING": 70, "SUCCESS": 80,
    "ALREADY_ADDED": 90, "STILL_RUNNING": 91, "CANT_REREAD": 92,
}

XMLRPC_INT_MAX = 2**31 - 1


class RPCError(Exception):
    def __init__(self, name: str, detail: object = None) -> None:
        self.code = FAULTS[name]
        self.text = name if detail is None else f"{name}: {detail}"
        super().__init__(self.text)


class _NotDone:
    def __repr__(self) -> str:
        return "NOT_DONE"


NOT_DONE: Any = _NotDone()


class Deferred:
    """A reply that is not ready yet; `poll` answers NOT_DONE, a value, or raises RPCError."""

    def __init__(self, poll: Callable[[], Any]) -> None:
        self.poll = poll


def split_namespec(name: str) -> tuple[str, str | None]:
    if ":" in name:
        group, process = name.split(":", 1)
        return group, (None if process in ("", "*") else process)
    return name, name


def make_namespec(group: str, process: str) -> str:
    return process if group == process else f"{group}:{process}"


def signal_number(value: object) -> int:
    try:
        num = int(str(value))
    except (TypeError, ValueError):
        name = str(value).strip().upper()
        if not name.startswith("SIG"):
            name = "SIG" + name
        sig = getattr(signal_mod, name, None)
        if not isinstance(sig, int):
            raise ValueError(value) from None
        num = int(sig)
    if num not in set(signal_mod.Signals):
        raise ValueError(value)
    return num


def _clock_offset() -> float:
    return time.time() - time.monotonic()


def _epoch(mono: float, offset: float) -> int:
    return min(int(mono + offset), XMLRPC_INT_MAX) if mono else 0


def uptime(seconds: int) -> str:
    """`str(datetime.timedelta(seconds=...))` for whole seconds, without building one."""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours}:{minutes:02d}:{secs:02d}"
    if days:
        return f"{days} day{'' if days == 1 else 's'}, {clock}"
    return clock


def describe(state: State, info: dict[str, Any]) -> str:
    if state is State.RUNNING:
        up = max(0, info["now"] - info["start"])
        return f"pid {info['pid']}, uptime {uptime(up)}"
    if state in (State.FATAL, State.BACKOFF):
        return str(info["spawnerr"]) or f'unknown error (try "tail {info["name"]}")'
    if state in (State.STOPPED, State.EXITED):
        if info["start"]:
            return datetime.datetime.fromtimestamp(info["stop"]).strftime("%b %d %I:%M %p")
        return "Not started"
    return ""


def process_info(group: str, proc: Process, now: int, offset: float) -> dict[str, Any]:
    r = proc.record
    info: dict[str, Any] = {
        "name": proc.name, "group": group,
        "start": _epoch(r.laststart, offset), "stop": _epoch(r.laststop, offset), "now": now,
        "state": int(r.state), "statename": r.state.name, "spawnerr": r.spawnerr,
        "exitstatus": r.exitstatus or 0, "logfile": proc.stdout_logfile,
        "stdout_logfile": proc.stdout_logfile, "stderr_logfile": proc.stderr_logfile,
        "pid": r.pid,
    }
    info["description"] = describe(r.state, info)
    return info


Result = dict[str, Any]


def _result(group: str, proc: str, code: int, text: str) -> Result:
    return {"name": proc, "group": group, "status": code, "description": text}


class SupervisorNamespace:
    """The `supervisor.*` methods. Docstring tags feed system.methodHelp/methodSignature."""

    def __init__(self, sup: Supervisor) -> None:
        self.sup = sup

    # -- helpers -------------------------------------------------------------------------------

    def _update(self) -> None:
        if self.sup.mood < Mood.RUNNING:
            raise RPCError("SHUTDOWN_STATE")

    def _lookup(self, name: str) -> tuple[Group, Process | None]:
        gname, pname = split_namespec(name)
        group, proc = self.sup.find(gname, pname)
        if group is None or (pname is not None and proc is None):
            raise RPCError("BAD_NAME", name)
        return group, proc

    def _each(self, procs: list[tuple[Group, Process]], predicate: Callable[[Process], bool],
              func: Callable[[str], Any]) -> Any:
        results: list[Result] = []
        waiting: list[tuple[Group, Process, Deferred]] = []
        for group, proc in procs:
            if not predicate(proc):
                continue
            try:
                value = func(make_namespec(group.name, proc.name))
            except RPCError as exc:
                results.append(_result(group.name, proc.name, exc.code, exc.text))
                continue
            if isinstance(value, Deferred):
                waiting.append((group, proc, value))
            else:
                results.append(_result(group.name, proc.name, FAULTS["SUCCESS"], "OK"))
        if not waiting:
            return results

        def poll() -> Any:
            for item in list(waiting):
                group, proc, deferred = item
                try:
                    value = deferred.poll()
                except RPCError as exc:
                    results.append(_result(group.name, proc.name, exc.code, exc.text))
                    waiting.remove(item)
                    continue
                if value is not NOT_DONE:
                    results.append(_result(group.name, proc.name, FAULTS["SUCCESS"], "OK"))
                    waiting.remove(item)
            return NOT_DONE if waiting else results

        return Deferred(poll)

    def _log_path(self, proc: Process, channel: str) -> str:
        return proc.log_path(channel)

    # -- status and control of supervisord ------------------------------------------------------

    def getAPIVersion(self) -> str:
        """Return the version of the RPC API used by supervisord.

        @return string version
        """
        return API_VERSION

    getVersion = getAPIVersion

    def getSupervisorVersion(self) -> str:
        """Return the version of the supervisor package in use by supervisord.

        @return string version
        """
        return SUPERVISOR_VERSION

    def getIdentification(self) -> str:
        """Return the identifier string of this supervisord.

        @return string identifier
        """
        return self.sup.identifier

    def getState(self) -> dict[str, Any]:
        """Return the current state of supervisord as a struct.

        @return struct result {statecode, statename}
        """
        return {"statecode": int(self.sup.mood), "statename": self.sup.mood.name}

    def getPID(self) -> int:
        """Return the PID of supervisord.

        @return int PID
        """
        return os.getpid()

    def readLog(self, offset: int, length: int) -> str:
        """Read length bytes from the main log starting at offset.

        @param int offset offset to start reading from
        @param int length number of bytes to read from the log
        @return string result bytes of log
        """
        self._update()
        path = self.sup.log.path
        if not path or not os.path.exists(path):
            # With logfile=syslog supervisord names that value, as if it were a file.
            raise RPCError("NO_FILE", path or ("syslog" if self.sup.log.syslog else None))
        try:
            return read_slice(path, int(offset), int(length)).decode("utf-8", "replace")
        except ValueError as exc:
            raise RPCError(str(exc)) from None

    readMainLog = readLog

    def clearLog(self) -> bool:
        """Clear the main log.

        @return boolean result always true unless error
        """
        self._update()
        path = self.sup.log.path
        if not path or not os.path.exists(path):
            raise RPCError("NO_FILE")
        try:
            os.remove(path)
        except OSError:
            raise RPCError("FAILED") from None
        self.sup.log.reopen()
        self.sup.log.info("reopening log file")
        return True

    def shutdown(self) -> bool:
        """Shut down the supervisor process.

        @return boolean result always true unless error
        """
        self._update()
        self.sup.shutdown()
        return True

    def restart(self) -> bool:
        """Restart the supervisor process.

        @return boolean result always true unless error
        """
        self._update()
        errors = self.sup.restart()
        if errors:
            # Nothing was stopped: the running configuration stays (supervisord would exit).
            raise RPCError("CANT_REREAD", "\n".join(errors))
        return True

    # -- configuration -------------------------------------------------------------------------

    def reloadConfig(self) -> list[list[list[str]]]:
        """Reload the configuration.

        @return array result [[added, changed, removed]]
        """
        self._update()
        try:
            added, changed, removed = self.sup.reread()
        except ValueError as exc:
            raise RPCError("CANT_REREAD", exc) from None
        return [[added, changed, removed]]

    def addProcessGroup(self, name: str) -> bool:
        """Update the config for a running process from config file.

        @param string name name of process group to add
        @return boolean result true if successful
        """
        self._update()
        ok = self.sup.add_group(name)
        if ok is None:
            raise RPCError("BAD_NAME", name)
        if not ok:
            raise RPCError("ALREADY_ADDED", name)
        return True

    def removeProcessGroup(self, name: str) -> bool:
        """Remove a stopped process group from the active configuration.

        @param string name name of process group to remove
        @return boolean result true if successful
        """
        self._update()
        if name not in self.sup.groups:
            raise RPCError("BAD_NAME", name)
        if not self.sup.remove_group(name):
            raise RPCError("STILL_RUNNING", name)
        return True

    # -- starting and stopping -----------------------------------------------------------------

    def startProcess(self, name: str, wait: bool = True) -> Any:
        """Start a process.

        @param string name process name (or group:name, or group:*)
        @param boolean wait wait for the process to be fully started
        @return boolean result always true unless error
        """
        self._update()
        group, proc = self._lookup(name)
        if proc is None:
            return self.startProcessGroup(group.name, wait)
        try:
            proc.get_plan()
        except Exception as exc:  # SpawnError carries the fault name
            fault = getattr(exc, "fault", "SPAWN_ERROR")
            if fault in ("NO_FILE", "NOT_EXECUTABLE"):
                raise RPCError(fault, getattr(exc, "message", str(exc))) from None
        if proc.state in RUNNING_STATES:
            raise RPCError("ALREADY_STARTED", name)
        if proc.state is State.UNKNOWN:
            raise RPCError("FAILED", f"{name} is in an unknown process state")
        proc.start()
        self.sup.reap()
        if proc.record.spawnerr:
            raise RPCError("SPAWN_ERROR", name)
        if not wait or proc.state is State.RUNNING:
            return True

        def poll() -> Any:
            if proc.record.spawnerr:
                raise RPCError("SPAWN_ERROR", name)
            if proc.state not in (State.STARTING, State.RUNNING):
                raise RPCError("ABNORMAL_TERMINATION", name)
            return True if proc.state is State.RUNNING else NOT_DONE

        return Deferred(poll)

    def startProcessGroup(self, name: str, wait: bool = True) -> Any:
        """Start all processes in the group named name.

        @param string name the group name
        @param boolean wait wait for each process to be fully started
        @return array result an array of process status info structs
        """
        self._update()
        group = self.sup.groups.get(name)
        if group is None:
            raise RPCError("BAD_NAME", name)
        procs = [(group, p) for p in group.sorted()]
        return self._each(procs, lambda p: p.state not in RUNNING_STATES,
                          lambda n: self.startProcess(n, wait))

    def startAllProcesses(self, wait: bool = True) -> Any:
        """Start all processes listed in the configuration file.

        @param boolean wait wait for each process to be fully started
        @return array result an array of process status info structs
        """
        self._update()
        return self._each(self.sup.all_processes(), lambda p: p.state not in RUNNING_STATES,
                          lambda n: self.startProcess(n, wait))

    def stopProcess(self, name: str, wait: bool = True) -> Any:
        """Stop a process named by name.

        @param string name the name of the process to stop (or group:name)
        @param boolean wait wait for the process to be fully stopped
        @return boolean result always true unless error
        """
        self._update()
        group, proc = self._lookup(name)
        if proc is None:
            return self.stopProcessGroup(group.name, wait)
        if proc.state not in RUNNING_STATES:
            raise RPCError("NOT_RUNNING", name)
        proc.stop()
        if proc.state is State.UNKNOWN:
            raise RPCError("FAILED", proc.record.spawnerr or f"{name} could not be signalled")
        self.sup.reap()
        if not wait or proc.state in STOPPED_STATES:
            return True
        return Deferred(lambda: True if proc.state in STOPPED_STATES else NOT_DONE)

    def stopProcessGroup(self, name: str, wait: bool = True) -> Any:
        """Stop all processes in the process group named name.

        @param string name the group name
        @param boolean wait wait for each process to be fully stopped
        @return array result an array of process status info structs
        """
        self._update()
        group = self.sup.groups.get(name)
        if group is None:
            raise RPCError("BAD_NAME", name)
        procs = [(group, p) for p in group.sorted()]
        return self._each(procs, lambda p: p.state in RUNNING_STATES,
                          lambda n: self.stopProcess(n, wait))

    def stopAllProcesses(self, wait: bool = True) -> Any:
        """Stop all processes in the process list.

        @param boolean wait wait for each process to be fully stopped
        @return array result an array of process status info structs
        """
        self._update()
        return self._each(self.sup.all_processes(), lambda p: p.state in RUNNING_STATES,
                          lambda n: self.stopProcess(n, wait))

    def signalProcess(self, name: str, signal: str) -> Any:
        """Send an arbitrary UNIX signal to the process named by name.

        @param string name name of the process to signal (or group:name)
        @param string signal signal to send, as name (HUP) or number (1)
        @return boolean result always true unless error
        """
        self._update()
        group, proc = self._lookup(name)
        if proc is None:
            return self.signalProcessGroup(group.name, signal)
        try:
            sig = signal_number(signal)
        except ValueError:
            raise RPCError("BAD_SIGNAL", signal) from None
        if proc.state not in SIGNALLABLE_STATES:
            raise RPCError("NOT_RUNNING", name)
        msg = proc.signal(sig)
        if msg is not None:
            raise RPCError("FAILED", msg)
        return True

    def signalProcessGroup(self, name: str, signal: str) -> Any:
        """Send a signal to all processes in the group named name.

        @param string name the group name
        @param string signal signal to send, as name (HUP) or number (1)
        @return array result an array of process status info structs
        """
        group = self.sup.groups.get(name)
        self._update()
        if group is None:
            raise RPCError("BAD_NAME", name)
        procs = [(group, p) for p in group.sorted()]
        return self._each(procs, lambda p: p.state in SIGNALLABLE_STATES,
                          lambda n: self.signalProcess(n, signal))

    def signalAllProcesses(self, signal: str) -> Any:
        """Send a signal to all processes in the process list.

        @param string signal signal to send, as name (HUP) or number (1)
        @return array result an array of process status info structs
        """
        result = self._each(self.sup.all_processes(), lambda p: p.state in SIGNALLABLE_STATES,
                            lambda n: self.signalProcess(n, signal))
        self._update()
        return result

    # -- information ---------------------------------------------------------------------------

    def getAllConfigInfo(self) -> list[dict[str, Any]]:
        """Get info about all available process configurations.

        @return array result an array of process config info structs
        """
        self._update()
        out: list[dict[str, Any]] = []
        for gcfg in self.sup.group_configs:
            inuse = gcfg.name in self.sup.groups
            for pc in gcfg.processes:
                d: dict[str, Any] = {
                    "autostart": pc.autostart, "directory": pc.directory,
                    "uid": _uid(pc.user), "command": pc.command,
                    "exitcodes": list(pc.exitcodes), "group": gcfg.name,
                    "group_prio": gcfg.priority, "inuse": inuse,
                    "killasgroup": pc.killasgroup, "name": pc.name,
                    "process_prio": pc.priority, "redirect_stderr": pc.redirect_stderr,
                    "startretries": pc.startretries, "startsecs": pc.startsecs,
                    "stopsignal": int(getattr(signal_mod, "SIG" + pc.stopsignal)),
                    "stopwaitsecs": pc.stopwaitsecs,
                    "serverurl": "auto" if pc.serverurl in (None, "AUTO") else pc.serverurl,
                }
                for ch in ("stdout", "stderr"):
                    logfile = getattr(pc, f"{ch}_logfile")
                    if ch == "stderr" and pc.redirect_stderr:
                        logfile = "NONE"
                    d[f"{ch}_capture_maxbytes"] = getattr(pc, f"{ch}_capture_maxbytes")
                    d[f"{ch}_events_enabled"] = getattr(pc, f"{ch}_events_enabled")
                    d[f"{ch}_logfile"] = ("auto" if logfile == "AUTO" else
                                          "none" if logfile in ("NONE", "OFF", "") else logfile)
                    d[f"{ch}_logfile_backups"] = getattr(pc, f"{ch}_logfile_backups")
                    d[f"{ch}_logfile_maxbytes"] = getattr(pc, f"{ch}_logfile_maxbytes")
                    d[f"{ch}_syslog"] = getattr(pc, f"{ch}_syslog")
                out.append({k: ("none" if v is None else v) for k, v in d.items()})
        out.sort(key=lambda r: r["name"])
        return out

    def getProcessInfo(self, name: str) -> dict[str, Any]:
        """Get info about a process named name.

        @param string name the name of the process (or group:name)
        @return struct result a structure containing data about the process
        """
        self._update()
        group, proc = self._lookup(name)
        if proc is None:
            raise RPCError("BAD_NAME", name)
        return process_info(group.name, proc, min(int(time.time()), XMLRPC_INT_MAX),
                            _clock_offset())

    def getAllProcessInfo(self) -> list[dict[str, Any]]:
        """Get info about all processes.

        @return array result an array of process status results
        """
        self._update()
        now = min(int(time.time()), XMLRPC_INT_MAX)
        offset = _clock_offset()
        return [process_info(g.name, p, now, offset) for g, p in self.sup.lexical_processes()]

    # -- process logs --------------------------------------------------------------------------

    def _read(self, name: str, offset: int, length: int, channel: str) -> str:
        _group, proc = self._lookup(name)
        if proc is None:
            raise RPCError("BAD_NAME", name)
        path = self._log_path(proc, channel)
        if not path or not os.path.exists(path):
            raise RPCError("NO_FILE", path or None)
        try:
            return read_slice(path, int(offset), int(length)).decode("utf-8", "replace")
        except ValueError as exc:
            raise RPCError(str(exc)) from None

    def readProcessStdoutLog(self, name: str, offset: int, length: int) -> str:
        """Read length bytes from name's stdout log starting at offset.

        @param string name the name of the process (or group:name)
        @param int offset offset to start reading from
        @param int length number of bytes to read from the log
        @return string result bytes of log
        """
        self._update()
        return self._read(name, offset, length, "stdout")

    readProcessLog = readProcessStdoutLog

    def readProcessStderrLog(self, name: str, offset: int, length: int) -> str:
        """Read length bytes from name's stderr log starting at offset.

        @param string name the name of the process (or group:name)
        @param int offset offset to start reading from
        @param int length number of bytes to read from the log
        @return string result bytes of log
        """
        self._update()
        return self._read(name, offset, length, "stderr")

    def _tail(self, name: str, offset: int, length: int, channel: str) -> list[Any]:
        _group, proc = self._lookup(name)
        if proc is None:
            raise RPCError("BAD_NAME", name)
        path = self._log_path(proc, channel)
        if not path or not os.path.exists(path):
            return ["", 0, False]
        data, new_offset, overflow = tail_slice(path, int(offset), int(length))
        return [data.decode("utf-8", "replace"), new_offset, overflow]

    def tailProcessStdoutLog(self, name: str, offset: int, length: int) -> list[Any]:
        """Tail name's stdout log: return up to length bytes from offset, moving to the end.

        @param string name the name of the process (or group:name)
        @param int offset offset to start reading from
        @param int length maximum number of bytes to return
        @return array result [string bytes, int offset, bool overflow]
        """
        self._update()
        return self._tail(name, offset, length, "stdout")

    tailProcessLog = tailProcessStdoutLog

    def tailProcessStderrLog(self, name: str, offset: int, length: int) -> list[Any]:
        """Tail name's stderr log: return up to length bytes from offset, moving to the end.

        @param string name the name of the process (or group:name)
        @param int offset offset to start reading from
        @param int length maximum number of bytes to return
        @return array result [string bytes, int offset, bool overflow]
        """
        self._update()
        return self._tail(name, offset, length, "stderr")

    def clearProcessLogs(self, name: str) -> bool:
        """Clear the stdout and stderr logs for the named process and reopen them.

        @param string name the name of the process (or group:name)
        @return boolean result always true unless error
        """
        self._update()
        _group, proc = self._lookup(name)
        if proc is None:
            raise RPCError("BAD_NAME", name)
        try:
            proc.clear_logs()
        except OSError:
            raise RPCError("FAILED", name) from None
        return True

    clearProcessLog = clearProcessLogs

    def clearAllProcessLogs(self) -> Any:
        """Clear all process log files.

        @return array result an array of process status info structs
        """
        self._update()
        return self._each(self.sup.all_processes(), lambda p: True, self.clearProcessLogs)

    def sendProcessStdin(self, name: str, chars: str) -> bool:
        """Send a string of chars to the stdin of the process name.

        @param string name the process name to send to (or group:name)
        @param string chars the character data to send to the process
        @return boolean result always return true unless error
        """
        self._update()
        if not isinstance(chars, (str, bytes)):
            raise RPCError("INCORRECT_PARAMETERS", chars)
        _group, proc = self._lookup(name)
        if proc is None:
            raise RPCError("BAD_NAME", name)
        if not proc.pid or proc.state is State.STOPPING:
            raise RPCError("NOT_RUNNING", name)
        data = chars.encode("utf-8") if isinstance(chars, str) else chars
        try:
            proc.write_stdin(data)
        except StdinFull as exc:
            # supervisord buffers without a bound; svtool refuses the whole call instead.
            raise RPCError("FAILED", f"{name}: stdin buffer full ({exc})") from None
        except OSError:
            raise RPCError("NO_FILE", name) from None
        return True

    def sendRemoteCommEvent(self, type: str, data: str) -> bool:
        """Send an event that will be received by event listener subprocesses.

        @param string type string for the "type" key in the event header
        @param string data data for the event body
        @return boolean always return true unless error
        """
        self.sup.events.remote(type, data)
        return True


def _uid(user: str | None) -> int | None:
    if not user:
        return None
    import pwd

    try:
        return pwd.getpwuid(int(user)).pw_uid if user.isdigit() else pwd.getpwnam(user).pw_uid
    except (KeyError, ValueError):
        return None


class Dispatcher:
    """Resolves `namespace.method` names and runs calls, including system.multicall."""

    def __init__(self) -> None:
        self.methods: dict[str, Callable[..., Any]] = {}
        self.add_namespace("system", SystemNamespace(self))

    def add_namespace(self, prefix: str, obj: object) -> None:
        for attr in dir(obj):
            if attr.startswith("_"):
                continue
            fn = getattr(obj, attr)
            if callable(fn):
                self.methods[f"{prefix}.{attr}"] = fn

    def call(self, name: str, params: tuple[Any, ...] | list[Any]) -> Any:
        fn = self.methods.get(name)
        if fn is None or "." not in name or name.split(".", 1)[1].startswith("_"):
            raise RPCError("UNKNOWN_METHOD")
        try:
            inspect.signature(fn).bind(*params)
        except TypeError:
            raise RPCError("INCORRECT_PARAMETERS") from None
        return fn(*params)


class SystemNamespace:
    def __init__(self, dispatcher: Dispatcher) -> None:
        self._d = dispatcher

    def listMethods(self) -> list[str]:
        """Return an array listing the available method names.

        @return array result an array of method names available (strings)
        """
        return sorted(self._d.methods)

    def methodHelp(self, name: str) -> str:
        """Return a string showing the method's documentation.

        @param string name the name of the method
        @return string result the documentation for the method name
        """
        fn = self._d.methods.get(name)
        if fn is None:
            raise RPCError("SIGNATURE_UNSUPPORTED")
        return inspect.getdoc(fn) or ""

    def methodSignature(self, name: str) -> list[str]:
        """Return an array describing the method signature: [return type, param types...].

        @param string name the name of the method
        @return array result the result
        """
        fn = self._d.methods.get(name)
        if fn is None:
            raise RPCError("SIGNATURE_UNSUPPORTED")
        ret = "undef"
        params: list[str] = []
        for line in (inspect.getdoc(fn) or "").splitlines():
            words = line.split()
            if len(words) >= 2 and words[0] == "@param":
                params.append(words[1])
            elif len(words) >= 2 and words[0] == "@return":
                ret = words[1]
        return [ret, *params]

    def multicall(self, calls: list[dict[str, Any]]) -> Any:
        """Process an array of calls and return an array of results.

        @param array calls an array of call requests
        @return array result an array of results
        """
        remaining = list(calls)
        results: list[Any] = []
        current: list[Deferred] = []

        def fault(exc: RPCError) -> dict[str, Any]:
            return {"faultCode": exc.code, "faultString": exc.text}

        def run() -> Any:
            if current:
                try:
                    value = current[0].poll()
                except RPCError as exc:
                    value = fault(exc)
                if value is NOT_DONE:
                    return NOT_DONE
                current.pop()
                results.append(value)
            while remaining:
                call = remaining.pop(0)
                name = call.get("methodName")
                try:
                    if name is None:
                        raise RPCError("INCORRECT_PARAMETERS", "No methodName")
                    if name == "system.multicall":
                        raise RPCError("INCORRECT_PARAMETERS",
                                       "Recursive system.multicall forbidden")
                    value = self._d.call(name, call.get("params", []))
                except RPCError as exc:
                    value = fault(exc)
                if isinstance(value, Deferred):
                    current.append(value)
                    return run()
                results.append(value)
            return results

        value = run()
        return Deferred(run) if value is NOT_DONE else value


def make_dispatcher(sup: Supervisor) -> Dispatcher:
    d = Dispatcher()
    d.add_namespace("supervisor", SupervisorNamespace(sup))
    return d
