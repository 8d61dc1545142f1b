"""What a lint rule is: an ID, a name, a default severity, a summary, docs, and a check function.

Rules are declared with the `rule` decorator next to their check function; the function's
docstring (with a failing and a passing example) is the rule's documentation page. The registry
(registry.py) collects every declared rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple

from supervisor_tools.errors import Diagnostic, Severity, Span

if TYPE_CHECKING:
    from supervisor_tools.lint.context import Context

# Where a rule's documentation page lives; `{id}` is replaced by the rule ID.
DOCS_URL = "https://github.com/svtool/svtool/blob/main/docs/rules/{id}.md"


# Immutable values are NamedTuples here: creating a dataclass costs a millisecond or two at
# import, and `svtool lint one.conf` has to start in well under 150 ms.


class TextEdit(NamedTuple):
    """Replace columns [col, end_col) of one line of `file` with `text` (1-based, end exclusive)."""

    file: str
    line: int
    col: int
    end_col: int
    text: str


class InsertLine(NamedTuple):
    """Insert a new `key = value` option line right after the option that ends on `line`."""

    file: str
    line: int
    text: str


Edit = TextEdit | InsertLine


class Fix(NamedTuple):
    """A change that removes a finding for certain; applied by fix.py through the syntax tree."""

    description: str
    edits: tuple[Edit, ...]


class Finding(NamedTuple):
    diagnostic: Diagnostic
    fix: Fix | None = None


CheckFn = Callable[["Context", "Report"], None]


class Rule(NamedTuple):
    id: str
    name: str
    severity: Severity
    summary: str
    doc: str
    options: tuple[str, ...]
    check: CheckFn
    codes: tuple[str, ...] = ()  # loader ConfigError codes this rule reports
    host: bool = False  # depends on the machine the lint runs on
    fixable: bool = False
    rejected: bool = False  # supervisord 4.3.0 refuses a config with this finding
    # An opt-in group ("host", "strict", ...; see GROUPS): such a rule runs only when it is
    # selected by its ID, its name, its group or ALL. "" is the default set.
    group: str = ""

    @property
    def url(self) -> str:
        return DOCS_URL.format(id=self.id)


# The opt-in rule groups. Their rules stay silent by default because what they report depends on
# facts the config does not hold (the machine, the deployment); `--select GROUP` turns them on.
GROUPS: dict[str, str] = {
    "host": "checks that consult the machine svtool runs on (users, directories, imports, "
            "environment variables); for a lint on the target host itself",
    "strict": "advice that is sound in general but often a deliberate choice (hardening, "
              "style); for teams that want every such finding",
    "plain": "options only svtool run acts on, which supervisord 4.3.0 ignores; for a config "
             "that must behave the same on plain supervisord",
}


class Report:
    """Handed to a check function: call it with a span and a message to record a finding."""

    def __init__(self, rule: Rule, severity: Severity, sink: list[Finding]) -> None:
        self.rule = rule
        self.severity = severity
        self._sink = sink

    def __call__(self, span: Span, message: str, fix: Fix | None = None) -> None:
        self._sink.append(Finding(Diagnostic(span, self.rule.id, message, self.severity), fix))


DEFINED: list[Rule] = []


def _cleandoc(doc: str) -> str:
    """A docstring without its indentation (inspect.cleandoc, without importing inspect)."""
    lines = doc.expandtabs().split("\n")
    rest = [ln for ln in lines[1:] if ln.strip()]
    indent = min((len(ln) - len(ln.lstrip()) for ln in rest), default=0)
    out = [lines[0].strip()] + [ln[indent:].rstrip() for ln in lines[1:]]
    while out and not out[0]:
        out.pop(0)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def rule(id: str, name: str, severity: Severity, summary: str, *,
         options: Iterable[str] = (), codes: Iterable[str] = (), host: bool = False,
         fixable: bool = False, rejected: bool = False,
         group: str = "") -> Callable[[CheckFn], CheckFn]:
    """Declare a rule; the decorated function is its check, its docstring its documentation.

    A host rule belongs to the opt-in group "host"; `group` puts a rule in another one.
    """
    group = "host" if host else group
    assert not group or group in GROUPS, f"unknown rule group {group!r}"

    def register(fn: CheckFn) -> CheckFn:
        doc = _cleandoc(fn.__doc__ or "")
        DEFINED.append(Rule(id, name, severity, summary, doc, tuple(options), fn,
                            tuple(codes), host, fixable, rejected, group))
        return fn

    return register
