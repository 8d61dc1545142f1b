"""Merge parsed files into the view configparser gives supervisord: sections by name.

A section that appears twice (in one file or across included files) is one section whose keys
merge, the value read last winning; `[DEFAULT]` keys are visible in every section.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from supervisor_tools.syntax.ast import Document, Option, Section

DEFAULT_SECTION = "DEFAULT"


@dataclass(slots=True)
class RawSection:
    """One merged section. `headers` are every place it was opened, first one first."""

    name: str
    file: str
    headers: list[Section] = field(default_factory=list)
    options: dict[str, Option] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)  # option values, computed once


@dataclass(slots=True)
class RawConfig:
    """Every file merged: sections by name, and the [DEFAULT] keys."""

    sections: dict[str, RawSection] = field(default_factory=dict)
    defaults: dict[str, Option] = field(default_factory=dict)
    default_values: dict[str, str] = field(default_factory=dict)

    def add(self, doc: Document) -> list[str]:
        """Merge one file; returns the names of the sections it created."""
        created: list[str] = []
        for section in doc.sections:
            if section.name == DEFAULT_SECTION:
                for opt in section.options():
                    self.defaults[opt.key] = opt
                    self.default_values[opt.key] = opt.value
                continue
            raw = self.sections.get(section.name)
            if raw is None:
                raw = RawSection(section.name, doc.path)
                self.sections[section.name] = raw
                created.append(section.name)
            raw.headers.append(section)
            for item in section.body:
                if isinstance(item, Option):
                    raw.options[item.key] = item
                    raw.values[item.key] = item.value
        return created

    def get(self, section: str, key: str) -> Option | None:
        raw = self.sections.get(section)
        if raw is not None and key in raw.options:
            return raw.options[key]
        return self.defaults.get(key)

    def value(self, section: str, key: str) -> str | None:
        raw = self.sections.get(section)
        if raw is not None:
            value = raw.values.get(key)
            if value is not None:
                return value
        return self.default_values.get(key)

    def keys(self, section: str) -> list[str]:
        raw = self.sections[section]
        return list(dict.fromkeys([*raw.options, *self.defaults]))


def merge(docs: Iterable[Document]) -> RawConfig:
    raw = RawConfig()
    for doc in docs:
        raw.add(doc)
    return raw
