"""Hover text: a section kind's or an option's row of the option table, an expansion's value."""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping

from supervisor_tools.lsp.locate import Spot
from supervisor_tools.lsp.values import meaning
from supervisor_tools.model import LoadResult
from supervisor_tools.options.table import (
    SECTION_DOCS,
    OptionSpec,
    options_for,
    section_kind,
    spec,
)

PROCESS_KINDS = ("program", "eventlistener", "fcgi-program")


def option_text(row: OptionSpec, kind: str) -> str:
    """An option's docs as Markdown: what it does, its type, its default, its expansions."""
    lines = [f"**{row.name}** — [{kind}] option", "", row.doc[:1].upper() + row.doc[1:] + ".",
             "", f"- type: {row.type.name}" + ("" if row.type.doc == row.type.name
                                                   else f" ({row.type.doc})")]
    default = row.default_doc
    lines.append(f"- default: {default}" if default is not None else
                 "- default: none (required)" if row.required else "- default: unset")
    lines.append(f"- expands: {expansions(row)}")
    lines.append(f"- read per: {row.level}")
    return "\n".join(lines)


def expansions(row: OptionSpec) -> str:
    """The `%(name)s` names the option's value may use, as code."""
    rule = row.expansion
    if rule.env == "none":
        return "nothing (the text stays as written)"
    env = {"os": "the environment", "sd": "the environment and [supervisord] environment",
           "own": "the environment, [supervisord] environment and the program's own"}[rule.env]
    return ", ".join([*(f"`%({n})s`" for n in rule.names), f"`%(ENV_X)s` ({env})"])


def section_text(name: str) -> str:
    kind = section_kind(name)
    if kind is None:
        return (f"**[{name}]** — not a section supervisord reads: it ignores it "
                "(see `svtool rules`)")
    count = len(options_for(kind))
    return (f"**[{name}]** — {SECTION_DOCS[kind]}\n\n[{kind}] sections take {count} options; "
            "hover an option name for its docs.")


def hover_text(found: Spot, path: str, loaded: LoadResult | None,
               environ: Mapping[str, str]) -> str | None:
    section = found.section
    if section is None:
        return None
    if found.kind == "header":
        return section_text(section.name)
    kind = section_kind(section.name)
    if found.kind == "key" and found.option is not None:
        if kind is None:
            return None
        row = spec(kind, found.option.key)
        if row is None:
            return f"**{found.option.key}** is not an option of [{kind}] sections"
        return option_text(row, kind)
    if found.kind == "value" and found.option is not None and kind is not None:
        row = spec(kind, found.option.key)
        return meaning(row, found.option.value) if row is not None else None
    if found.kind == "expansion" and found.option is not None:
        return expansion_text(found.word, section.name, found.option.key, path, loaded,
                              environ)
    return None


def expansion_text(name: str, section: str, key: str, path: str,
                   loaded: LoadResult | None, environ: Mapping[str, str]) -> str:
    kind = section_kind(section)
    row = spec(kind, key) if kind else None
    head = f"**%({name})s**"
    if row is not None and row.expansion.env == "none":
        return f"{head} — {key} is not expanded: the text stays as written"
    allowed = row.expansion.names if row is not None else ()
    if row is not None and not name.startswith("ENV_") and name not in allowed:
        return (f"{head} — not available in {key} (it may expand "
                f"{row.expansion.describe()})")
    value = resolve(name, section, path, loaded, environ)
    if value is None:
        return f"{head} — not known until supervisord runs on the target machine"
    return f"{head} = `{value}`"


def resolve(name: str, section: str, path: str, loaded: LoadResult | None,
            environ: Mapping[str, str]) -> str | None:
    """What `%(name)s` becomes in `section`, where this machine and the config can tell."""
    kind = section_kind(section)
    program = section.split(":", 1)[1] if ":" in section else section
    processes = [p for g in (loaded.model.groups if loaded else ())
                 for p in g.processes if p.program == program] \
        if kind in PROCESS_KINDS else []
    if name == "here":
        return os.path.dirname(os.path.abspath(path))
    if name == "host_node_name":
        return platform.node()
    if name == "program_name" and kind in PROCESS_KINDS:
        return program
    if name == "group_name" and kind in PROCESS_KINDS:
        return processes[0].group if processes else program
    if name == "numprocs" and processes:
        return str(processes[0].numprocs)
    if name == "process_num" and processes:
        nums = sorted({p.process_num for p in processes})
        return str(nums[0]) if len(nums) == 1 else f"{nums[0]} to {nums[-1]} (one per process)"
    if name.startswith("ENV_"):
        var = name[4:]
        env: dict[str, str] = dict(environ)
        sd = loaded.model.supervisord if loaded else None
        if sd is not None:
            env.update(sd.environment)
        if processes:
            env.update(processes[0].environment)
        return env.get(var)
    return None
