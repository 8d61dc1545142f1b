"""Rule documentation from the registry: `svtool rule ID` text and the docs/rules/ pages.

Regenerate the pages with `python -m supervisor_tools.lint.docs docs/rules`; a test fails when
the checked-in pages differ from what this module generates.
"""

from __future__ import annotations

import os
import sys

from supervisor_tools.lint import registry
from supervisor_tools.lint.rule import GROUPS, Rule


def _flags(rule: Rule) -> list[str]:
    out = [f"default severity: {rule.severity.value}"]
    if rule.rejected:
        out.append("supervisord 4.3.0 refuses the config")
    if rule.fixable:
        out.append("fixable with `--fix`")
    if rule.group == "host":
        out.append("opt-in group `host`: consults the machine svtool runs on (on with "
                   "`--host-checks` or `--select host`)")
    elif rule.group:
        out.append(f"opt-in group `{rule.group}` (on with `--extend-select {rule.group}`)")
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
  findings in included files are reported against those files, once.
- A file with only programs and groups is a conf.d fragment. A fragment is checked in its
  context, and only its own findings are reported: inside the main config that includes it
  (a `supervisord.conf` in its directory or above, up to the repository root, whose `[include]`
  reads it; or the file named with `-c/--config FILE` or `--config-root FILE`), else beside
  the other supervisor configs of its directory (a `[group:x]` may name their programs). So
  `svtool lint conf.d/a.conf` judges `a.conf` as supervisord would read it in its tree.
- Every file named, found under a directory (`*.conf`, `*.ini`) or matched by a quoted glob is
  linted, as asked. `--only-supervisor` (the pre-commit hook's flag, as ruff's hook passes
  `--force-exclude`) skips the files that are plainly not supervisor configs: those without a
  section supervisor reads (`[program:x]`, `[supervisord]`, `[group:x]`, `[eventlistener:x]`,
  `[fcgi-program:x]`, `[include]`, `[unix_http_server]`, ...), such as an nginx
  `conf.d/default.conf` or a `tox.ini`, unless a main config includes them (supervisord then
  reads them too).
- `svtool lint -` reads one config from stdin; `--stdin-filename PATH` gives its name for
  positions, per-file-ignores and the fragment's context.
- Exit status: 0 clean, 1 when a finding reaches `--fail-on` (`error` by default; `warning`,
  `info`), 2 for a usage error or an input file that cannot be read. `--exit-zero` exits 0
  despite findings (2 still means unreadable input).
- `--format text` (default: the line and a caret), `json` (an array of `path`, `line`, `col`,
  `end_line`, `end_col`, `code`, `severity`, `message`, `url`, `fix`), `sarif` (2.1.0, for
  GitHub code scanning), `github` (workflow annotations). `-o/--output FILE` writes the
  report to a file, replaced atomically.
- `--color auto|always|never`: auto colours a terminal's output unless `NO_COLOR` is set, and
  also a pipe's when `FORCE_COLOR` is; always and never win over both. An output file is
  coloured only with always.
- `--quiet` prints the findings only; `--statistics` (or `--stats`) counts them per rule.
- `--select` takes IDs (`SV236`), prefixes (`SV2`), names (`user-root`), opt-in groups (`host`,
  `strict`), `DEFAULT` or `ALL`, and replaces the settings' `select`; `--extend-select` adds to
  it; `--ignore` leaves rules out. A prefix names only rules outside the opt-in groups.
- `--host-checks` adds the `host` group (users, directories, imports and environment variables
  looked up on this machine): for a lint on the target host itself. It is off by default, and
  `--no-host-checks` turns it off when a settings file has `host-checks = true`.
- `--show-settings` prints the resolved settings and the rules they enable, and exits 0.
- `--fix` applies the certain fixes in place (comments and layout kept, files replaced
  atomically); `--diff` prints them as a diff and writes nothing.

Suppressions: `; svtool: disable=SV236` at the end of a line (or alone on the line above it),
`; svtool: disable-file=SV246,tmp-path` anywhere in a file (by convention at its top).

Settings, in `.svtool.toml` or `[tool.svtool]` of `pyproject.toml` (found from the current
directory upwards; `--settings FILE`, or `--config FILE.toml` as before; `--no-settings`, or
`--no-config`):

```toml
[tool.svtool]
select = ["DEFAULT", "strict"]
ignore = ["SV246"]
per-file-ignores = { "conf.d/legacy-*.conf" = ["SV210"] }
severity = { SV236 = "error" }
fail-on = "warning"
host-checks = false
```

Unknown rule IDs in comments and settings are reported as SV001.

pre-commit (`.pre-commit-hooks.yaml`): the hook is handed every changed `*.conf` and `*.ini`
and lints the supervisor configs among them, each fragment in its context; it needs no
arguments.

```yaml
- repo: https://github.com/svtool/svtool
  rev: v0.1.0
  hooks:
    - id: svtool-lint          # svtool-lint-host adds the host checks
      # args: [--config-root, deploy/main.conf]   # when the main config is named otherwise
```
"""


def index_page() -> str:
    lines = ["# svtool lint rules", "",
             "Generated from the rule registry (`python -m supervisor_tools.lint.docs "
             "docs/rules`); do not edit by hand. What the rules report on the seed configs: "
             "[seeds.md](seeds.md).", "",
             USAGE, "## Rules", "",
             "Rules SV1xx report what supervisord 4.3.0 itself refuses; SV2xx what it accepts "
             "or only logs but is almost certainly wrong. A rule in an opt-in group runs only "
             "when selected (its ID, its name, its group or ALL):", "",
             *[f"- `{name}`: {text}" for name, text in GROUPS.items()], "",
             "| ID | name | severity | fix | group | summary |", "|---|---|---|---|---|---|"]
    for r in registry.RULES:
        lines.append(f"| [{r.id}]({r.id}.md) | {r.name} | {r.severity.value} | "
                     f"{'yes' if r.fixable else ''} | {r.group} | "
                     f"{r.summary.replace('|', '&#124;')} |")
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
