"""What a conf.d fragment is linted against when it is named on its own.

pre-commit and editors hand over one changed file; whether its `[group:x]` names a program that
exists depends on the rest of the tree. A fragment is checked inside the main config that
includes it, when one is found (a `supervisord.conf` in the fragment's directory or above it,
up to the repository root) or named (`--config-root`), and otherwise beside the other supervisor
configs of its directory. Also here: telling a supervisor config from other `.conf` files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from supervisor_tools.errors import SvtoolError
from supervisor_tools.syntax.ast import Document

MAIN_NAME = "supervisord.conf"
CONFIG_SUFFIXES = (".conf", ".ini")
# The sections supervisord or supervisorctl read. A file with none of them is not a supervisor
# config (an nginx conf.d/default.conf, a tox.ini): supervisord would find nothing in it.
_SUPERVISOR_SECTION = re.compile(
    rb"^(?:\xef\xbb\xbf)?[ \t]*\[[ \t]*(?:supervisord|supervisorctl|unix_http_server|"
    rb"inet_http_server|include|(?:program|group|eventlistener|fcgi-program|rpcinterface|"
    rb"ctlplugin):[^\]\r\n]*)[ \t]*\]", re.M)
_INCLUDE = re.compile(rb"^[ \t]*\[include\]", re.M)
_REPOSITORY_MARKERS = (".git", ".hg", ".svn")


def is_supervisor_config(data: bytes) -> bool:
    """Whether a file's bytes hold at least one section supervisor reads."""
    return _SUPERVISOR_SECTION.search(data) is not None


def root_candidates(fragment: str) -> Iterator[str]:
    """Each `supervisord.conf` with an [include] from the fragment's directory upwards, nearest
    first; the walk stops at the repository root (a directory holding .git, .hg or .svn).

    A candidate is only a candidate: the caller loads it and keeps it if it reads the fragment.
    """
    here = os.path.dirname(os.path.abspath(fragment))
    while True:
        candidate = os.path.join(here, MAIN_NAME)
        if candidate != os.path.abspath(fragment) and _includes_something(candidate):
            yield candidate
        if any(os.path.exists(os.path.join(here, m)) for m in _REPOSITORY_MARKERS):
            return
        parent = os.path.dirname(here)
        if parent == here:
            return
        here = parent


def _includes_something(path: str) -> bool:
    from supervisor_tools.syntax.parser import read_bytes

    try:
        return _INCLUDE.search(read_bytes(path)) is not None
    except OSError:
        return False  # not there (the common case), or unreadable: no context from it


def sibling_names(directory: str, known: frozenset[str]) -> frozenset[str]:
    """The section names of the supervisor configs in `directory`, except the files in `known`
    (absolute paths: files the run already read)."""
    from supervisor_tools.syntax.parser import decode, parse, read_bytes

    names: set[str] = set()
    try:
        entries = sorted(os.listdir(directory or "."))
    except OSError:
        return frozenset()
    for name in entries:
        path = os.path.join(directory, name)
        if not name.endswith(CONFIG_SUFFIXES) or os.path.abspath(path) in known:
            continue
        try:
            data = read_bytes(path)
            if not is_supervisor_config(data):
                continue
            doc: Document = parse(decode(data, path), path)
        except (OSError, SvtoolError):
            continue  # a sibling that cannot be read names nothing; linting it says why
        names.update(s.name for s in doc.sections)
    return frozenset(names)


def refers_to_others(doc: Document) -> bool:
    """Whether a fragment names sections it may not define itself ([group:x] programs=)."""
    return any(s.name.startswith("group:") for s in doc.sections)
