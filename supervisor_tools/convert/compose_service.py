"""One Compose service being written, and the writer helpers the mapping's rows use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from supervisor_tools.convert.kubernetes_programs import Program, Report, shown
from supervisor_tools.model.model import ProcessConfig


def escape(text: str) -> str:
    """`text` as a Compose value: Compose interpolates `$VAR` and `${VAR}`, `$$` is a `$`."""
    return text.replace("$", "$$")


@dataclass(slots=True)
class Service:
    """One service being written: what the writers fill in."""

    prog: Program
    p: ProcessConfig  # the process (every replica runs the same)
    keys: dict[str, Any]
    report: Report

    def lose(self, option: str, why: str) -> None:
        text = shown(self.p.kind, option, getattr(self.p, option))
        self.report.lose(self.p.span_of(option), f"{self.prog.section} {option}={text}: {why}",
                         key=option)


Writer = Callable[[Service], None]


def key_writer(key: str, value_of: Callable[[ProcessConfig], Any]) -> Writer:
    """A writer that sets the service's `key` to what `value_of` gives for its process, unless
    None: an option that maps to one key is one MAPPING row with such a writer."""

    def write(s: Service) -> None:
        value = value_of(s.p)
        if value is not None:
            s.keys[key] = value

    return write
