"""Load a config for conversion: the resolved model, or positioned errors and nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from supervisor_tools.errors import ConfigErrors, Span
from supervisor_tools.model import LoadResult, load


@dataclass(frozen=True, slots=True)
class Lost:
    """One thing a conversion cannot carry over, reported with the place it came from."""

    span: Span
    message: str

    def __str__(self) -> str:
        return f"{self.span}: warning: {self.message}"


def load_for_conversion(path: str) -> LoadResult:
    """The model of `path` (a full config or a conf.d fragment), checked without host checks.

    A config converted for another machine must not fail because a user or a log directory is
    missing here. Raises ConfigErrors, ordered by file and position, when the model has errors.
    """
    result = load(path, fragment=None, host_checks=False)
    if not result.ok:
        order = {d.path: i for i, d in enumerate(result.documents)}
        errors = sorted(result.errors, key=lambda e: (order.get(e.span.file, len(order)),
                                                      e.span.line, e.span.col))
        raise ConfigErrors(errors)
    return result
