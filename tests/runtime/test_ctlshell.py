"""What `svtool ctl`'s shell completes a word to, checked against supervisorctl 4.3.0's own
completer on the same process list, and how it reads lines, without a server or a terminal."""

from __future__ import annotations

import io
from typing import Any

import pytest
from supervisor.supervisorctl import Controller

from supervisor_tools.runtime.ctl import COMMANDS, LINE_COMMANDS, run_command
from supervisor_tools.runtime.ctlclient import Server
from supervisor_tools.runtime.ctlsession import Session
from supervisor_tools.runtime.ctlshell import Shell

INFOS = [{"group": "grp", "name": "g1"}, {"group": "grp", "name": "g2"},
         {"group": "web-1", "name": "web-1"}, {"group": "idle", "name": "idle"}]


class FakeClient:
    """Answers getAllProcessInfo and counts the calls."""

    def __init__(self) -> None:
        self.server = Server("unix:///nowhere")
        self.calls = 0

    def call(self, method: str, *params: Any) -> Any:
        assert method == "supervisor.getAllProcessInfo"
        self.calls += 1
        return INFOS


class Options:
    """What supervisorctl's Controller reads from its options to complete."""

    prompt = "supervisor"
    plugin_factories: list[Any] = []
    plugins: list[Any] = []

    def getServerProxy(self) -> Any:
        class Proxy:
            class supervisor:
                @staticmethod
                def getAllProcessInfo() -> list[dict[str, str]]:
                    return INFOS
        return Proxy()


def shell(out: io.StringIO | None = None) -> tuple[Shell, FakeClient]:
    client = FakeClient()
    session = Session(client, out or io.StringIO(), False)  # type: ignore[arg-type]
    return Shell(session, LINE_COMMANDS, run_command, COMMANDS), client


def upstream(line: str, text: str) -> list[str]:
    from supervisor.supervisorctl import DefaultControllerPlugin

    options = Options()
    options.plugin_factories = [("default", DefaultControllerPlugin, {})]
    ctl = Controller(options)
    matches = []
    while (m := ctl.complete(text, len(matches), line=line)) is not None:
        matches.append(m)
    return list(dict.fromkeys(matches))  # readline shows a repeated match once


@pytest.mark.parametrize("line,text", [
    ("", ""), ("st", "st"), ("help ", ""), ("help re", "re"), ("status ", ""),
    ("status i", "i"), ("stop g", "g"), ("stop grp:", "grp:"), ("start web", "web"),
    ("tail idle ", ""), ("signal HUP ", ""), ("add ", ""), ("update g", "g"),
    ("remove w", "w"), ("version ", ""), ("frobnicate ", ""), ("pid web-1:", "web-1:"),
])
def test_completes_as_supervisorctl(line: str, text: str) -> None:
    s, _ = shell()
    assert s.matches(line, text) == upstream(line, text)


def test_names_are_asked_once_per_command() -> None:
    s, client = shell()
    for _ in range(3):
        assert s.matches("stop ", "") != []
    assert client.calls == 1
    s.onecmd("")  # an empty line is no command: the names stay
    s.matches("stop ", "")
    assert client.calls == 1
    s.onecmd("frobnicate")  # after a command they may have changed
    s.matches("stop ", "")
    assert client.calls == 2


def test_lines_leave_run_or_are_unknown() -> None:
    out = io.StringIO()
    s, _ = shell(out)
    assert s.onecmd("quit") and s.onecmd("exit now") and s.onecmd("EOF")
    assert not s.onecmd("help help") and not s.onecmd("   ") and not s.onecmd("xyz  1")
    assert out.getvalue() == ("\n\n\nhelp\t\tPrint a list of available actions\n"
                              "help <action>\tPrint help for <action>\n"
                              "*** Unknown syntax: xyz  1\n")
    assert s.session.status == 1
