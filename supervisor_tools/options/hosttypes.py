"""Value types that consult the machine: paths whose directory must exist, users and groups.

The machine is consulted only when `host` is true, so a config written for another machine can
be checked here; a name no machine can have is refused either way.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from supervisor_tools.options import users
from supervisor_tools.options.conversion import HOST_PATH, HOST_USER, ConversionError
from supervisor_tools.options.valuetype import ValueType


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


def possible_name(name: str, what: str) -> None:
    """Refuse a user or group name that no machine can have, so that it is an error in the
    config wherever it is linted (whether a possible name exists is for the host checks):
    the passwd and group files separate fields with ':' and entries with newlines, and no
    name is empty or holds spaces."""
    if not name or any(ch in name for ch in ": \t\n"):
        raise ConversionError(f"{name!r} cannot be a {what} name on any machine")


def _exists(name: str, lookup: Callable[[str | int], object], what: str) -> None:
    kind = "name" if users.number(name) is None else "id"
    try:
        lookup(name)
    except KeyError:
        raise ConversionError(f"Invalid {what} {kind} {name}", HOST_USER) from None


def user_exists(name: str) -> None:
    _exists(name, users.passwd, "user")


def group_exists(name: str) -> None:
    _exists(name, users.group, "group")


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
