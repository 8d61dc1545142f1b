"""What processes say and hear: info structs, their logs, their stdin, remote events."""

from __future__ import annotations

import os
import time
from typing import Any

from supervisor_tools.options.signals import signal_number
from supervisor_tools.runtime.logs import read_slice, tail_slice
from supervisor_tools.runtime.rpc.base import Base
from supervisor_tools.runtime.rpc.faults import XMLRPC_INT_MAX, RPCError
from supervisor_tools.runtime.rpc.info import clock_offset, process_info, uid_of
from supervisor_tools.runtime.states import State
from supervisor_tools.runtime.stdin import StdinFull


class OutputMethods(Base):
    """Process information, process logs, stdin and remote communication."""

    # -- information ---------------------------------------------------------------------------

    def getAllConfigInfo(self) -> list[dict[str, Any]]:
        """ Get info about all available process configurations. Each struct
        represents a single process (i.e. groups get flattened).

        @return array result  An array of process config info structs
        """
        self._update()
        out: list[dict[str, Any]] = []
        for gcfg in self.sup.group_configs:
            inuse = gcfg.name in self.sup.groups
            for pc in gcfg.processes:
                d: dict[str, Any] = {
                    "autostart": pc.autostart, "directory": pc.directory,
                    "uid": uid_of(pc.user), "command": pc.command,
                    "exitcodes": list(pc.exitcodes), "group": gcfg.name,
                    "group_prio": gcfg.priority, "inuse": inuse,
                    "killasgroup": pc.killasgroup, "name": pc.name,
                    "process_prio": pc.priority, "redirect_stderr": pc.redirect_stderr,
                    "startretries": pc.startretries, "startsecs": pc.startsecs,
                    "stopsignal": signal_number(pc.stopsignal),
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
        """ Get info about a process named name

        @param string name The name of the process (or 'group:name')
        @return struct result     A structure containing data about the process
        """
        self._update()
        group, proc = self._lookup(name)
        if proc is None:
            raise RPCError("BAD_NAME", name)
        return process_info(group.name, proc, min(int(time.time()), XMLRPC_INT_MAX),
                            clock_offset())

    def getAllProcessInfo(self) -> list[dict[str, Any]]:
        """ Get info about all processes

        @return array result  An array of process status results
        """
        self._update()
        now = min(int(time.time()), XMLRPC_INT_MAX)
        offset = clock_offset()
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
        """ Read length bytes from name's stdout log starting at offset

        @param string name        the name of the process (or 'group:name')
        @param int offset         offset to start reading from.
        @param int length         number of bytes to read from the log.
        @return string result     Bytes of log
        """
        self._update()
        return self._read(name, offset, length, "stdout")

    readProcessLog = readProcessStdoutLog

    def readProcessStderrLog(self, name: str, offset: int, length: int) -> str:
        """ Read length bytes from name's stderr log starting at offset

        @param string name        the name of the process (or 'group:name')
        @param int offset         offset to start reading from.
        @param int length         number of bytes to read from the log.
        @return string result     Bytes of log
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
        """
        Provides a more efficient way to tail the (stdout) log than
        readProcessStdoutLog().  Use readProcessStdoutLog() to read
        chunks and tailProcessStdoutLog() to tail.

        Requests (length) bytes from the (name)'s log, starting at
        (offset).  If the total log size is greater than (offset +
        length), the overflow flag is set and the (offset) is
        automatically increased to position the buffer at the end of
        the log.  If less than (length) bytes are available, the
        maximum number of available bytes will be returned.  (offset)
        returned is always the last offset in the log +1.

        @param string name         the name of the process (or 'group:name')
        @param int offset          offset to start reading from
        @param int length          maximum number of bytes to return
        @return array result       [string bytes, int offset, bool overflow]
        """
        self._update()
        return self._tail(name, offset, length, "stdout")

    tailProcessLog = tailProcessStdoutLog

    def tailProcessStderrLog(self, name: str, offset: int, length: int) -> list[Any]:
        """
        Provides a more efficient way to tail the (stderr) log than
        readProcessStderrLog().  Use readProcessStderrLog() to read
        chunks and tailProcessStderrLog() to tail.

        Requests (length) bytes from the (name)'s log, starting at
        (offset).  If the total log size is greater than (offset +
        length), the overflow flag is set and the (offset) is
        automatically increased to position the buffer at the end of
        the log.  If less than (length) bytes are available, the
        maximum number of available bytes will be returned.  (offset)
        returned is always the last offset in the log +1.

        @param string name         the name of the process (or 'group:name')
        @param int offset          offset to start reading from
        @param int length          maximum number of bytes to return
        @return array result       [string bytes, int offset, bool overflow]
        """
        self._update()
        return self._tail(name, offset, length, "stderr")

    def clearProcessLogs(self, name: str) -> bool:
        """ Clear the stdout and stderr logs for the named process and
        reopen them.

        @param string name   The name of the process (or 'group:name')
        @return boolean result      Always True unless error
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
        """ Clear all process log files

        @return array result   An array of process status info structs
        """
        self._update()
        return self._each(self.sup.all_processes(), lambda p: True, self.clearProcessLogs)

    def sendProcessStdin(self, name: str, chars: str) -> bool:
        """ Send a string of chars to the stdin of the process name.
        If non-7-bit data is sent (unicode), it is encoded to utf-8
        before being sent to the process' stdin.  If chars is not a
        string or is not unicode, raise INCORRECT_PARAMETERS.  If the
        process is not running, raise NOT_RUNNING.  If the process'
        stdin cannot accept input (e.g. it was closed by the child
        process), raise NO_FILE.

        @param string name        The process name to send to (or 'group:name')
        @param string chars       The character data to send to the process
        @return boolean result    Always return True unless error
        """
        self._update()
        if not isinstance(chars, (str, bytes)):
            raise RPCError("INCORRECT_PARAMETERS", chars)
        group, proc = self._lookup(name)
        if proc is None:
            raise RPCError("BAD_NAME", name)
        if not proc.pid or proc.state is State.STOPPING:
            raise RPCError("NOT_RUNNING", name)
        if group.config.kind == "eventlistener":
            # Its stdin carries event envelopes, written by its pool: other bytes would break
            # the protocol (supervisord mixes them in).
            raise RPCError("FAILED", f"{name}: an event listener's stdin carries its events")
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
        """ Send an event that will be received by event listener
        subprocesses subscribing to the RemoteCommunicationEvent.

        @param  string  type  String for the "type" key in the event header
        @param  string  data  Data for the event body
        @return boolean       Always return True unless error
        """
        self.sup.events.remote(type, data)
        return True
