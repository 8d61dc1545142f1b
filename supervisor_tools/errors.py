"""Plain values shared by every layer: source spans, configuration errors, diagnostics."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class Span(NamedTuple):
    """A region of a source file. Lines and columns are 1-based; the end is exclusive.

    A NamedTuple rather than a dataclass: it is immutable all the same, and the parser makes
    several per line, where a frozen dataclass's __init__ costs measurably more.
    """

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    @classmethod
    def point(cls, file: str, line: int = 1, col: int = 1) -> Span:
        return cls(file, line, col, line, col)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True, slots=True)
class ConfigError:
    """Something supervisord would refuse (or, with severity WARNING, log) for this config.

    `message` is svtool's wording; `code` names the check so the linter can map it to a rule.
    """

    span: Span
    message: str
    code: str = "invalid"
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        return f"{self.span}: {self.message}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding of the linter, complete when built."""

    span: Span
    code: str
    message: str
    severity: Severity

    def __str__(self) -> str:
        return f"{self.span}: {self.code} {self.severity.value} {self.message}"


class SvtoolError(Exception):
    """An error svtool reports to the user as `file:line:col: message` (exit code 2)."""

    def __init__(self, message: str, span: Span | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span

    def __str__(self) -> str:
        return f"{self.span}: {self.message}" if self.span else self.message


class ConfigErrors(SvtoolError):
    """Raised by APIs that need a valid config; carries every error found."""

    def __init__(self, errors: list[ConfigError]) -> None:
        super().__init__(errors[0].message if errors else "invalid configuration",
                         errors[0].span if errors else None)
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)
