"""[supervisord] and the plugin sections ([rpcinterface:x], [ctlplugin:x])."""

from __future__ import annotations

from typing import Any

from supervisor_tools.errors import Span
from supervisor_tools.model.expand import ExpansionError
from supervisor_tools.model.model import PluginConfig, SupervisordConfig
from supervisor_tools.model.reader import Reader, code_of, importable
from supervisor_tools.options import types as t
from supervisor_tools.options.table import GROUP, Expansion, options_for


def build_supervisord(r: Reader) -> SupervisordConfig:
    section = "supervisord"
    spans: dict[str, Span] = {}
    names = r.names(r.env_os, here=r.here)
    values: dict[str, Any] = {}
    for spec in options_for(section).values():
        if spec.name == "environment":
            continue
        values[spec.name] = r.read_opt(section, section, spec.name, names, spans)
    env_spec = options_for(section)["environment"]
    env: dict[str, str] = {}
    text = r.text(section, "environment")
    if text is not None:
        span = r.value_span(section, "environment")
        spans["environment"] = span
        stood_in = False
        try:
            # two passes, the second one with host_node_name too
            once = Expansion(env_spec.expansion.names, env_spec.expansion.env)
            text, stood_in = r.expand(text, names, "[supervisord] environment", once, span)
            text, again = r.expand(text, r.names(r.env_os, here=r.here, host_node_name=r.node),
                                   "[supervisord] environment", once, span)
            stood_in = stood_in or again
            env = t.environment_pairs(text)
        except ValueError as exc:
            if not stood_in:  # else the text is not known here
                r.error(span, f"[supervisord] environment: {exc}", code_of(exc))
    r.sd_env = env
    for k, v in env.items():
        r.env_sd["ENV_" + k] = v
    if values.get("user") is not None:
        try:
            t.possible_name(values["user"], "user")  # a name no machine has: a config error
            if r.host:
                t.user_exists(values["user"])
        except ValueError as exc:
            r.error(r.value_span(section, "user"), f"[supervisord] user: {exc}", code_of(exc))
    return SupervisordConfig(source=r.header_span(section), environment=env,
                             spans=spans, **values)


def build_plugins(r: Reader, kind: str, key: str, check: bool = True) -> list[PluginConfig]:
    out = []
    env = r.env_sd if kind == "rpcinterface" else r.env_os
    for section in r.raw.sections:
        if not section.startswith(kind + ":"):
            continue
        name = section.split(":", 1)[1]
        spec_text = r.text(section, key)
        if spec_text is None:
            if check:
                r.error(r.header_span(section),
                           f"[{section}] does not specify {key}", "missing-required")
            else:
                # only supervisorctl reads [ctlplugin:x]; supervisord does not object
                r.warn(r.header_span(section), f"[{section}] does not specify {key}; "
                          "supervisorctl will refuse it", "ctlplugin-no-factory")
            continue
        span = r.value_span(section, key)
        try:
            factory, _ = r.expand(spec_text, env, f"[{section}] {key}", GROUP, span)
        except ExpansionError as exc:
            r.error(span, str(exc), "expansion")
            continue
        if check and r.host and not importable(factory):
            r.error(span, f"{factory} cannot be resolved within [{section}]", "import")
        extras: dict[str, str] = {}
        for k in r.raw.keys(section):
            if k == key:
                continue
            value = r.text(section, k) or ""
            try:
                extras[k], _ = r.expand(value, env, f"[{section}] {k}", GROUP,
                                        r.value_span(section, k))
            except ExpansionError as exc:
                r.error(r.value_span(section, k), str(exc), "expansion")
        out.append(PluginConfig(kind, name, factory, extras,  # type: ignore[arg-type]
                                r.header_span(section)))
    return out
