"""What a rule sees: one loaded configuration (its files, merged sections and model)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from supervisor_tools.errors import ConfigError, Span
from supervisor_tools.model import LoadResult
from supervisor_tools.model.model import Model, ProcessConfig
from supervisor_tools.model.raw import DEFAULT_SECTION, RawConfig
from supervisor_tools.options.table import section_kind
from supervisor_tools.syntax.ast import Document, Option, Section


class SectionRef(NamedTuple):
    """One occurrence of a section header in one file."""

    document: Document
    section: Section
    kind: str | None  # as supervisord recognizes it; None for ignored sections and [DEFAULT]


class Context:
    def __init__(self, result: LoadResult, siblings: frozenset[str] = frozenset()) -> None:
        self.result = result
        # section names of the other conf.d fragments linted in the same run
        self.siblings = siblings
        self.fragment = result.model.fragment  # no [supervisord]: a conf.d file on its own
        self._by_source = {raw.headers[0].header.name_span: name
                           for name, raw in result.raw.sections.items()}
        self._sections: list[SectionRef] | None = None
        self._processes: list[ProcessConfig] | None = None
        self._options: dict[tuple[str, ...], list[tuple[SectionRef, Option]]] = {}

    def section_at(self, source: Span) -> str | None:
        """The name of the section whose first header is at `source`."""
        return self._by_source.get(source)

    @property
    def documents(self) -> tuple[Document, ...]:
        return self.result.documents

    @property
    def main(self) -> Document | None:
        return self.result.documents[0] if self.result.documents else None

    @property
    def raw(self) -> RawConfig:
        return self.result.raw

    @property
    def model(self) -> Model:
        return self.result.model

    def loader_findings(self) -> tuple[ConfigError, ...]:
        return self.result.errors + self.result.warnings

    def sections(self) -> Iterator[SectionRef]:
        """Every section header of every file (a file read twice is visited once)."""
        if self._sections is None:
            self._sections = list(self._walk())
        return iter(self._sections)

    def _walk(self) -> Iterator[SectionRef]:
        seen: set[str] = set()
        for doc in self.documents:
            if doc.path in seen:
                continue
            seen.add(doc.path)
            for section in doc.sections:
                kind = None if section.name == DEFAULT_SECTION else section_kind(section.name)
                yield SectionRef(doc, section, kind)

    def options(self, *kinds: str) -> Iterator[tuple[SectionRef, Option]]:
        """Every option line written in a section of one of `kinds` (all known kinds if none)."""
        # most rules walk the options, some of them several times: on a big tree the walk
        # itself costs more than the checks, so each selection is built once
        found = self._options.get(kinds)
        if found is None:
            found = [(ref, opt) for ref in self.sections()
                     if ref.kind is not None and (not kinds or ref.kind in kinds)
                     for opt in ref.section.options()]
            self._options[kinds] = found
        return iter(found)

    def effective(self, section: str, key: str) -> Option | None:
        """The option supervisord reads for `key` in `section` (last one wins, [DEFAULT] last)."""
        return self.raw.get(section, key)

    def explicit(self, section: str, key: str) -> Option | None:
        """Like `effective`, but only when written in the section itself (not from [DEFAULT])."""
        raw = self.raw.sections.get(section)
        return None if raw is None else raw.options.get(key)

    def processes(self) -> list[ProcessConfig]:
        if self._processes is None:
            self._processes = self.model.processes()
        return self._processes

    def programs(self) -> Iterator[tuple[str, list[ProcessConfig]]]:
        """Each program-like section name with its processes (once, even if in several groups)."""
        by_section: dict[str, list[ProcessConfig]] = {}
        for proc in self.processes():
            by_section.setdefault(f"{proc.kind}:{proc.program}", []).append(proc)
        yield from by_section.items()
