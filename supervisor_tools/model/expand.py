"""%(name)s expansion, as supervisord applies it: Python's % operator against a dict of names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from supervisor_tools.options.table import Expansion


class ExpansionError(ValueError):
    pass


def expand(text: str, names: Mapping[str, Any], where: str, rule: Expansion) -> str:
    """Expand `text` once; errors name the option and the names it may use."""
    try:
        return text % names
    except KeyError as exc:
        name = exc.args[0] if exc.args else "?"
        raise ExpansionError(
            f"%({name})s cannot be expanded in {where}; it may use: {rule.describe()}"
        ) from None
    except (TypeError, ValueError) as exc:
        raise ExpansionError(f"bad %-format in {where} ({exc}); write %% for a literal %") from None


def expand_all(text: str, names: Mapping[str, Any], where: str, rule: Expansion) -> str:
    for _ in range(rule.passes):
        text = expand(text, names, where, rule)
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
