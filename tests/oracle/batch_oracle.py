"""Load many config files with supervisord 4.3.0's own loader in one process.

Usage: python tests/oracle/batch_oracle.py < REQUEST

REQUEST (JSON on stdin): {"env": {...}, "paths": [...], "neutral": false|true}
Output (stdout): one JSON list, for each path in order the object `supervisor_oracle.py` prints
for it ({"ok": true, "config": ...} or {"ok": false, "error": ...}).

Every path is loaded as a main file (not a fragment), each with a fresh ServerOptions, in the
environment `env` and nothing else (it is the whole process environment before supervisor is
imported, as with `supervisor_oracle.py --env-stdin`).

"neutral": true answers supervisor's questions about this machine as the machine a config was
written for would: a user or group name that does not exist here is taken as an existing account
if some system could have it (see ACCOUNT_NAME), an unknown numeric id as a valid id, a directory
that does not exist as an existing one, and a plugin module (rpcinterface factory,
result_handler) that is not installed here as an importable one. Everything supervisor decides
from the text alone still fails as it does: a name no system can have (empty, or with ':' or
whitespace), a bad value, a parse error.
This is what `svtool` without host checks is meant to agree with.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any

REQUEST = json.load(sys.stdin)
os.environ.clear()
os.environ.update(REQUEST["env"])
NEUTRAL: bool = bool(REQUEST.get("neutral"))
HERE = os.path.dirname(os.path.abspath(__file__))

# supervisor_oracle.py reads its command line when imported; give it a well-formed one.
sys.argv = [os.path.join(HERE, "supervisor_oracle.py"), "<batch>"]
import supervisor_oracle as oracle  # type: ignore[import-not-found]  # noqa: E402  (tests/oracle is sys.path[0])
from supervisor import datatypes, options  # type: ignore[import-untyped]  # noqa: E402

# An account that exists on the machine the config was written for, and only there.
ELSEWHERE_ID = 2_000_000_000
# A name some machine can have: what a relaxed useradd/groupadd (Debian's, shadow 4.x) accepts.
# No leading '-', '+' or '~', no ':', ',' or whitespace, not empty. Placeholders such as
# `#user#` pass: whether an account of that name exists is a fact about the target machine.
ACCOUNT_NAME = re.compile(r"[^-+~:,\s][^:,\s]*\Z")


def _account(lookup: Any) -> Any:
    def neutral(name: Any) -> Any:
        try:
            return lookup(name)
        except ValueError:
            text = str(name)
            if text.isdigit():
                return int(text)  # a numeric id is valid wherever it is used
            if ACCOUNT_NAME.match(text):
                return ELSEWHERE_ID
            raise
    return neutral


def _gid_for_uid(original: Any) -> Any:
    def neutral(uid: int) -> Any:
        try:
            return original(uid)
        except KeyError:
            return ELSEWHERE_ID
    return neutral


def _existing_directory(v: str) -> str:
    return os.path.expanduser(v)


def _existing_dirpath(v: str) -> str:
    return os.path.expanduser(v)


class _Elsewhere:
    """Stands for a plugin object that is importable only on the target machine."""

    def __init__(self, spec: str) -> None:
        self.spec = spec


def _import_spec(original: Any) -> Any:
    def neutral(self: Any, spec: str) -> Any:
        try:
            return original(self, spec)
        except ImportError:
            return _Elsewhere(spec)
    return neutral


if NEUTRAL:
    oracle._original_name_to_uid = _account(oracle._original_name_to_uid)
    datatypes.name_to_uid = _account(datatypes.name_to_uid)
    datatypes.name_to_gid = _account(datatypes.name_to_gid)
    for module in (datatypes, options):
        module.gid_for_uid = _gid_for_uid(module.gid_for_uid)
        module.existing_directory = _existing_directory
        module.existing_dirpath = _existing_dirpath
    # the wrapper in supervisor_oracle.py records the spec, then calls this one
    oracle._original_import_spec = _import_spec(oracle._original_import_spec)


def main() -> None:
    results = [oracle.load(path, fragment=False) for path in REQUEST["paths"]]
    sys.stdout.write(json.dumps(results) + "\n")


if __name__ == "__main__":
    main()
