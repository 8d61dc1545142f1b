"""Value types of supervisor options: conversion from config text, back to text, JSON Schema.

Each `convert` accepts exactly what supervisord 4.3.0 accepts and raises ConversionError (a
ValueError) with a message naming the bad value and a kind saying why it failed. Types that
consult the machine (users, directories; in hosttypes.py) do so only when `host` is true, so a
config written for another machine can be checked here. The base class is in valuetype.py and
the environment tokenizer in environment.py; every type is importable from here.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

# the refusal error, the signal table and the value types of their own modules, re-exported:
# every value type and its helpers are reachable here
from supervisor_tools.options.conversion import HOST_PATH as HOST_PATH
from supervisor_tools.options.conversion import HOST_USER as HOST_USER
from supervisor_tools.options.conversion import INVALID as INVALID
from supervisor_tools.options.conversion import ConversionError as ConversionError
from supervisor_tools.options.environment import EnvironmentType as EnvironmentType
from supervisor_tools.options.environment import environment_pairs as environment_pairs
from supervisor_tools.options.environment import environment_tokens as environment_tokens
from supervisor_tools.options.hosttypes import DirectoryType as DirectoryType
from supervisor_tools.options.hosttypes import DirpathType as DirpathType
from supervisor_tools.options.hosttypes import LogfileType as LogfileType
from supervisor_tools.options.hosttypes import MainLogfileType as MainLogfileType
from supervisor_tools.options.hosttypes import UserGroupType as UserGroupType
from supervisor_tools.options.hosttypes import UserType as UserType
from supervisor_tools.options.hosttypes import existing_dirpath as existing_dirpath
from supervisor_tools.options.hosttypes import group_exists as group_exists
from supervisor_tools.options.hosttypes import possible_name as possible_name
from supervisor_tools.options.hosttypes import user_exists as user_exists
from supervisor_tools.options.numbers import FACTOR as FACTOR
from supervisor_tools.options.numbers import SECONDS as SECONDS
from supervisor_tools.options.numbers import NumberType as NumberType
from supervisor_tools.options.signals import SIGNAL_NUMBERS as SIGNAL_NUMBERS
from supervisor_tools.options.signals import parse_signal as parse_signal
from supervisor_tools.options.signals import signal_label as signal_label
from supervisor_tools.options.signals import signal_name as signal_name
from supervisor_tools.options.signals import signal_number as signal_number
from supervisor_tools.options.valuetype import ValueType as ValueType

KB = 1024
MB = 1024 * 1024
GB = 1024 * 1024 * 1024

TRUTHY = ("yes", "true", "on", "1")
FALSY = ("no", "false", "off", "0")

UNEXPECTED = "unexpected"  # autorestart's third value: restart on an exit code not in exitcodes
LOG_LEVELS = ("critical", "error", "warn", "info", "debug", "trace", "blather")

EVENT_TYPES = (
    "EVENT", "PROCESS_STATE", "PROCESS_STATE_STOPPED", "PROCESS_STATE_EXITED",
    "PROCESS_STATE_STARTING", "PROCESS_STATE_STOPPING", "PROCESS_STATE_BACKOFF",
    "PROCESS_STATE_FATAL", "PROCESS_STATE_RUNNING", "PROCESS_STATE_UNKNOWN",
    "PROCESS_COMMUNICATION", "PROCESS_COMMUNICATION_STDOUT", "PROCESS_COMMUNICATION_STDERR",
    "PROCESS_LOG", "PROCESS_LOG_STDOUT", "PROCESS_LOG_STDERR", "REMOTE_COMMUNICATION",
    "SUPERVISOR_STATE_CHANGE", "SUPERVISOR_STATE_CHANGE_RUNNING",
    "SUPERVISOR_STATE_CHANGE_STOPPING", "TICK", "TICK_5", "TICK_60", "TICK_3600",
    "PROCESS_GROUP", "PROCESS_GROUP_ADDED", "PROCESS_GROUP_REMOVED",
)


def system_tempdir() -> str:
    """The directory Python's tempfile.gettempdir() picks (supervisord's childlogdir default),
    without importing tempfile: TMPDIR, TEMP, TMP, then /tmp, /var/tmp, /usr/tmp, the first
    usable directory, else the working directory.

    Importing tempfile (it pulls in shutil and random) costs every start about 3 ms, a tenth of
    what a cold `svtool lint` spends importing; tests/test_speed_tricks.py holds this to it."""
    candidates = [os.environ.get(name) for name in ("TMPDIR", "TEMP", "TMP")]
    for directory in [*candidates, "/tmp", "/var/tmp", "/usr/tmp"]:
        if directory and os.path.isdir(directory) and os.access(directory, os.W_OK | os.X_OK):
            return os.path.abspath(directory)
    return os.getcwd()


class StringType(ValueType):
    pass


class BooleanType(ValueType):
    name = "boolean"
    doc = "true/false (also yes/no, on/off, 1/0; any case)"

    def convert(self, text: str, host: bool = True) -> bool:
        low = text.lower()
        if low in TRUTHY:
            return True
        if low in FALSY:
            return False
        raise ConversionError(f"not a valid boolean value: {text!r}")

    def format(self, value: Any) -> str:
        return "true" if value else "false"

    def schema(self) -> dict[str, Any]:
        # YAML 1.2 readers (editors) see `on` or `yes` as strings, YAML 1.1 (PyYAML) as
        # booleans; either way, and quoted, they mean what supervisord reads them as
        return {"oneOf": [{"type": "boolean"}, words_schema(TRUTHY + FALSY)]}


def words_schema(words: tuple[str, ...]) -> dict[str, Any]:
    """A string that is one of `words` in any case (JSON Schema patterns have no (?i))."""
    def any_case(word: str) -> str:
        return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)

    return {"type": "string", "pattern": "^(" + "|".join(map(any_case, words)) + ")$"}


def to_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ConversionError(f"invalid literal for int() with base 10: {text!r}") from None


@dataclass(frozen=True)
class IntegerType(ValueType):
    """A whole number, optionally bounded."""

    minimum: int | None = None
    maximum: int | None = None
    name = "integer"
    doc = "integer"

    def convert(self, text: str, host: bool = True) -> int:
        value = to_int(text)
        if self.minimum is not None and value < self.minimum:
            raise ConversionError(f"{value} is below the minimum {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise ConversionError(f"{value} is above the maximum {self.maximum}")
        return value

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer"}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out


SIZE_RE = re.compile(r"^\s*-?\d+\s*(?:KB|MB|GB)?\s*$", re.IGNORECASE)


class ByteSizeType(ValueType):
    name = "byte size"
    doc = "bytes, with an optional KB, MB or GB suffix (1024-based)"

    def convert(self, text: str, host: bool = True) -> int:
        low = text.lower()
        for suffix, mult in (("kb", KB), ("mb", MB), ("gb", GB)):
            if low[-2:] == suffix:
                return to_int(low[:-2]) * mult
        return to_int(low)

    def format(self, value: Any) -> str:
        if isinstance(value, int) and value and value % KB == 0:
            for suffix, mult in (("GB", GB), ("MB", MB), ("KB", KB)):
                if value % mult == 0:
                    return f"{value // mult}{suffix}"
        return str(value)

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "integer"},
                          {"type": "string", "pattern": r"^\s*-?\d+\s*([KkMmGg][Bb])?\s*$"}]}


class OctalType(ValueType):
    name = "octal"
    doc = "an octal number such as 022 or 0o022"

    def convert(self, text: str, host: bool = True) -> int:
        try:
            return int(text, 8)
        except ValueError:
            raise ConversionError(f"{text} can not be converted to an octal type") from None

    def format(self, value: Any) -> str:
        return "" if value is None else "0" + format(value, "o")

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "integer", "minimum": 0},
                          {"type": "string", "pattern": r"^\s*(0[oO])?[0-7]+\s*$"}]}


class ExitCodesType(ValueType):
    name = "exit codes"
    doc = "comma-separated exit codes 0-255"

    def convert(self, text: str, host: bool = True) -> tuple[int, ...]:
        if not text:
            return ()
        try:
            codes = tuple(int(x) for x in text.split(","))
        except ValueError:
            raise ConversionError(f"not a valid list of exit codes: {text!r}") from None
        if any(c < 0 or c > 255 for c in codes):
            raise ConversionError(f"not a valid list of exit codes: {text!r}")
        return codes

    def format(self, value: Any) -> str:
        return ",".join(str(c) for c in value)

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "array", "items": {"type": "integer", "minimum": 0,
                                                       "maximum": 255}},
                          {"type": "integer", "minimum": 0, "maximum": 255},
                          {"type": "string"}]}


class SignalType(ValueType):
    name = "signal"
    doc = "a signal name (TERM, SIGTERM, any case) or number"

    def convert(self, text: str, host: bool = True) -> str:
        return signal_name(parse_signal(text))

    def schema(self) -> dict[str, Any]:
        return {"type": ["string", "integer"]}


class AutoRestartType(ValueType):
    name = "autorestart"
    doc = "true, false or unexpected (also yes/no, on/off, 1/0; any case)"

    def convert(self, text: str, host: bool = True) -> bool | str:
        low = text.lower()
        if low in TRUTHY:
            return True
        if low in FALSY:
            return False
        if low == UNEXPECTED:
            return UNEXPECTED
        raise ConversionError(f"invalid 'autorestart' value {low!r}")

    def format(self, value: Any) -> str:
        return str(value) if isinstance(value, str) else ("true" if value else "false")

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "boolean"},
                          words_schema((*TRUTHY, *FALSY, UNEXPECTED))]}


class LogLevelType(ValueType):
    name = "log level"
    doc = "critical, error, warn, info, debug, trace or blather"

    def convert(self, text: str, host: bool = True) -> str:
        low = text.lower()
        if low not in LOG_LEVELS:
            raise ConversionError(f"bad logging level name {text!r}")
        return low

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(LOG_LEVELS)}


CHILDLOG_FORMATS = ("raw", "prefix", "json")


class ChildlogFormatType(ValueType):
    """How child output is written to its log file: as it comes, or line by line."""

    name = "child log format"
    doc = ("raw (the output as it comes), prefix (each line after a timestamp and the process "
           "name) or json (one JSON object per line)")

    def convert(self, text: str, host: bool = True) -> str:
        low = text.strip().lower()
        if low not in CHILDLOG_FORMATS:
            raise ConversionError(f"childlog_format must be raw, prefix or json, not {text!r}")
        return low

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(CHILDLOG_FORMATS)}


def port_number(text: str) -> int:
    port = to_int(text)
    if port < 1:
        raise ConversionError(f"{port} is below lower bound (1)")
    if port > 65535:
        raise ConversionError(f"{port} is above upper bound (65535)")
    return port


class InetAddressType(ValueType):
    """host:port, :port, *:port or port. Converts to (host, port) with host "" for any."""

    name = "address"
    doc = "host:port, *:port or a port number"

    def convert(self, text: str, host: bool = True) -> tuple[str, int]:
        hostname = ""
        if ":" in text:
            hostname, port_text = text.rsplit(":", 1)
            if not port_text:
                raise ConversionError("no port number specified in ''")
            port = port_number(port_text)
            hostname = hostname.lower()
        else:
            try:
                port = port_number(text)
            except ValueError:
                raise ConversionError(f"not a valid port number: {text!r} ") from None
        if hostname == "*":
            hostname = ""
        return hostname, port

    def format(self, value: Any) -> str:
        return f"{value[0] or '*'}:{value[1]}" if isinstance(value, tuple) else str(value)

    def schema(self) -> dict[str, Any]:
        return {"type": ["string", "integer"]}


class CommaListType(ValueType):
    name = "list"
    doc = "comma-separated names"

    def convert(self, text: str, host: bool = True) -> tuple[str, ...]:
        if not text:
            return ()
        return tuple(x.strip() for x in text.split(","))

    def format(self, value: Any) -> str:
        return ",".join(value)

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]}


class EventsType(CommaListType):
    name = "event types"
    doc = "comma-separated event type names"

    def convert(self, text: str, host: bool = True) -> tuple[str, ...]:
        names = tuple(dict.fromkeys(x.upper() for x in super().convert(text)))
        for n in names:
            if n not in EVENT_TYPES:
                raise ConversionError(f"Unknown event type {n}")
        return names


class ImportSpecType(ValueType):
    name = "import spec"
    doc = "a Python object reference module:attribute"


class UrlType(ValueType):
    name = "url"
    doc = "unix:///path/to.sock or http://host:port"


BOOLEAN = BooleanType()
INTEGER = IntegerType()
STRING = StringType()
BYTES = ByteSizeType()
OCTAL = OctalType()
EXITCODES = ExitCodesType()
SIGNAL = SignalType()
AUTORESTART = AutoRestartType()
DIRPATH = DirpathType()
MAIN_LOGFILE = MainLogfileType()
DIRECTORY = DirectoryType()
LOGFILE = LogfileType()
LOGLEVEL = LogLevelType()
CHILDLOG_FORMAT = ChildlogFormatType()
USER = UserType()
USERGROUP = UserGroupType()
ENVIRONMENT = EnvironmentType()
INET_ADDRESS = InetAddressType()
COMMA_LIST = CommaListType()
EVENTS = EventsType()
IMPORT_SPEC = ImportSpecType()
URL = UrlType()
