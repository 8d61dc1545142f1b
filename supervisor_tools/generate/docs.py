"""docs/options.md, generated from the option table and the linter's rule registry.

Regenerate with `python -m supervisor_tools.generate.docs` (or `svtool docs -o docs/options.md`);
`--check` exits 1 when the committed page differs from what the table gives.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from supervisor_tools import exitcodes
from supervisor_tools.files import write_atomic
from supervisor_tools.generate.sample import SAMPLE_ORDER
from supervisor_tools.options.table import NAMED_KINDS, SECTION_DOCS, TABLE, OptionSpec

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "docs" / "options.md"
REGISTRY = "supervisor_tools.lint.registry"


def lint_rules() -> tuple[Any, ...] | None:
    """The linter's rules (objects with .id, .summary, .options), or None without a linter.

    Imported here only: the generator does not otherwise depend on the linter.
    """
    try:
        registry = importlib.import_module(REGISTRY)
    except ModuleNotFoundError as exc:
        if exc.name in ("supervisor_tools.lint", REGISTRY):
            return None
        raise
    return tuple(sorted(registry.RULES, key=lambda r: str(r.id)))


def cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def code(text: str) -> str:
    return f"`{text}`" if "`" not in text else f"`` {text} ``"


def header_text(kind: str) -> str:
    return f"[{kind}:x]" if kind in NAMED_KINDS else f"[{kind}]"


def default_cell(row: OptionSpec) -> str:
    if row.required:
        return "**required**"
    if row.default is None:
        return "unset"
    text = row.default_text
    shown = code(text) if text else "empty"
    if row.follows is not None:
        return f"the value of {code(row.follows)}, {shown} when that is unset"
    return f"{shown}: {row.computed}" if row.computed is not None else shown


def expansion_cell(row: OptionSpec) -> str:
    rule = row.expansion
    if rule.env == "none":
        return "none"
    text = rule.describe()
    if rule.passes > 1:
        literal = "%" * 2 ** rule.passes
        text += f"; expanded {rule.passes} times, so a literal % is written {literal}"
    return text


def concerns(rule: Any, kind: str, name: str) -> bool:
    """Whether `rule` looks at option `name` of `kind`.

    Rules name options without their section; a rule that also says which section kinds it
    checks (an optional `kinds` attribute) is listed only under those.
    """
    kinds = getattr(rule, "kinds", None)
    return name in tuple(rule.options) and (not kinds or kind in kinds)


def rules_cell(kind: str, name: str, rules: Sequence[Any]) -> str:
    hits = [r for r in rules if concerns(r, kind, name)]
    # rule pages live next to this page, in docs/rules/<ID>.md
    return "<br>".join(f"[{code(str(r.id))}](rules/{r.id}.md) {r.summary}" for r in hits) or "—"


def section_table(kind: str, rules: Sequence[Any] | None) -> list[str]:
    heads = ["Option", "Type", "Default", "`%(...)s` names", "Description"]
    if rules is not None:
        heads.append("Linter checks")
    out = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for row in TABLE[kind]:
        doc = row.doc + (" *(svtool extension: supervisord 4.3.0 ignores it)*"
                         if row.extension else "")
        cells = [code(row.name), row.type.name, default_cell(row), expansion_cell(row), doc]
        if rules is not None:
            cells.append(rules_cell(kind, row.name, rules))
        out.append("| " + " | ".join(cell(c) for c in cells) + " |")
    return out


def type_table() -> list[str]:
    # Two types may share a name and differ in detail (a path that may also be `syslog`).
    types = sorted({(row.type.name, row.type.doc) for rows in TABLE.values() for row in rows})
    out = ["| Type | Accepts |", "|---|---|"]
    out += [f"| {cell(name)} | {cell(doc)} |" for name, doc in types]
    return out


def options_markdown(rules: Sequence[Any] | None) -> str:
    """The whole page; `rules` is the linter's registry, or None when there is no linter."""
    out = [
        "# Configuration options",
        "",
        "<!-- Generated from supervisor_tools/options/table.py by "
        "`python -m supervisor_tools.generate.docs`; do not edit by hand. -->",
        "",
        "Every option supervisord 4.3.0 reads, by section. *Default* is what supervisord uses "
        "when the option is absent. *`%(...)s` names* are the expansions the value may use: "
        "`ENV_X` is environment variable `X`; write `%%` for a literal `%`. Value types are "
        "described [at the end](#value-types).",
        "",
    ]
    if rules is None:
        out += ["The linter's rule registry was not available when this page was generated, so "
                "the page does not say which lint rules check each option.", ""]
    else:
        out += ["*Linter checks* lists the `svtool lint` rules that look at the option.", ""]
    out += [f"- [{code(header_text(k))}](#{k}): {SECTION_DOCS[k]}" for k in SAMPLE_ORDER]
    for kind in SAMPLE_ORDER:
        out += ["", f'<a id="{kind}"></a>', "", f"## {code(header_text(kind))}", "",
                SECTION_DOCS[kind][:1].upper() + SECTION_DOCS[kind][1:] + ".", ""]
        out += section_table(kind, rules)
    out += ["", "## Value types", ""] + type_table()
    return "\n".join(out) + "\n"


def check(path: Path, text: str) -> int:
    try:
        current = path.read_text(encoding="utf-8")
    except OSError:
        current = None
    if current == text:
        return exitcodes.OK
    print(f"{path} is out of date; regenerate it with `python -m supervisor_tools.generate.docs`",
          file=sys.stderr)
    return exitcodes.FINDINGS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m supervisor_tools.generate.docs",
                                     description="Regenerate docs/options.md from the table.")
    parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH))
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the file differs from the generated text")
    args = parser.parse_args(argv)
    text = options_markdown(lint_rules())
    path = Path(args.path)
    if args.check:
        return check(path, text)
    write_atomic(str(path), text)
    return exitcodes.OK


if __name__ == "__main__":
    sys.exit(main())
