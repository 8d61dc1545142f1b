"""Rule documentation from the registry: `svtool rule ID` text and the docs/rules/ pages.

Regenerate the pages with `python -m supervisor_tools.lint.docs docs/rules`; a test fails when
the checked-in pages differ from what this module generates.
"""

from __future__ import annotations

import os
import sys

from supervisor_tools.lint import registry
from supervisor_tools.lint.rule import Rule


def _flags(rule: Rule) -> list[str]:
    out = [f"default severity: {rule.severity.value}"]
    if rule.rejected:
        out.append("supervisord 4.3.0 refuses the config")
    if rule.fixable:
        out.append("fixable with `--fix`")
    if rule.host:
        out.append("consults this machine: opt-in group `host` (`--select host`, or "
                   "`host-checks = true` in the settings)")
    elif rule.group:
        out.append(f"opt-in group `{rule.group}` (`--select {rule.group}`)")
    return out


def rule_text(rule: Rule) -> str:
    lines = [f"{rule.id} {rule.name}: {rule.summary}", "", "; ".join(_flags(rule)), "",
             rule.doc, ""]
    if rule.options:
        lines += [f"Options: {', '.join(rule.options)}", ""]
    lines += [f"Docs: {rule.url}", ""]
    return "\n".join(lines)


def _markdown_doc(doc: str) -> str:
    """Indented example blocks become fenced ini blocks."""
    out: list[str] = []
    in_block = False
    for line in doc.split("\n"):
        indented = line.startswith("    ")
        if indented and not in_block:
            out.append("```ini")
            in_block = True
        elif in_block and line.strip() and not indented:
            out.append("```")
            in_block = False
        if in_block:
            out.append(line[4:])
        else:
            out.append(line)
    if in_block:
        while out and out[-1] == "":
            out.pop()
        out.append("```")
    # a blank line inside a block that ends the block belongs after the fence
    text = "\n".join(out)
    return text.replace("\n\n```\n", "\n```\n\n")


def rule_page(rule: Rule) -> str:
    parts = [f"# {rule.id} {rule.name}", "", f"{rule.summary[0].upper()}{rule.summary[1:]}.", "",
             "- " + "\n- ".join(_flags(rule))]
    if rule.options:
        parts[-1] += "\n- options: " + ", ".join(f"`{o}`" for o in rule.options)
    parts += ["", _markdown_doc(rule.doc), "",
              f"Suppress with `; svtool: disable={rule.id}` on the line, or "
              f"`ignore = [\"{rule.id}\"]` in `[tool.svtool]`.", ""]
    return "\n".join(parts)


USAGE = """\
## Using `svtool lint`

```
svtool lint supervisord.conf conf.d/ 'deploy/**/*.conf'
```

- A file with `[supervisord]` (or `[include]`) is a main config: its includes are read and
  findings in included files are reported against those files, once. A file with only
  programs and groups is a conf.d fragment; fragments linted together see each other's
  programs.
- Exit status: 0 clean, 1 when a finding reaches `--fail-on` (`error` by default; `warning`,
  `info`), 2 for a usage error or an input file that cannot be read.
- `--format text` (default: the line and a caret; colour on a terminal), `json` (an array of
  `path`, `line`, `col`, `end_line`, `end_col`, `code`, `severity`, `message`, `url`, `fix`),
  `sarif` (2.1.0, for GitHub code scanning), `github` (workflow annotations).
- `--quiet` prints the findings only; `--stats` counts them per rule.
- `--select` / `--ignore` take IDs (`SV236`), prefixes (`SV2`), names (`user-root`), rule
  groups or `ALL`. The checks that consult the machine svtool runs on (group `host`: users,
  directories, imports, environment variables) run only when selected, for a lint on the
  target machine itself.
- `--fix` applies the certain fixes in place (comments and layout kept, files replaced
  atomically); `--diff` prints them as a diff and writes nothing.

Suppressions: `; svtool: disable=SV236` at the end of a line (or alone on the line above it),
`; svtool: disable-file=SV246,tmp-path` anywhere in a file (by convention at its top).

Settings, in `.svtool.toml` or `[tool.svtool]` of `pyproject.toml` (found from the current
directory upwards; `--config FILE`, `--no-config`):

```toml
[tool.svtool]
select = ["DEFAULT"]
ignore = ["SV246"]
per-file-ignores = { "conf.d/legacy-*.conf" = ["SV210"] }
severity = { SV236 = "error" }
fail-on = "warning"
host-checks = true
```

Unknown rule IDs in comments and settings are reported as SV001.

pre-commit (`.pre-commit-hooks.yaml`):

```yaml
- repo: https://github.com/svtool/svtool
  rev: v0.1.0
  hooks:
    - id: svtool-lint          # svtool-lint-host adds the host checks
      files: ^deploy/supervisor/
```
"""


def index_page() -> str:
    lines = ["# svtool lint rules", "",
             "Generated from the rule registry (`python -m supervisor_tools.lint.docs "
             "docs/rules`); do not edit by hand. What the rules report on the seed configs: "
             "[seeds.md](seeds.md).", "",
             USAGE, "## Rules", "",
             "Rules SV1xx report what supervisord 4.3.0 itself refuses; SV2xx what it accepts "
             "or only logs but is almost certainly wrong. `host` marks checks that consult the "
             "machine svtool runs on: they form an opt-in group, run only when selected.", "",
             "| ID | name | severity | fix | summary |", "|---|---|---|---|---|"]
    for r in registry.RULES:
        flags = ("yes" if r.fixable else "") + (" host" if r.host else "")
        lines.append(f"| [{r.id}]({r.id}.md) | {r.name} | {r.severity.value} | "
                     f"{flags.strip()} | {r.summary.replace('|', '&#124;')} |")
    return "\n".join(lines) + "\n"


def pages() -> dict[str, str]:
    out = {f"{r.id}.md": rule_page(r) for r in registry.RULES}
    out["README.md"] = index_page()
    return out


def write(directory: str) -> None:
    os.makedirs(directory, exist_ok=True)
    wanted = pages()
    for name in os.listdir(directory):
        if name.startswith("SV") and name.endswith(".md") and name not in wanted:
            os.unlink(os.path.join(directory, name))
    for name, text in wanted.items():
        with open(os.path.join(directory, name), "w", encoding="utf-8") as fh:
            fh.write(text)


if __name__ == "__main__":
    write(sys.argv[1] if len(sys.argv) > 1 else "docs/rules")
