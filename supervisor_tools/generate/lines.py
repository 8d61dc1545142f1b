"""Option lines built from the option table: the value shown, the doc and the default note."""

from __future__ import annotations

from supervisor_tools.ini import Line, value_text
from supervisor_tools.options.table import OptionSpec, spec


def default_note(row: OptionSpec) -> str:
    if row.required:
        return "required"
    doc = row.default_doc
    return "no default" if doc is None else f"default {doc}"


def option_comment(row: OptionSpec) -> str:
    if row.default is None and not row.required and "default" in row.doc:
        return row.doc  # the doc already says what happens when the option is unset
    return f"{row.doc} ({default_note(row)})"


def sample_value(row: OptionSpec) -> str:
    """The value a sample shows: the default, so uncommenting changes nothing, else the example."""
    text = row.default_text
    if text:
        return text
    if row.example is None:
        raise ValueError(f"option {row.name} has neither a default nor an example to show")
    return row.example


def row(kind: str, name: str) -> OptionSpec:
    found = spec(kind, name)
    if found is None:
        raise KeyError(f"the option table has no option {name} in [{kind}]")
    return found


def option_line(kind: str, name: str, value: str | None = None, *, active: bool = True,
                raw: bool = False, what: str | None = None) -> Line:
    """The line for option `name` of `kind`.

    `value` is the text supervisord should read back (escaped here) unless `raw`, in which case
    it is written as is (a table default or example, or text already escaped). None shows the
    table's own sample value. `what` names the value in errors (default: the option's name).
    """
    r = row(kind, name)
    sep = " = " if "." in name else "="  # plugin keys read better spaced, as people write them
    if value is None:
        text = value_text(sample_value(r), r, separator=sep)
    elif raw:
        text = value
    else:
        text = value_text(value, r, what, sep)
    return Line(name, text, option_comment(r), active, sep)
