"""Loading generated text with supervisord 4.3.0's own config reader and with svtool's."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from supervisor.options import ServerOptions

from supervisor_tools.errors import Severity
from supervisor_tools.model import LoadResult, load

MAIN = textwrap.dedent("""\
    [supervisord]
    logfile=%(here)s/supervisord.log
    pidfile=%(here)s/supervisord.pid

    [include]
    files = conf.d/*.conf
    """)


def supervisor_load(path: Path) -> Any:
    """supervisord's options after reading `path`; raises ValueError as supervisord would."""
    options = ServerOptions()
    options.configfile = str(path)
    options.process_config(do_usage=False)
    return options


def with_fragments(root: Path, fragments: dict[str, str]) -> Path:
    """A main file including each fragment as conf.d/<name>.conf; returns the main file."""
    conf_d = root / "conf.d"
    conf_d.mkdir(parents=True, exist_ok=True)
    for old in conf_d.glob("*.conf"):
        old.unlink()
    for name, text in fragments.items():
        (conf_d / f"{name}.conf").write_text(text, encoding="utf-8")
    main = root / "supervisord.conf"
    main.write_text(MAIN, encoding="utf-8")
    return main


def svtool_load(path: Path, *, fragment: bool | None = None) -> LoadResult:
    return load(str(path), fragment=fragment)


def lint_errors(path: Path, *, host_checks: bool = True) -> list[str]:
    """`svtool lint`'s error-level findings on `path`.

    Placeholder-looking values (SV251: `#v#`, `<x>`) are left out: generated requests carry
    random values the user typed, and judging those is not the generator's job.
    """
    from supervisor_tools.lint.engine import lint_paths

    return [str(d) for d in lint_paths([str(path)], host_checks=host_checks,
                                       ignore=["placeholder-value"])
            if d.severity == Severity.ERROR]


def process_configs(options: Any) -> dict[str, Any]:
    return {p.name: p for g in options.process_group_configs for p in g.process_configs}
