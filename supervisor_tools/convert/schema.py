"""The JSON Schema (2020-12) of svtool's YAML form, generated from the option table.

Each option's type schema, doc and default come from its row; nothing here spells a type or a
default. `schemas/supervisor.schema.json` is this output, checked in and tested fresh.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from supervisor_tools.convert.yaml_values import native
from supervisor_tools.options.table import SECTION_DOCS, OptionSpec, options_for

SCHEMA_PATH = "schemas/supervisor.schema.json"
SCHEMA_ID = "https://svtool.dev/schemas/supervisor.schema.json"
# The same schema shipped inside the package, so an editor finds it offline: `svtool to-yaml`
# points its `$schema=` line here. The repository's schemas/supervisor.schema.json is a link
# to this file, so `svtool schema -o schemas/supervisor.schema.json` writes both.
SHIPPED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "supervisor.schema.json")


def shipped_uri() -> str:
    """The file:// URL of the shipped schema."""
    return Path(os.path.realpath(SHIPPED)).as_uri()


# YAML key -> (section kind, keyed by name?)
SECTIONS: dict[str, tuple[str, bool]] = {
    "supervisord": ("supervisord", False),
    "unix_http_server": ("unix_http_server", False),
    "inet_http_server": ("inet_http_server", False),
    "supervisorctl": ("supervisorctl", False),
    "include": ("include", False),
    "programs": ("program", True),
    "groups": ("group", True),
    "eventlisteners": ("eventlistener", True),
    "fcgi-programs": ("fcgi-program", True),
    "rpcinterfaces": ("rpcinterface", True),
    "ctlplugins": ("ctlplugin", True),
}
# Plugin sections pass any other key to their factory as a keyword argument.
OPEN_KINDS = ("rpcinterface", "ctlplugin")
EXPRESSION = {"type": "string", "pattern": r"%\([A-Za-z_][A-Za-z0-9_]*\)"}


def _accepts_any_string(schema: dict[str, Any]) -> bool:
    if schema.get("type") == "string" and len(schema) == 1:
        return True
    return any(_accepts_any_string(s) for s in schema.get("oneOf", []))


def option_schema(row: OptionSpec) -> dict[str, Any]:
    base = row.type.schema()
    if not _accepts_any_string(base) and (row.expansion.names or row.expansion.env != "none"):
        # A value may also be a %(name)s expression supervisord expands before converting.
        base = {"anyOf": [base, EXPRESSION]}
    description = f"{row.doc} ({row.type.doc})"
    if row.follows is not None or row.computed is not None:
        description += f"; default {row.default_doc}"
    out: dict[str, Any] = {"description": description}
    out.update(base)
    default = native(row, row.default)
    # a default that follows another option is no one value a schema can state
    if default is not None and default != {} and default != [] and row.follows is None:
        out["default"] = default
    return out


def section_schema(kind: str) -> dict[str, Any]:
    rows = options_for(kind)
    out: dict[str, Any] = {
        "type": "object",
        "description": SECTION_DOCS[kind],
        "properties": {name: option_schema(row) for name, row in rows.items()},
    }
    required = [name for name, row in rows.items() if row.required]
    if required:
        out["required"] = required
    out["additionalProperties"] = {"type": "string"} if kind in OPEN_KINDS else False
    return out


def build_schema() -> dict[str, Any]:
    defs = {kind: section_schema(kind) for kind, _ in SECTIONS.values()}
    props: dict[str, Any] = {}
    for key, (kind, named) in SECTIONS.items():
        ref = {"$ref": f"#/$defs/{kind}"}
        if named:
            props[key] = {"type": "object", "description": f"[{kind}:NAME] sections, by name",
                          "additionalProperties": ref}
        else:
            props[key] = ref
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Supervisor configuration (svtool YAML form)",
        "description": "supervisord's configuration as YAML: sections by kind, programs keyed "
                       "by name, supervisor's own option names. Convert with `svtool from-yaml`.",
        "type": "object",
        "properties": props,
        "additionalProperties": False,
        "$defs": defs,
    }


def schema_text() -> str:
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"
