"""The one registry of lint rules: `RULES`, sorted by ID, and lookups by ID, name or prefix."""

from __future__ import annotations

from supervisor_tools.lint import rules as _rules  # noqa: F401  (declares every rule)
from supervisor_tools.lint.rule import DEFINED, GROUPS, Rule

RULES: tuple[Rule, ...] = tuple(sorted(DEFINED, key=lambda r: r.id))
BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}
# Loader finding codes -> the rule that reports them.
BY_CODE: dict[str, Rule] = {code: r for r in RULES for code in r.codes}
HOST_RULES: tuple[str, ...] = tuple(r.id for r in RULES if r.host)


def get(name_or_id: str) -> Rule | None:
    key = name_or_id.strip()
    return BY_ID.get(key.upper()) or BY_NAME.get(key.lower())


def matching(selector: str) -> list[Rule]:
    """Rules a selector names: an ID, a rule name, an opt-in group, an ID prefix (`SV2`),
    `DEFAULT` (every rule outside the opt-in groups) or `ALL`.

    A prefix names only default rules, as a ruff prefix leaves out preview rules: an opt-in
    rule is turned on by its ID, its name, its group or ALL.
    """
    key = selector.strip()
    if key.upper() == "ALL":
        return list(RULES)
    if key.upper() == "DEFAULT":
        return [r for r in RULES if not r.group]
    one = get(key)
    if one is not None:
        return [one]
    if key.lower() in GROUPS:
        return [r for r in RULES if r.group == key.lower()]
    if key.upper().startswith("SV"):
        return [r for r in RULES if r.id.startswith(key.upper()) and not r.group]
    return []
