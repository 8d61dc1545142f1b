"""Every lint rule, one small check function each; importing this package declares them."""

from supervisor_tools.lint.rules import (
    command,
    daemonize,
    files,
    host,
    loader,
    loader_warnings,
    logs,
    meta,
    placeholders,
    process,
    relative,
    sections,
    servers,
    users,
    values,
)

__all__ = [
    "command",
    "daemonize",
    "files",
    "host",
    "loader",
    "loader_warnings",
    "logs",
    "meta",
    "placeholders",
    "process",
    "relative",
    "sections",
    "servers",
    "users",
    "values",
]
