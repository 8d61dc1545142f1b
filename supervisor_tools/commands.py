"""The plain functions behind the foundation's CLI commands; each returns an exit code."""

from __future__ import annotations

import json
import sys

from supervisor_tools import exitcodes
from supervisor_tools.errors import ConfigError
from supervisor_tools.parallel.fork import NO_FORKS, Forks


def print_errors(errors: list[ConfigError] | tuple[ConfigError, ...], order: list[str]) -> None:
    rank = {path: i for i, path in enumerate(order)}
    for err in sorted(errors, key=lambda e: (rank.get(e.span.file, len(rank)), e.span.line,
                                             e.span.col)):
        print(str(err), file=sys.stderr)


def show_command(config: str, *, as_json: bool, fragment: bool, host_checks: bool,
                 graph: str | None = None, forks: Forks = NO_FORKS) -> int:
    from supervisor_tools.parallel.batch import Batch

    batch = Batch(forks)
    # its includes parse on a second core while the loader imports
    batch.read_ahead_includes(config)
    from supervisor_tools.model import load
    from supervisor_tools.model.show import model_json, model_text

    result = load(config, fragment=bool(fragment), host_checks=host_checks,
                  parse_files=batch.read_files)
    order = [d.path for d in result.documents]
    if not result.ok:
        print_errors(result.errors, order)
        return exitcodes.USAGE
    if graph is not None:
        from supervisor_tools.model.showgraph import graph_mermaid, graph_text

        render = graph_mermaid if graph == "mermaid" else graph_text
        sys.stdout.write(render(result.model))
    elif as_json:
        sys.stdout.write(json.dumps(model_json(result.model), indent=2) + "\n")
    else:
        sys.stdout.write(model_text(result.model))
    return exitcodes.OK
