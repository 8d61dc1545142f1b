"""%(name)s expansion, as supervisord applies it: Python's % operator against a dict of names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from supervisor_tools.options.table import Expansion


class ExpansionError(ValueError):
    pass


class StandIn(str):
    """What `%(ENV_X)s` expands to when X is not set here: the reference itself, so the value
    keeps its shape (two options naming the same variable stay equal) and expanding it again
    gives it back. As a number (`%(ENV_X)d`) it is 0."""

    def __index__(self) -> int:
        return 0


class _WithStandIns:
    """The expansion names, where an ENV_ name that is missing stands for a variable of the
    target machine's environment: it expands to a StandIn and is recorded in `unset`."""

    __slots__ = ("names", "unset")

    def __init__(self, names: Mapping[str, Any], unset: list[str]) -> None:
        self.names = names
        self.unset = unset

    def __str__(self) -> str:
        # what a bare "%s" inserts: supervisord's whole table of names
        return str(self.names)

    def __getitem__(self, key: str) -> Any:
        try:
            return self.names[key]
        except KeyError:
            if not key.startswith("ENV_") or len(key) == 4:
                raise
            self.unset.append(key[4:])
            return StandIn(f"%({key})s")


def expand(text: str, names: Mapping[str, Any], where: str, rule: Expansion,
           unset: list[str] | None = None) -> str:
    """Expand `text` once; errors name the option and the names it may use.

    With `unset`, an ENV_X name the option may use but `names` lacks is not an error: it
    expands to a StandIn and X is appended to `unset` (whether the variable is set is a fact
    about the machine, not about the config).
    """
    try:
        try:
            out: str = text % names
        except KeyError as exc:
            # the slower lookup only for the rare value that names a variable not set here
            missing = exc.args[0] if exc.args else ""
            if unset is None or rule.env == "none" or not str(missing).startswith("ENV_"):
                raise
            out = text % _WithStandIns(names, unset)
        return out
    except KeyError as exc:
        name = exc.args[0] if exc.args else "?"
        raise ExpansionError(
            f"%({name})s cannot be expanded in {where}; it may use: {rule.describe()}"
        ) from None
    except (TypeError, ValueError) as exc:
        raise ExpansionError(f"bad %-format in {where} ({exc}); write %% for a literal %") from None


def expand_all(text: str, names: Mapping[str, Any], where: str, rule: Expansion,
               unset: list[str] | None = None) -> str:
    for _ in range(rule.passes):
        text = expand(text, names, where, rule, unset)
    return text


_last_env: tuple[dict[str, str], dict[str, str]] = ({}, {})


def env_names(environ: Mapping[str, str]) -> dict[str, str]:
    """ENV_x names for every variable (a new dict each time)."""
    global _last_env
    # linting a conf.d loads each of hundreds of fragments with the same environment, which
    # in CI can hold a few hundred variables: comparing it costs less than renaming it again
    seen, names = _last_env
    if environ != seen:
        names = {"ENV_" + k: v for k, v in environ.items()}
        _last_env = (dict(environ), names)
    return dict(names)
