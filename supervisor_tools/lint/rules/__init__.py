"""Every lint rule, one small check function each; importing this package declares them."""

from supervisor_tools.lint.rules import (
    command,
    host,
    loader,
    loader_warnings,
    meta,
    process,
    sections,
    servers,
    values,
)

__all__ = ["command", "host", "loader", "loader_warnings", "meta", "process", "sections",
           "servers", "values"]
