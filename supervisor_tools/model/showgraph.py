"""The dependency graph for people (`svtool show --graph`) and for docs (`--graph mermaid`)."""

from __future__ import annotations

from supervisor_tools.model.depgraph import Graph, Wait, build_graph, describe_cycle
from supervisor_tools.model.model import Model


def _label(w: Wait) -> str:
    return "after" if w.conditions == ("after",) else ",".join(w.conditions)


def graph_text(model: Model) -> str:
    """Every program in start order, each with what it waits for; then what cannot start."""
    g = build_graph(model)
    lines: list[str] = []
    for program in g.order():
        waits = g.waits.get(program, ())
        if not waits:
            lines.append(program)
            continue
        parts = []
        for w in waits:
            members = g.targets(w.target)
            named = w.target if members is None or members == (w.target,) \
                else f"{w.target} [{', '.join(members)}]"
            parts.append(f"{named} ({_label(w)})")
        lines.append(f"{program} <- {', '.join(parts)}")
    lines.extend(_problems(g))
    return "\n".join(lines) + "\n"


def _problems(g: Graph) -> list[str]:
    out: list[str] = []
    for path in sorted(set(g.cycles().values())):
        out.append(f"cycle (none of these can start): {describe_cycle(path)}")
    for program, waits in sorted(g.waits.items()):
        for w in waits:
            if g.targets(w.target) is None:
                out.append(f"unknown: {program} waits for {w.target!r}, no program or group")
    return out


def graph_mermaid(model: Model) -> str:
    """A Mermaid flowchart: an arrow from each program to those that wait for it, labelled
    with the condition; unknown names as dashed nodes."""
    g = build_graph(model)
    ids: dict[str, str] = {}

    def node(name: str) -> str:
        if name not in ids:
            ids[name] = f"n{len(ids)}"
        return ids[name]

    lines = ["flowchart LR"]
    for program in g.order():
        lines.append(f'    {node(program)}["{_quote(program)}"]')
    missing: list[str] = []
    for program in g.order():
        for w in g.waits.get(program, ()):
            targets = g.targets(w.target)
            if targets is None:
                if w.target not in ids:
                    missing.append(w.target)
                targets = (w.target,)
            for t in targets:
                lines.append(f"    {node(t)} -->|{_label(w)}| {node(program)}")
    for name in missing:
        lines.append(f'    {node(name)}["{_quote(name)} (unknown)"]:::missing')
    if missing:
        lines.append("    classDef missing stroke-dasharray: 5 5")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return text.replace('"', "#quot;")
