"""Every lint rule, one small check function each; importing this package declares them."""

from supervisor_tools.lint.rules import (
    command,
    daemonize,
    loader,
    meta,
    placeholders,
    process,
    relative,
    sections,
    servers,
    values,
)

__all__ = ["command", "daemonize", "loader", "meta", "placeholders", "process",
           "relative", "sections", "servers", "values"]
