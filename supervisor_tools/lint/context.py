"""What a rule sees: one loaded configuration (its files, merged sections and model)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple, TypeVar, cast

from supervisor_tools.errors import ConfigError, Span
from supervisor_tools.model import LoadResult
from supervisor_tools.model.model import Model, ProcessConfig
from supervisor_tools.model.raw import DEFAULT_SECTION, RawConfig, RawSection
from supervisor_tools.options.table import section_kind
from supervisor_tools.syntax.ast import Document, Option, Section

T = TypeVar("T")


class SectionRef(NamedTuple):
    """One occurrence of a section header in one file."""

    document: Document
    section: Section
    kind: str | None  # as supervisord recognizes it; None for ignored sections and [DEFAULT]
    options: list[Option]  # the section's option lines, in order (do not modify)
    # the merged section when it holds exactly these lines (this is its only header and no key
    # is written twice): its dicts, built at load, then answer for the lines without a loop
    merged: RawSection | None


class SectionValues(NamedTuple):
    """The values of one section's option lines, for rules that look for some text in them."""

    ref: SectionRef
    values: list[str]  # the value of each of ref.options, in order
    text: str  # the values joined by NUL: one `in` test rules a whole section out


def _error_starts(ctx: Context) -> frozenset[tuple[str, int, int]]:
    return frozenset((e.span.file, e.span.line, e.span.col) for e in ctx.result.errors)


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
        self._named: dict[str, list[tuple[SectionRef, Option]]] = {}
        self._values: list[SectionValues] | None = None
        self._kinds: dict[str, str | None] = {}
        self._memo: dict[Callable[[Context], object], object] = {}

    def section_at(self, source: Span) -> str | None:
        """The name of the section whose first header is at `source`."""
        return self._by_source.get(source)

    @property
    def container(self) -> bool:
        """Whether this config runs a container: `[supervisord] nodaemon=true`.

        supervisord kept in the foreground by its own config is what a container's entry point
        runs; a host's init system usually starts it daemonized, or with `-n` on its command
        line rather than in the file. In a container the container is the unit of isolation
        and of lifetime: no tmp cleaner runs, and /tmp and the processes go away with it. A
        fragment on its own (no `[supervisord]`) says nothing, so it is not one.
        """
        sd = self.model.supervisord
        return sd is not None and sd.nodaemon

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

    def unread(self, span: Span | None) -> bool:
        """Whether the loader could not read the value at `span` (an `%(ENV_X)s` not set here,
        say): the model then holds a default or the raw text there, not what the config means,
        and a rule should not judge it."""
        if span is None:
            return False
        starts = self.memo(_error_starts)
        return (span.file, span.line, span.col) in starts

    def memo(self, build: Callable[[Context], T]) -> T:
        """`build(self)`, computed once: what several rules derive from the same config."""
        if build not in self._memo:
            self._memo[build] = build(self)
        return cast(T, self._memo[build])

    def kind(self, section: str) -> str | None:
        """`section_kind` of a section name; rules ask it for every section, often repeatedly."""
        if section not in self._kinds:
            self._kinds[section] = section_kind(section)
        return self._kinds[section]

    def sections(self) -> Iterator[SectionRef]:
        """Every section header of every file (a file read twice is visited once)."""
        if self._sections is None:
            self._sections = self._walk()
        return iter(self._sections)

    def _walk(self) -> list[SectionRef]:
        refs: list[SectionRef] = []
        merged_by_name = self.raw.sections
        seen: set[str] = set()
        for doc in self.documents:
            if doc.path in seen:
                continue
            seen.add(doc.path)
            for section in doc.sections:
                name = section.name
                kind = None if name == DEFAULT_SECTION else self.kind(name)
                options = section.options()
                merged = merged_by_name.get(name)
                if merged is not None and (len(merged.headers) != 1
                                           or merged.headers[0] is not section
                                           or len(merged.options) != len(options)):
                    merged = None
                refs.append(SectionRef(doc, section, kind, options, merged))
        return refs

    def options(self, *kinds: str) -> Iterator[tuple[SectionRef, Option]]:
        """Every option line written in a section of one of `kinds` (all known kinds if none)."""
        # most rules walk the options, some of them several times: on a big tree the walk
        # itself costs more than the checks, so each selection is built once
        found = self._options.get(kinds)
        if found is None:
            found = [(ref, opt) for ref in self.sections()
                     if ref.kind is not None and (not kinds or ref.kind in kinds)
                     for opt in ref.options]
            self._options[kinds] = found
        return iter(found)

    def options_named(self, key: str) -> list[tuple[SectionRef, Option]]:
        """The option lines of `key` in sections of any known kind, in file order."""
        # rules about one or two keys would otherwise walk every option of a big tree
        found = self._named.get(key)
        if found is None:
            found = []
            for ref in self.sections():
                if ref.kind is None:
                    continue
                if ref.merged is None:
                    found.extend((ref, opt) for opt in ref.options if opt.key == key)
                elif key in ref.merged.options:
                    found.append((ref, ref.merged.options[key]))
            self._named[key] = found
        return found

    def values(self) -> list[SectionValues]:
        """The option values of every section of a known kind."""
        if self._values is None:
            self._values = [self._section_values(ref) for ref in self.sections()
                            if ref.kind is not None]
        return self._values

    @staticmethod
    def _section_values(ref: SectionRef) -> SectionValues:
        if ref.merged is not None:
            # computed at load; `Option.value` builds the string again on every access
            values = list(ref.merged.values.values())
        else:
            values = [opt.value for opt in ref.options]
        return SectionValues(ref, values, "\0".join(values))

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
