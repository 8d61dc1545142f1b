"""Every lint rule, one small check function each; importing this package declares them."""

from supervisor_tools.lint.rules import (
    command,
    files,
    loader,
    logs,
    meta,
    process,
    sections,
    servers,
    users,
    values,
)

__all__ = ["command", "files", "loader", "logs", "meta", "process", "sections", "servers",
           "users", "values"]
