"""Every config of ../shared/wild-configs loads in svtool with the same meaning as in supervisord
4.3.0, with no traceback.

Each case's entry point is loaded twice by both, in the fixed environment of
tests/lint/wild/environ.txt:
- as on this machine: supervisord 4.3.0 unchanged, svtool with host checks. More than half the
  cases are refused here for machine reasons (a log directory, user or plugin module that exists
  only on the target host); then both must refuse for the same reason (supervisord stops at its
  first error, which must be among svtool's), and nothing more can be compared.
- as on the target machine: supervisord with users, directories and plugin modules missing here
  taken as present (tests/oracle/batch_oracle.py, "neutral"), svtool without host checks. Only
  what the text decides can make a case fail now, so almost every case is compared in full.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from supervisor_tools.model import load
from supervisor_tools.model.show import model_json
from tests.lint import wild
from tests.model.differential import compare
from tests.oracle.batch import run_oracle_batch

# Refused by supervisord 4.3.0 because of the text, wherever it runs: `environment=ENVIRONMENT`
# in [supervisord] (004) and shell commands pasted into a conf.d file (158).
REFUSED_BY_THE_TEXT = {"004", "158"}


def disagreements(paths: list[Path], env: dict[str, str], *, neutral: bool,
                  reasons: bool = True) -> tuple[dict[str, list[str]], list[Path]]:
    """Per path whose meaning differs, how; and the paths that were compared in full.
    reasons=False: when both refuse a file, do not compare why."""
    oracle = run_oracle_batch([str(p) for p in paths], env, neutral=neutral)
    out: dict[str, list[str]] = {}
    compared = []
    for path, theirs in zip(paths, oracle, strict=True):
        ours = load(str(path), environ=env, host_checks=not neutral)
        problems: list[str] = []
        if theirs["ok"] != ours.ok:
            problems.append(f"supervisord ok={theirs['ok']} ({theirs.get('error', '')}), svtool "
                            f"ok={ours.ok} ({'; '.join(str(e) for e in ours.errors)})")
        elif theirs["ok"]:
            compared.append(path)
            compare(theirs["config"], model_json(ours.model), "config", problems)
        elif reasons and not same_reason(theirs["error"], [str(e) for e in ours.errors]):
            problems.append(f"both refuse, but supervisord for: {theirs['error']}; svtool for: "
                            f"{'; '.join(str(e) for e in ours.errors)}")
        if problems:
            out[str(path)] = problems
    return out, compared


def same_reason(theirs: str, ours: list[str]) -> bool:
    """Whether svtool refuses for the reason supervisord gives: its message (without the section
    and file it names) is one of svtool's, or for a parse error, svtool reports each line."""
    lines = re.findall(r"\[line\s+(\d+)\]", theirs)
    if lines:
        return all(any(f":{n}:" in message for message in ours) for n in lines)
    core = re.sub(r" in section '.*", "", theirs.splitlines()[0]).strip()
    return any(core in message for message in ours)


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{path}:\n  " + "\n  ".join(p[:400] for p in problems[:5])
                     for path, problems in found.items())


@pytest.fixture(scope="module")
def entries() -> list[Path]:
    return [c.path for c in wild.cases()]


def test_wild_configs_load_as_supervisord_reads_them_on_this_machine(entries: list[Path]) -> None:
    found, compared = disagreements(entries, wild.environ(), neutral=False)
    assert not found, _report(found)
    assert compared  # the cases that need nothing from the target machine


def test_same_reason_compares_messages_and_parse_error_lines() -> None:
    ours = ["a.conf:5:9: [program:a] user: Invalid user name bob",
            "a.conf:11:1: not a section header or 'key = value' line: 'x'"]
    assert same_reason("Invalid user name bob in section 'program:a' (file: 'a.conf')", ours)
    assert not same_reason("Invalid user name eve in section 'program:a'", ours)
    assert same_reason("Source contains parsing errors: 'a.conf'\n\t[line 11]: 'x\\n'", ours)
    assert not same_reason("Source contains parsing errors: 'a.conf'\n\t[line 12]: 'y'", ours)


def test_wild_configs_load_as_supervisord_reads_them_on_their_own_machine(
        entries: list[Path]) -> None:
    found, compared = disagreements(entries, wild.environ(), neutral=True)
    assert not found, _report(found)
    refused = {p.relative_to(wild.CASES).parts[0] for p in entries if p not in compared}
    assert refused == REFUSED_BY_THE_TEXT


# The neutral oracle must still refuse what the text decides, and accept what only the
# machine decides; svtool without host checks must agree on each.
MACHINE_ONLY = {
    "missing user": "[program:a]\ncommand=/bin/cat\nuser=nosuchuser_svtool\n",
    "missing numeric user": "[program:a]\ncommand=/bin/cat\nuser=3999999\n",
    "missing log directory": "[program:a]\ncommand=/bin/cat\n"
                             "stdout_logfile=/nonexistent/svtool/a.log\n",
    "missing childlogdir": "[supervisord]\nchildlogdir=/nonexistent/svtool\n"
                           "[program:a]\ncommand=/bin/cat\n",
    "missing socket owner": "[unix_http_server]\nfile=/tmp/svtool-wild.sock\n"
                            "chown=nosuchuser_svtool:nosuchgroup_svtool\n",
    "missing plugin": "[rpcinterface:x]\nsupervisor.rpcinterface_factory = "
                      "no_such_module_svtool:make\n",
}
# No system has these user names; svtool without host checks does not judge user names, so
# only the oracle is held to them here.
IMPOSSIBLE_USERS = {
    "user with a colon": "[program:a]\ncommand=/bin/cat\nuser=a:b\n",
    "user with a space": "[program:a]\ncommand=/bin/cat\nuser=a b\n",
}
TEXT_DECIDES = {
    "bad number": "[program:a]\ncommand=/bin/cat\nstartsecs=soon\n",
    "bad environment": "[supervisord]\nenvironment=JUSTAKEY\n",
}


@pytest.mark.parametrize("neutral", [False, True])
def test_the_neutral_oracle_only_changes_machine_facts(tmp_path: Path, neutral: bool) -> None:
    cases = {**MACHINE_ONLY, **TEXT_DECIDES, **IMPOSSIBLE_USERS}
    paths = []
    for i, body in enumerate(cases.values()):
        path = tmp_path / f"c{i}.conf"
        text = body if body.startswith("[supervisord]") else "[supervisord]\n" + body
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    results: list[dict[str, Any]] = run_oracle_batch([str(p) for p in paths], {"PATH": "/bin"},
                                                     neutral=neutral)
    verdicts = {name: r["ok"] for name, r in zip(cases, results, strict=True)}
    assert verdicts == {**{n: neutral for n in MACHINE_ONLY},
                        **{n: False for n in [*TEXT_DECIDES, *IMPOSSIBLE_USERS]}}
    # svtool words some refusals its own way (a missing socket owner: "chown: Invalid user
    # name x" where supervisord says "Invalid sockchown value x:g"), so only verdicts count here
    found, _ = disagreements(paths[:len(MACHINE_ONLY) + len(TEXT_DECIDES)], {"PATH": "/bin"},
                             neutral=neutral, reasons=False)
    assert not found, _report(found)
