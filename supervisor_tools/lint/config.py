"""svtool lint settings: `[tool.svtool]` in pyproject.toml, or a `.svtool.toml` file.

Settings (all optional):

    select = ["DEFAULT"]             # rule IDs, ID prefixes ("SV2"), names, groups, ALL
    ignore = ["SV246"]
    per-file-ignores = { "conf.d/legacy-*.conf" = ["SV210"] }
    severity = { SV236 = "error" }   # error, warning or info
    fail-on = "warning"
    host-checks = true               # same as selecting the "host" group too
    target = "supervisord"           # the config must run on plain supervisord 4.3.0: selects
                                     # the "supervisord" group (default "svtool")

The file is found by walking up from the current directory; the first `.svtool.toml`, or
`pyproject.toml` with a `[tool.svtool]` table, wins.
"""

from __future__ import annotations

import fnmatch
import os
import re
from functools import lru_cache
from typing import Any, NamedTuple

from supervisor_tools.errors import Severity, Span, SvtoolError
from supervisor_tools.lint import registry

KEYS = ("select", "ignore", "per-file-ignores", "severity", "fail-on", "host-checks", "target")
# What a config is linted for: svtool run (its extensions are fine) or plain supervisord 4.3.0.
TARGETS = ("svtool", "supervisord")


class Unknown(NamedTuple):
    """A rule selector that names no rule, and where it was written."""

    selector: str
    span: Span


class Settings(NamedTuple):
    select: tuple[str, ...] = ("DEFAULT",)
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    fail_on: Severity | None = None
    # True adds the "host" group to what is selected, False takes it away, None leaves the
    # selection alone (the host rules are opt-in: a config is linted, not the build machine).
    host_checks: bool | None = None
    root: str = "."  # per-file-ignores patterns are relative to this directory
    unknown: tuple[Unknown, ...] = ()
    target: str = "svtool"

    def enabled(self, rule_id: str) -> bool:
        return rule_id in _enabled(self.select, self.ignore, self.host_checks, self.target)

    def ignored_in(self, path: str) -> frozenset[str]:
        if not self.per_file_ignores:
            return frozenset()
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(self.root))
        rel = rel.replace(os.sep, "/")
        out: set[str] = set()
        for pattern, selectors in self.per_file_ignores:
            target = rel if "/" in pattern else os.path.basename(rel)
            if fnmatch.fnmatchcase(target, pattern) or fnmatch.fnmatchcase(path, pattern):
                out.update(r.id for sel in selectors for r in registry.matching(sel))
        return frozenset(out)

    def severity_of(self, rule_id: str) -> Severity | None:
        for rid, sev in self.severity:
            if rid == rule_id:
                return sev
        return None

    def host_checks_needed(self) -> bool:
        return any(self.enabled(r) for r in registry.HOST_RULES)


@lru_cache(maxsize=64)
def _enabled(select: tuple[str, ...], ignore: tuple[str, ...],
             host: bool | None, target: str = "svtool") -> frozenset[str]:
    ids = {r.id for sel in select for r in registry.matching(sel)}
    if target == "supervisord":
        ids |= {r.id for r in registry.matching("supervisord")}
    if host:
        ids |= set(registry.HOST_RULES)
    elif host is False:
        ids -= set(registry.HOST_RULES)
    ids -= {r.id for sel in ignore for r in registry.matching(sel)}
    return frozenset(ids)


def find(start: str = ".") -> str | None:
    """The settings file that applies to `start`, or None."""
    here = os.path.abspath(start)
    while True:
        candidate = os.path.join(here, ".svtool.toml")
        if os.path.isfile(candidate):
            return candidate
        pyproject = os.path.join(here, "pyproject.toml")
        if os.path.isfile(pyproject) and _has_tool_table(pyproject):
            return pyproject
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _has_tool_table(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return re.search(r"^\s*\[tool\.svtool[\].]", fh.read(), re.M) is not None
    except OSError:
        return False


def load(path: str) -> Settings:
    """Read a settings file; a malformed one raises SvtoolError (exit code 2)."""
    import tomllib

    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        data = tomllib.loads(raw.decode("utf-8"))
    except OSError as exc:
        raise SvtoolError(f"cannot read settings: {exc.strerror}", Span.point(path)) from None
    except UnicodeDecodeError:
        raise SvtoolError("settings file is not valid UTF-8", Span.point(path)) from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        span = Span.point(path, int(m.group(1)), int(m.group(2))) if m else Span.point(path)
        raise SvtoolError(f"invalid TOML: {exc}", span) from None
    table: Any = data
    if os.path.basename(path) == "pyproject.toml":
        table = data.get("tool", {}).get("svtool", {})
    elif isinstance(data.get("tool"), dict) and "svtool" in data["tool"]:
        table = data["tool"]["svtool"]
    return from_table(table, path, raw.decode("utf-8"))


def _strings(value: Any, key: str, path: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SvtoolError(f"setting '{key}' must be a list of rule IDs or names",
                          Span.point(path))
    return tuple(value)


def _level(value: Any, key: str, path: str) -> Severity:
    try:
        return Severity(str(value).lower())
    except ValueError:
        raise SvtoolError(f"setting '{key}' must be error, warning or info, not {value!r}",
                          Span.point(path)) from None


def _locate(text: str, path: str, word: str) -> Span:
    for lineno, line in enumerate(text.splitlines(), start=1):
        col = line.find(word)
        if col >= 0:
            return Span(path, lineno, col + 1, lineno, col + 1 + len(word))
    return Span.point(path)


def from_table(table: dict[str, Any], path: str, text: str = "") -> Settings:
    for key in table:
        if key not in KEYS:
            raise SvtoolError(f"unknown setting '{key}' (known: {', '.join(KEYS)})",
                              _locate(text, path, key))
    unknown: list[Unknown] = []

    def check(selectors: tuple[str, ...]) -> tuple[str, ...]:
        for sel in selectors:
            if not registry.matching(sel):
                unknown.append(Unknown(sel, _locate(text, path, sel)))
        return selectors

    select = check(_strings(table.get("select", ["DEFAULT"]), "select", path))
    ignore = check(_strings(table.get("ignore", []), "ignore", path))
    pfi_table = table.get("per-file-ignores", {})
    if not isinstance(pfi_table, dict):
        raise SvtoolError("setting 'per-file-ignores' must be a table of pattern = [rules]",
                          Span.point(path))
    per_file = tuple((pat, check(_strings(v, "per-file-ignores", path)))
                     for pat, v in pfi_table.items())
    sev_table = table.get("severity", {})
    if not isinstance(sev_table, dict):
        raise SvtoolError("setting 'severity' must be a table of rule = level", Span.point(path))
    severity: list[tuple[str, Severity]] = []
    for sel, level in sev_table.items():
        rules = registry.matching(sel)
        if not rules:
            unknown.append(Unknown(sel, _locate(text, path, sel)))
        severity.extend((r.id, _level(level, "severity", path)) for r in rules)
    fail_on = _level(table["fail-on"], "fail-on", path) if "fail-on" in table else None
    host = table.get("host-checks")
    if host is not None and not isinstance(host, bool):
        raise SvtoolError("setting 'host-checks' must be true or false", Span.point(path))
    target = table.get("target", "svtool")
    if target not in TARGETS:
        raise SvtoolError(f"setting 'target' must be {' or '.join(TARGETS)}, not {target!r}",
                          _locate(text, path, "target"))
    return Settings(select, ignore, per_file, tuple(severity), fail_on, host,
                    os.path.dirname(os.path.abspath(path)), tuple(unknown), target)
