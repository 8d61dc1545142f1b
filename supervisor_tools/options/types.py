"""Value types of supervisor options: conversion from config text, back to text, JSON Schema.

Each `convert` accepts exactly what supervisord 4.3.0 accepts and raises ConversionError (a
ValueError) with a message naming the bad value and a kind saying why it failed. Types that
consult the machine (users, directories) do so only when `host` is true, so a config written for
another machine can be checked here.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from typing import Any

# the refusal error and the signal table, re-exported: every value type's helpers are here
from supervisor_tools.options import users
from supervisor_tools.options.conversion import HOST_PATH as HOST_PATH
from supervisor_tools.options.conversion import HOST_USER as HOST_USER
from supervisor_tools.options.conversion import INVALID as INVALID
from supervisor_tools.options.conversion import ConversionError as ConversionError
from supervisor_tools.options.signals import SIGNAL_NUMBERS as SIGNAL_NUMBERS
from supervisor_tools.options.signals import parse_signal as parse_signal
from supervisor_tools.options.signals import signal_label as signal_label
from supervisor_tools.options.signals import signal_name as signal_name
from supervisor_tools.options.signals import signal_number as signal_number

KB = 1024
MB = 1024 * 1024
GB = 1024 * 1024 * 1024

TRUTHY = ("yes", "true", "on", "1")
FALSY = ("no", "false", "off", "0")

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
    """The directory Python's tempfile.gettempdir() picks, without importing tempfile (which
    pulls shutil and random into every start): TMPDIR, TEMP, TMP, then /tmp, /var/tmp, /usr/tmp,
    the first usable directory, else the working directory."""
    candidates = [os.environ.get(name) for name in ("TMPDIR", "TEMP", "TMP")]
    for directory in [*candidates, "/tmp", "/var/tmp", "/usr/tmp"]:
        if directory and os.path.isdir(directory) and os.access(directory, os.W_OK | os.X_OK):
            return os.path.abspath(directory)
    return os.getcwd()


class ValueType:
    """Base: a string kept as written."""

    name = "string"
    doc = "text"
    host_dependent = False
    # convert() returns a value nobody can change (str, int, tuple...), so one result may
    # serve every option written the same way
    immutable = True

    def convert(self, text: str, host: bool = True) -> Any:
        return text

    def format(self, value: Any) -> str:
        return "" if value is None else str(value)

    def schema(self) -> dict[str, Any]:
        return {"type": "string"}


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
        return {"type": "boolean"}


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
    doc = "true, false or unexpected"

    def convert(self, text: str, host: bool = True) -> bool | str:
        low = text.lower()
        if low in TRUTHY:
            return True
        if low in FALSY:
            return False
        if low == "unexpected":
            return "unexpected"
        raise ConversionError(f"invalid 'autorestart' value {low!r}")

    def format(self, value: Any) -> str:
        return str(value) if isinstance(value, str) else ("true" if value else "false")

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "boolean"},
                          {"type": "string", "enum": ["true", "false", "unexpected"]}]}


def existing_dirpath(text: str, host: bool) -> str:
    path = os.path.expanduser(text)
    parent = os.path.dirname(path)
    if host and parent and not os.path.isdir(parent):
        raise ConversionError(f"The directory named as part of the path {text} does not "
                              "exist", HOST_PATH)
    return path


class DirpathType(ValueType):
    name = "path"
    doc = "a file path whose directory must exist"
    host_dependent = True

    def convert(self, text: str, host: bool = True) -> str:
        return existing_dirpath(text, host)


class MainLogfileType(DirpathType):
    doc = "a file path whose directory must exist, or syslog"


class DirectoryType(ValueType):
    name = "directory"
    doc = "an existing directory"
    host_dependent = True

    def convert(self, text: str, host: bool = True) -> str:
        path = os.path.expanduser(text)
        if host and not os.path.isdir(path):
            raise ConversionError(f"{text} is not an existing directory", HOST_PATH)
        return path


class LogfileType(ValueType):
    """AUTO, NONE/OFF, the deprecated syslog, or a path. Converts to "AUTO", "NONE",
    "syslog" or the path; the loader rewrites "syslog" as supervisord does."""

    name = "log file"
    doc = "a file path, AUTO, NONE or syslog"
    host_dependent = True

    def convert(self, text: str, host: bool = True) -> str:
        low = text.lower()
        if low in ("none", "off") or text == "":
            return "NONE"
        if low == "auto":
            return "AUTO"
        if low == "syslog":
            return "syslog"
        return existing_dirpath(text, host)


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


def possible_name(name: str, what: str) -> None:
    """Refuse a user or group name that no machine can have, so that it is an error in the
    config wherever it is linted (whether a possible name exists is for the host checks):
    the passwd and group files separate fields with ':' and entries with newlines, and no
    name is empty or holds spaces."""
    if not name or any(ch in name for ch in ": \t\n"):
        raise ConversionError(f"{name!r} cannot be a {what} name on any machine")


def user_exists(name: str) -> None:
    try:
        uid = int(name)
    except ValueError:
        try:
            users.passwd(name)
        except KeyError:
            raise ConversionError(f"Invalid user name {name}", HOST_USER) from None
    else:
        try:
            users.passwd(uid)
        except KeyError:
            raise ConversionError(f"Invalid user id {name}", HOST_USER) from None


def group_exists(name: str) -> None:
    try:
        gid = int(name)
    except ValueError:
        try:
            users.group(name)
        except KeyError:
            raise ConversionError(f"Invalid group name {name}", HOST_USER) from None
    else:
        try:
            users.group(gid)
        except KeyError:
            raise ConversionError(f"Invalid group id {name}", HOST_USER) from None


class UserType(ValueType):
    name = "user"
    doc = "a user name or numeric uid that exists on the machine"
    host_dependent = True

    def convert(self, text: str, host: bool = True) -> str:
        possible_name(text, "user")
        if host:
            user_exists(text)
        return text


class UserGroupType(ValueType):
    name = "user[:group]"
    doc = "user or user:group (names or ids that exist on the machine)"
    host_dependent = True

    def convert(self, text: str, host: bool = True) -> str:
        user, colon, group = text.partition(":")
        possible_name(user, "user")
        if colon:
            possible_name(group, "group")
        if host:
            user_exists(user)
            if colon:
                group_exists(group)
        return text


# The common case of supervisord's environment tokenizer (a non-POSIX shlex whose word
# characters are ASCII letters, digits and "_/.+-():"): text made only of word characters,
# closed quotes, "=", "," and spaces or tabs. There a token is a word (quotes inside a word are
# part of it), a quoted string with its quotes, or "=" or ","; a regex finds them several times
# faster. Anything else goes through shlex itself.
_ENV_TOKEN_RE = r"""[\w/.+\-():][\w/.+\-():"']*+|"[^"]*"|'[^']*'|[=,]"""
# atomic, as the tokenizer never gives back what a token took
_ENV_PLAIN = re.compile(rf"(?:(?>{_ENV_TOKEN_RE})|[ \t])*+\Z", re.ASCII)
_ENV_TOKEN = re.compile(_ENV_TOKEN_RE, re.ASCII)


def environment_tokens(text: str) -> list[str]:
    """The tokens supervisord's environment tokenizer reads from `text`."""
    if _ENV_PLAIN.match(text):
        return _ENV_TOKEN.findall(text)
    lexer = shlex.shlex(text)
    lexer.wordchars += "/.+-():"
    return list(lexer)


def environment_pairs(text: str) -> dict[str, str]:
    """supervisord's KEY=val,KEY2="val 2" tokenizer (a non-POSIX shlex), quirks included."""
    tokens = environment_tokens(text)
    out: dict[str, str] = {}
    i = 0
    while i < len(tokens):
        triple = tokens[i:i + 3]
        if len(triple) != 3 or triple[1] != "=":
            raise ConversionError(f"Unexpected end of key/value pairs in value '{text}'")
        out[triple[0]] = triple[2].strip("'\"")
        i += 4
    return out


class EnvironmentType(ValueType):
    name = "environment"
    doc = 'KEY="value",KEY2="value 2" pairs (quote any value that is not a plain word)'
    immutable = False  # a dict

    def convert(self, text: str, host: bool = True) -> dict[str, str]:
        return environment_pairs(text)

    def format(self, value: Any) -> str:
        return ",".join(f'{k}="{v}"' for k, v in value.items())

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "object", "additionalProperties": {"type": "string"}},
                          {"type": "string"}]}


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
USER = UserType()
USERGROUP = UserGroupType()
ENVIRONMENT = EnvironmentType()
INET_ADDRESS = InetAddressType()
COMMA_LIST = CommaListType()
EVENTS = EventsType()
IMPORT_SPEC = ImportSpecType()
URL = UrlType()
