"""Run the rules over files: find the files, load each configuration once, apply settings and
suppressions, and return the findings sorted."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from supervisor_tools.errors import Diagnostic, SvtoolError
from supervisor_tools.lint import registry, suppress
from supervisor_tools.lint.config import Settings
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.paths import expand_paths
from supervisor_tools.lint.rule import Finding, Report, Rule
from supervisor_tools.lint.surroundings import (
    is_supervisor_config,
    refers_to_others,
    root_candidates,
    sibling_names,
)
from supervisor_tools.model import LoadResult, load
from supervisor_tools.parallel.batch import Batch
from supervisor_tools.parallel.fork import Forks
from supervisor_tools.syntax.ast import Document
from supervisor_tools.syntax.parser import read_bytes

# Below this many conf.d fragments, forking costs more than a second core saves.
MIN_FORKED_FRAGMENTS = 100
_MAIN = re.compile(rb"^[ \t]*\[(supervisord|include)\]", re.M)
_INCLUDE = re.compile(rb"^[ \t]*\[include\]", re.M)
_SUPERVISORD = re.compile(rb"^[ \t]*\[supervisord\]", re.M)


class LintResult(NamedTuple):
    findings: list[Finding]
    files: list[str]  # every file read, given or included
    documents: dict[str, Document]
    given: list[str]  # the files the paths named

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [f.diagnostic for f in self.findings]


def _head(path: str) -> bytes | None:
    try:
        return read_bytes(path)
    except OSError:
        return None  # reading it again reports the error with its position


def _sort_key(f: Finding) -> tuple[str, int, int, int, int, str, str]:
    d = f.diagnostic
    s = d.span
    return (s.file, s.line, s.col, s.end_line, s.end_col, d.code, d.message)


def _report(rule_id: str, settings: Settings, sink: list[Finding]) -> Report:
    rule = registry.BY_ID[rule_id]
    return Report(rule, settings.severity_of(rule_id) or rule.severity, sink)


def run(paths: list[str], settings: Settings | None = None,
        environ: Mapping[str, str] | None = None, *, stdin: bytes | None = None,
        only_supervisor: bool = False, config_root: str | None = None,
        in_context: bool = True, batch: Batch | None = None) -> LintResult:
    """Lint `paths` (files, directories, globs).

    stdin: the content of the one file `paths` names (it need not exist on disk).
    only_supervisor: skip files that are plainly not supervisor configs (no section supervisor
    reads: surroundings.is_supervisor_config) unless a main config includes them.
    config_root: the main config to check conf.d fragments in, when it includes them.
    in_context: False checks each fragment exactly as supervisord would read that file alone
    (no main config, no siblings), as the differential tests against supervisord need.
    batch: parses the files (on two cores if its forks allow, with what it read ahead); by
    default they are parsed here, in turn.
    """
    settings = settings or Settings()
    batch = batch or Batch()
    parse_files = batch.read_files
    # one snapshot for every file: reading os.environ again per fragment costs more than
    # linting a small fragment
    environ = dict(os.environ) if environ is None else environ
    files = list(paths) if stdin is not None else expand_paths(paths)
    contents = {files[0]: stdin} if stdin is not None else {f: _head(f) for f in files}
    heads = {f: data for f, data in contents.items() if data is not None}
    # --only-supervisor: a file without a supervisor section is skipped unless a main config
    # reads it (then supervisord reads it too, and what it makes of it is worth reporting)
    doubtful = {f for f in files if only_supervisor and f in heads
                and not is_supervisor_config(heads[f])}
    # configs with [supervisord] first, then other includers: a file they include is then
    # checked once, as part of the config that reads it
    mains = [f for f in files if f in heads and _MAIN.search(heads[f])]
    mains.sort(key=lambda f: _SUPERVISORD.search(heads[f]) is None)
    main_set = set(mains)
    rest = [f for f in files if f not in main_set]
    host = settings.host_checks_needed()
    rules = [r for r in registry.RULES if settings.enabled(r.id)]
    raw: list[Finding] = []
    covered: set[str] = set()
    documents: dict[str, Document] = {}
    read: list[str] = []
    results: list[LoadResult] = []
    checks = [(rule, _report(rule.id, settings, raw)) for rule in rules]
    known = frozenset(os.path.abspath(f) for f in files)
    siblings: dict[str, frozenset[str]] = {}

    def record(files: Iterable[str], docs: Iterable[Document]) -> None:
        covered.update(os.path.abspath(f) for f in files)
        for doc in docs:
            covered.add(os.path.abspath(doc.path))
            if doc.path not in documents:
                documents[doc.path] = doc
                read.append(doc.path)

    def add(result: LoadResult) -> None:
        results.append(result)
        record(result.model.files, result.documents)

    def check(result: LoadResult, names: frozenset[str]) -> None:
        # conf.d fragments linted together see each other's programs, as supervisord would
        ctx = Context(result, names_for(result, names) if result.model.fragment
                      else frozenset())
        for rule, report in checks:
            rule.check(ctx, report)

    def names_for(result: LoadResult, names: frozenset[str]) -> frozenset[str]:
        # a fragment that names other sections also sees the supervisor configs beside it
        doc = result.documents[0] if result.documents else None
        if doc is None or not in_context or not refers_to_others(doc):
            return names
        directory = os.path.dirname(result.model.main_file)
        if directory not in siblings:
            siblings[directory] = sibling_names(directory, known)
        return names | siblings[directory]

    def parsed(path: str) -> Document | SvtoolError | None:
        return batch.read_files([path], heads)[0] if stdin is not None else None

    for path in mains:
        if os.path.abspath(path) not in covered:
            fragment = False if _INCLUDE.search(heads[path]) else None
            add(load(path, fragment=fragment, environ=environ, host_checks=host,
                     parsed=parsed(path), parse_files=parse_files))
    pending = [path for path in rest if os.path.abspath(path) not in covered]
    if pending and in_context and (stdin is None or files[0] != "-"):
        # a fragment the main config includes is checked there; the rest on their own (stdin
        # with a file name is read there in place of that file, as an editor's buffer)
        overlay = {os.path.abspath(files[0]): stdin} if stdin is not None else None
        pending = _lint_in_roots(pending, config_root, environ, host, rules, settings, raw,
                                 record, batch, overlay)
    pending = [path for path in pending if path not in doubtful]
    # the rest are fragments, each loaded on its own; they are parsed together first (on two
    # cores when there are many)
    fragments = list(zip(pending, batch.read_files(pending, heads), strict=True))
    if not all(_self_contained(parsed) for _, parsed in fragments):
        for path, doc in fragments:
            add(load(path, environ=environ, host_checks=host, parsed=doc,
                     parse_files=parse_files))
        names = _section_names(documents.values())
        for result in results:
            check(result, names)
    else:
        # each fragment reads only itself: every name they define is known before loading
        # any of them, so each is loaded and checked on its own, on two cores when many
        names = _section_names([*documents.values(), *_parsed_documents(fragments)])
        for result in results:
            check(result, names)

        conversions: dict[Any, Any] = {}  # the fragments repeat the same values

        def lint_fragment(path: str, parsed: Document | SvtoolError) -> None:
            check(load(path, environ=environ, host_checks=host, parsed=parsed,
                       conversions=conversions), names)

        _each_fragment(fragments, lint_fragment, raw, batch.forks)
        for path, doc in fragments:  # what loading a self-contained fragment records
            record((path,), [doc] if isinstance(doc, Document) else [])
    findings = _filter(raw, documents, settings)
    findings.sort(key=_sort_key)
    given = [f for f in files if f not in doubtful or os.path.abspath(f) in covered]
    return LintResult(findings, read, documents, given)


def _lint_in_roots(pending: list[str], config_root: str | None, environ: Mapping[str, str],
                   host: bool, rules: list[Rule], settings: Settings, sink: list[Finding],
                   record: Callable[[Iterable[str], Iterable[Document]], None],
                   batch: Batch, overlay: Mapping[str, bytes] | None = None) -> list[str]:
    """Check each fragment inside the main config that includes it, if one is found; only
    findings in the fragments themselves are kept. Returns the fragments no main config reads.
    """
    roots: dict[str, tuple[LoadResult, frozenset[str]]] = {}
    candidates: dict[str, list[str]] = {}
    members: dict[str, list[str]] = {}
    alone: list[str] = []
    for path in pending:
        directory = os.path.dirname(os.path.abspath(path))
        if directory not in candidates:
            candidates[directory] = ([config_root] if config_root else []) + \
                list(root_candidates(path))
        for candidate in candidates[directory]:
            if candidate not in roots:
                result = load(candidate, fragment=False, environ=environ, host_checks=host,
                              parse_files=batch.read_files, overlay=overlay)
                roots[candidate] = (result, frozenset(os.path.abspath(doc.path)
                                                      for doc in result.documents))
            if os.path.abspath(path) in roots[candidate][1]:
                members.setdefault(candidate, []).append(path)
                break
        else:
            alone.append(path)
    for candidate, given in members.items():
        result = roots[candidate][0]
        found: list[Finding] = []
        ctx = Context(result)
        for rule in rules:
            rule.check(ctx, _report(rule.id, settings, found))
        wanted = {os.path.abspath(p) for p in given}
        sink.extend(f for f in found if os.path.abspath(f.diagnostic.span.file) in wanted)
        record(given, [doc for doc in result.documents if os.path.abspath(doc.path) in wanted])
    return alone


def _self_contained(parsed: Document | SvtoolError) -> bool:
    return not isinstance(parsed, Document) or all(s.name != "include" for s in parsed.sections)


def _parsed_documents(fragments: Iterable[tuple[str, Document | SvtoolError]]) -> list[Document]:
    return [parsed for _, parsed in fragments if isinstance(parsed, Document)]


def _section_names(documents: Iterable[Document]) -> frozenset[str]:
    return frozenset(s.name for doc in documents for s in doc.sections)


def _each_fragment(fragments: list[tuple[str, Document | SvtoolError]],
                   lint: Callable[[str, Document | SvtoolError], None],
                   sink: list[Finding], forks: Forks) -> None:
    """lint() every fragment, its findings going to `sink` in fragment order.

    With many fragments a forked child lints the second half and sends back only its findings:
    loading and checking is most of the work, and a fragment's findings never depend on
    another's. If the child fails, its half is linted here, so any error surfaces.
    """
    def lint_all(part: list[tuple[str, Document | SvtoolError]]) -> None:
        for path, parsed in part:
            lint(path, parsed)

    if len(fragments) < MIN_FORKED_FRAGMENTS or not forks.available():
        lint_all(fragments)
        return
    import pickle  # only here: a small lint should not pay for importing it

    cut = len(fragments) // 2
    first, second = fragments[:cut], fragments[cut:]

    def there() -> bytes:
        start = len(sink)
        lint_all(second)
        return pickle.dumps(sink[start:], pickle.HIGHEST_PROTOCOL)

    _, data = forks.split(lambda: lint_all(first), there)
    if data is None:
        lint_all(second)
    else:
        sink.extend(pickle.loads(data))


def _filter(raw: list[Finding], documents: dict[str, Document],
            settings: Settings) -> list[Finding]:
    sink: list[Finding] = []
    unknown_id = "SV001"
    meta = _report(unknown_id, settings, sink) if settings.enabled(unknown_id) else None
    sups = {path: suppress.collect(doc) for path, doc in documents.items()}
    if meta is not None:
        for unknown in settings.unknown:
            meta(unknown.span, f"unknown rule '{unknown.selector}' in svtool settings")
        for sup in sups.values():
            for selector, span in sup.unknown:
                meta(span, f"unknown rule '{selector}' in a suppression comment")
    seen: set[tuple[str, int, int, str, str]] = set()
    ignored: dict[str, frozenset[str]] = {}
    for finding in raw:
        d = finding.diagnostic
        key = (os.path.abspath(d.span.file), d.span.line, d.span.col, d.code, d.message)
        if key in seen:
            continue
        seen.add(key)
        path = d.span.file
        if path not in ignored:
            ignored[path] = settings.ignored_in(path)
        if d.code in ignored[path]:
            continue
        found = sups.get(path)
        if found is not None and found.covers(d.span, d.code):
            continue
        sink.append(finding)
    return sink


def lint_paths(paths: list[str], *, settings: Settings | None = None,
               select: list[str] | None = None, ignore: list[str] | None = None,
               host_checks: bool | None = None, environ: Mapping[str, str] | None = None,
               in_context: bool = True) -> list[Diagnostic]:
    """Lint config files, conf.d fragments, directories or globs; findings sorted by position.

    `select`/`ignore` take rule IDs, ID prefixes, names or groups; `host_checks=True` adds the
    checks that consult this machine (users, directories, imports), which are off by default.
    A fragment is checked in its context unless `in_context` is False (see `run`). Raises
    SvtoolError when a path does not exist.
    """
    if settings is None:
        settings = Settings(tuple(select or ("DEFAULT",)), tuple(ignore or ()),
                            host_checks=host_checks)
    return run(list(paths), settings, environ, in_context=in_context).diagnostics
