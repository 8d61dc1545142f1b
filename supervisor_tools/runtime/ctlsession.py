"""One `svtool ctl` command's conversation: what it says, its exit status, and its JSON records.

The words and exit statuses are supervisorctl 4.3.0's (LSB init-script codes: 1 generic, 2
invalid arguments, 3 not running for `status`, 4 unknown for `status`, 7 program not running),
so a script written against supervisorctl reads the same answers from `svtool ctl`. With
`--format json` the results are collected as records and printed once at the end, and the
remarks that are not results go to stderr.
"""

from __future__ import annotations

import errno
import json
import sys
import xmlrpc.client
from typing import Any, TextIO

from supervisor_tools.runtime.ctlclient import Client, Unreachable

GENERIC, INVALID_ARGS, UNIMPLEMENTED, INSUFFICIENT_PRIVILEGES = 1, 2, 3, 4
NOT_INSTALLED, NOT_RUNNING = 5, 7
STATUS_NOT_RUNNING, STATUS_UNKNOWN = 3, 4

# supervisor's fault codes (rpc/faults.py on the server side; this client stays apart from it)
UNKNOWN_METHOD, SHUTDOWN_STATE, BAD_NAME, BAD_SIGNAL = 1, 6, 10, 11
NO_FILE, NOT_EXECUTABLE, FAILED, ABNORMAL_TERMINATION = 20, 21, 30, 40
SPAWN_ERROR, ALREADY_STARTED, FAULT_NOT_RUNNING, SUCCESS = 50, 60, 70, 80
ALREADY_ADDED, STILL_RUNNING, CANT_REREAD = 90, 91, 92
DEAD_PROGRAM_FAULTS = (SPAWN_ERROR, ABNORMAL_TERMINATION, FAULT_NOT_RUNNING)
API_VERSION = "3.0"


def split_namespec(name: str) -> tuple[str, str | None]:
    """supervisorctl's reading of `group:process`, `group:*` and `name`."""
    group, sep, process = name.partition(":")
    if not sep:
        return name, name
    return group, (None if process in ("", "*") else process)


def make_namespec(group: str, process: str | None) -> str:
    return str(process) if group == process else f"{group}:{process}"


class Session:
    def __init__(self, client: Client, out: TextIO, as_json: bool,
                 interactive: bool = False) -> None:
        self.client = client
        self.out = out
        self.as_json = as_json
        # supervisorctl's -i, or no command given: ask before shutdown and reload, and ask for
        # a user name and password when the server wants them
        self.interactive = interactive
        self.status = 0
        self.records: list[Any] = []
        self.record_value: Any = None  # a command whose JSON is one value, not a list

    def say(self, line: str) -> None:
        """A line of supervisorctl's output (a remark on stderr in JSON mode)."""
        (sys.stderr if self.as_json else self.out).write(line + "\n")

    def result(self, record: Any, line: str) -> None:
        """One result: a line of text, or a record of the JSON list."""
        if self.as_json:
            self.records.append(record)
        else:
            self.out.write(line + "\n")

    def fail(self, status: int = GENERIC) -> None:
        self.status = status

    def from_fault(self, code: int, ignored: int | None = None) -> None:
        if code in (ignored, SUCCESS):
            return
        self.status = NOT_RUNNING if code in DEAD_PROGRAM_FAULTS else GENERIC

    def usage(self, message: str, help_lines: tuple[str, ...], status: int = GENERIC) -> None:
        self.say(message)
        for line in help_lines:
            self.say(line)
        self.fail(status)

    def confirm(self, question: str) -> bool:
        """supervisorctl's y/N question, asked only interactively (EOFError at end of input)."""
        return not self.interactive or input(question).lower().startswith("y")

    def call(self, method: str, *params: Any) -> Any:
        return self.client.call(f"supervisor.{method}", *params)

    def upcheck(self) -> bool:
        """supervisorctl's check before most commands: the server answers API 3.0."""
        url = self.client.server.url
        try:
            api = self.call("getVersion")
        except xmlrpc.client.Fault as f:
            if f.faultCode != UNKNOWN_METHOD:
                raise
            self.say("Sorry, supervisord responded but did not recognize the supervisor "
                     "namespace commands that supervisorctl uses to control it.  Please check "
                     "that the [rpcinterface:supervisor] section is enabled in the "
                     "configuration file (see sample.conf).")
            self.fail(UNIMPLEMENTED)
            return False
        except Unreachable as exc:
            if exc.errno == errno.ECONNREFUSED:
                self.say(f"{url} refused connection")
                self.fail(INSUFFICIENT_PRIVILEGES)
                return False
            if exc.errno == errno.ENOENT:
                self.say(f"{url} no such file")
                self.fail(NOT_RUNNING)
                return False
            raise
        if api != API_VERSION:
            self.say(f"Sorry, this version of supervisorctl expects to talk to a server with "
                     f"API version {API_VERSION}, but the remote version is {api}.")
            self.fail(NOT_INSTALLED)
            return False
        return True

    def finish(self) -> int:
        """Print the JSON of what ran since the last finish; the exit status so far."""
        if self.as_json:
            value = self.records if self.record_value is None else self.record_value
            json.dump(value, self.out, indent=2)
            self.out.write("\n")
            self.records, self.record_value = [], None
        return self.status
