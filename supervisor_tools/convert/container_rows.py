"""Mapping rows the two container exports (to-kubernetes, to-compose) share.

A container's output goes to its runtime's log, so every output option is lost the same way in
both; only the words differ. The rows come in the option table's order (childlog_format, then
each stream's), which the generated mapping tables in docs/ follow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

D = TypeVar("D")

STREAMS = ("stdout", "stderr")


def output_rows(lost: Callable[[str], D], logs: str, rotation: str,
                events: str) -> dict[str, D]:
    """The rows of childlog_format and of each stream's log options: `logs` says why a log
    file is lost, `rotation` why its rotation is, `events` why its event options are."""
    rows = {"childlog_format": lost(logs)}
    for stream in STREAMS:
        rows |= {f"{stream}_logfile": lost(logs),
                 f"{stream}_logfile_maxbytes": lost(rotation),
                 f"{stream}_logfile_backups": lost(rotation),
                 f"{stream}_capture_maxbytes": lost(events),
                 f"{stream}_events_enabled": lost(events),
                 f"{stream}_syslog": lost(logs)}
    return rows
