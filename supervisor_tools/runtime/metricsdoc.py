"""docs/metrics.md from the metric definitions (runtime/metricdefs.py).

Regenerate with `python -m supervisor_tools.runtime.metricsdoc docs/metrics.md`; a test fails
when the checked-in page differs from what this module generates.
"""

from __future__ import annotations

import sys

from supervisor_tools.runtime.metricdefs import FAMILIES, METRICS, Metric

INTRO = """\
# Metrics

Generated from `supervisor_tools/runtime/metricdefs.py` by
`python -m supervisor_tools.runtime.metricsdoc docs/metrics.md`; do not edit by hand.

`svtool run` serves `/metrics` in the Prometheus text format (0.0.4) on every control server
of the configuration, `[unix_http_server]` and `[inet_http_server]`, behind the same username
and password as XML-RPC (`401` without them) and, on a password-less TCP port, the same
`Host` check. No option turns it on: a supervisor that can be driven can be watched. A scrape
reads what the supervisor already holds, so it costs less than one `getAllProcessInfo`
(`bench/runtime/metrics_bench.py`).

```yaml
# prometheus.yml
scrape_configs:
  - job_name: supervisor
    static_configs:
      - targets: ["127.0.0.1:9001"]      # the [inet_http_server] port
    basic_auth:                           # when it has a username and password
      username: user
      password: "123"
```

Every process series has the labels `name` (the process name) and `group` (its group), as in
`getProcessInfo`; a series per stream adds `stream` (`stdout` or `stderr`). Series come in
the order of `getAllProcessInfo`. Watching restarts:

```
increase(supervisor_process_restarts_total[10m]) > 3
```
"""


def _row(m: Metric) -> str:
    labels = ", ".join(f"`{label}`" for label in m.labels) or "(none)"
    return f"| `{m.name}` | {m.type} | {labels} | {m.meaning.replace('|', '&#124;')} |"


def page() -> str:
    parts = [INTRO]
    for family, text in FAMILIES.items():
        parts += [f"## {family}", "", text, "", "| name | type | labels | meaning |",
                  "|---|---|---|---|"]
        parts += [_row(m) for m in METRICS if m.family == family]
        parts.append("")
    return "\n".join(parts)


def write(path: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(page())


if __name__ == "__main__":
    write(sys.argv[1] if len(sys.argv) > 1 else "docs/metrics.md")
