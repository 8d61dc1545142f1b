"""Properties: no input makes lint crash; findings are deterministic and sorted; every renderer
copes with every finding."""

from __future__ import annotations

import io
import os
import re
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervisor_tools.files import write_atomic
from supervisor_tools.lint.engine import run
from supervisor_tools.lint.report import github, json_report, sarif, text
from supervisor_tools.options.table import TABLE

KEYS = sorted({row.name for rows in TABLE.values() for row in rows}) + [
    "autorestrat", "comand", "Command", "stdout_logfle", "x", ""]
HEADERS = ["supervisord", "program:web", "program:a b", "progam:x", "Program:y", "group:g",
           "eventlistener:e", "fcgi-program:f", "unix_http_server", "inet_http_server",
           "supervisorctl", "rpcinterface:supervisor", "include", "DEFAULT", "ctlplugin:c",
           " program:s ", "program", ""]
VALUES = ["true", "false", "0", "-1", "1.5", "100000", "%(program_name)s", "%(process_num)d",
          "%(nope)s", "100%", "%s", "~/x", "$HOME", "/tmp/x.log", "/dev/stdout", "AUTO", "NONE",
          "syslog", "KILL", "*:9001", "127.0.0.1:9001", "unix:///tmp/s.sock", "A=1,B=\"2\"",
          "URL=http://x/?y=1", "bash -c 'a ; b'", "nginx", "sh -c 'x &'", "root", "nobody",
          "conf.d/*.conf", "web,api", "PROCESS_STATE", "0777", "'unbalanced", ""]


def line() -> st.SearchStrategy[str]:
    header = st.sampled_from(HEADERS).map(lambda h: f"[{h}]")
    option = st.tuples(st.sampled_from(KEYS), st.sampled_from(["=", ":", " = "]),
                       st.sampled_from(VALUES) | st.text(max_size=12),
                       st.sampled_from(["", " ; c", " # svtool: disable=SV210", "\t;x"])
                       ).map(lambda t: "".join(t))
    other = st.sampled_from(["", "; comment", "  continued", "   priority = 5", "junk line",
                             "; svtool: disable-file=SV2,SV999", "=value"])
    return st.one_of(header, option, option, other, st.text(max_size=20))


configs = st.lists(line(), max_size=25).map(lambda ls: "\n".join(ls)) | st.binary(max_size=200)


def _write(path: str, content: str | bytes) -> None:
    data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    with open(path, "wb") as fh:
        fh.write(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs, st.none() | configs)
def test_lint_never_crashes_and_is_deterministic(content: str | bytes,
                                                 included: str | bytes | None) -> None:
    with tempfile.TemporaryDirectory(prefix="svtool-lint-") as tmp:
        path = os.path.join(tmp, "x.conf")
        if included is not None:
            # a main config that includes a second generated file
            os.mkdir(os.path.join(tmp, "conf.d"))
            _write(os.path.join(tmp, "conf.d", "y.conf"), included)
            head = "[supervisord]\n[include]\nfiles = conf.d/*.conf\n"
            content = head.encode() + content if isinstance(content, bytes) else head + content
        _write(path, content)
        first = run([path])
        again = run([path])
        assert first.diagnostics == again.diagnostics
        keys = [(d.span.file, d.span.line, d.span.col, d.span.end_line, d.span.end_col, d.code,
                 d.message) for d in first.diagnostics]
        assert keys == sorted(keys)
        for f in first.findings:
            assert f.diagnostic.span.line >= 1 and f.diagnostic.span.col >= 1
        out = io.StringIO()
        text.render(first.findings, out, colour=False, stats=True)
        json_report.render(first.findings, out)
        sarif.render(first.findings, out)
        github.render(first.findings, out)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(line(), max_size=25).map(lambda ls: "\n".join(ls)))
def test_fixes_touch_only_their_lines_and_settle(content: str) -> None:
    from supervisor_tools.lint import fix
    from supervisor_tools.lint.rule import InsertLine

    with tempfile.TemporaryDirectory(prefix="svtool-fix-") as tmp:
        path = os.path.join(tmp, "x.conf")
        with open(path, "wb") as fh:
            fh.write(content.encode("utf-8", "surrogatepass"))
        for _ in range(4):
            result = run([path])
            changes = fix.planned(result.findings, result.documents)
            if not changes:
                break
            touched = {e.line for f in result.findings if f.fix for e in f.fix.edits}
            with open(path, encoding="utf-8", newline="") as fh:
                old = re.split(r"\r\n|\r|\n", fh.read())
            new = re.split(r"\r\n|\r|\n", changes[path])
            inserted = sum(1 for f in result.findings if f.fix
                           for e in f.fix.edits if isinstance(e, InsertLine))
            assert len(old) <= len(new) <= len(old) + inserted
            kept = [ln for i, ln in enumerate(old, start=1) if i not in touched]
            it = iter(new)
            assert all(any(ln == n for n in it) for ln in kept), "an untouched line changed"
            write_atomic(path, changes[path])
        else:
            raise AssertionError("fixes did not settle")
