"""Hover, completion, code actions and go-to-definition from `svtool lsp`, through a real
client."""

from __future__ import annotations

import os
import platform
import signal
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from supervisor_tools.options.table import SECTION_DOCS, spec
from supervisor_tools.options.types import LOG_LEVELS
from tests.lsp.conftest import codes, open_file, replace_all

CONF = """\
[program:web]
command=/bin/cat %(program_name)s %(ENV_HOME)s %(here)s
autostart=true
numprocs=2
process_name=%(program_name)s_%(process_num)s
"""


def at(line: int, character: int) -> lsp.Position:
    return lsp.Position(line=line, character=character)


async def hover(client: LanguageClient, path: Path, line: int, col: int) -> str | None:
    found = await client.text_document_hover_async(lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=path.as_uri()), position=at(line, col)))
    if found is None:
        return None
    assert isinstance(found.contents, lsp.MarkupContent)
    return found.contents.value


@pytest.mark.asyncio
async def test_hover_shows_the_option_table(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "web.conf"
    await open_file(client, path, CONF)
    text = await hover(client, path, 2, 3)  # autostart
    row = spec("program", "autostart")
    assert row is not None and text is not None
    assert row.doc[1:] in text and f"type: {row.type.name}" in text
    assert f"default: {row.default_doc}" in text
    header = await hover(client, path, 0, 4)
    assert header is not None and SECTION_DOCS["program"] in header
    assert await hover(client, path, 3, 10) is None  # a plain value


@pytest.mark.asyncio
async def test_hover_resolves_expansions(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "web.conf"
    await open_file(client, path, CONF)
    line = CONF.splitlines()[1]
    assert await hover(client, path, 1, line.index("%(program_name)") + 3) == \
        "**%(program_name)s** = `web`"
    home = await hover(client, path, 1, line.index("%(ENV_HOME)") + 3)
    assert home == f"**%(ENV_HOME)s** = `{os.environ['HOME']}`"
    assert await hover(client, path, 1, line.index("%(here)") + 3) == \
        f"**%(here)s** = `{tmp_path}`"
    num = await hover(client, path, 4, CONF.splitlines()[4].index("%(process_num)") + 2)
    assert num == "**%(process_num)s** = `0 to 1 (one per process)`"
    # host_node_name is this machine's name; a name the option may not use is said so
    await replace_all(client, path, CONF + "directory=%(host_node_name)s\n", 2)
    assert await hover(client, path, 5, 12) == f"**%(host_node_name)s** = `{platform.node()}`"
    await replace_all(client, path, "[supervisord]\nlogfile=%(program_name)s.log\n", 3)
    refused = await hover(client, path, 1, 10)
    assert refused is not None and refused.startswith("**%(program_name)s** — not available")


async def complete(client: LanguageClient, path: Path, text: str, line: int,
                   col: int) -> list[str]:
    await replace_all(client, path, text, 10 + line + col)
    found = await client.text_document_completion_async(lsp.CompletionParams(
        text_document=lsp.TextDocumentIdentifier(uri=path.as_uri()), position=at(line, col)))
    assert isinstance(found, lsp.CompletionList)
    return [item.label for item in found.items]


@pytest.mark.asyncio
async def test_completion(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "web.conf"
    await open_file(client, path, "")
    sections = await complete(client, path, "[", 0, 1)
    assert {"supervisord", "program:", "group:", "include", "inet_http_server"} <= set(sections)
    keys = await complete(client, path, "[program:web]\ncommand=x\nstop\n", 2, 4)
    assert set(keys) == {"stopsignal", "stopwaitsecs", "stopasgroup"}
    keys = await complete(client, path, "[program:web]\ncommand=x\n\n", 2, 0)
    assert "command" not in keys and "autostart" in keys and "nodaemon" not in keys
    assert await complete(client, path, "[program:web]\nautorestart=", 1, 12) == \
        ["true", "false", "unexpected"]
    assert await complete(client, path, "[program:web]\nautostart=", 1, 10) == \
        ["true", "false"]
    signals = await complete(client, path, "[program:web]\nstopsignal=", 1, 11)
    assert {"TERM", "HUP", "KILL", "QUIT", "USR1"} <= set(signals)
    assert all(hasattr(signal, "SIG" + name) for name in signals)
    assert await complete(client, path, "[supervisord]\nloglevel=", 1, 9) == list(LOG_LEVELS)
    assert await complete(client, path, "[program:web]\nstopsignal=T", 1, 12) == \
        [s for s in signals if s.startswith("T")]
    assert await complete(client, path, "[program:web]\ncommand=", 1, 8) == []


async def actions(client: LanguageClient, path: Path, line: int) -> list[lsp.CodeAction]:
    found = await client.text_document_code_action_async(lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri=path.as_uri()),
        range=lsp.Range(start=at(line, 0), end=at(line, 1)),
        context=lsp.CodeActionContext(diagnostics=[])))
    assert found is not None
    return [a for a in found if isinstance(a, lsp.CodeAction)]


def applied(text: str, action: lsp.CodeAction, uri: str) -> str:
    """The text with the action's edit made, as an editor makes it."""
    assert action.edit is not None and action.edit.changes is not None
    (edit,) = action.edit.changes[uri]
    lines = text.split("\n")

    def offset(pos: lsp.Position) -> int:
        return sum(len(line) + 1 for line in lines[: pos.line]) + pos.character

    return text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]


BROKEN = """\
[program:web]
command=/bin/cat
startsec=5
autostart=maybe  ; why not
stopsignal=FOO
stdout_logfile=syslog
"""


@pytest.mark.asyncio
async def test_code_action_applies_the_certain_fix(client: LanguageClient,
                                                   tmp_path: Path) -> None:
    path = tmp_path / "web.conf"
    found = await open_file(client, path, BROKEN)
    assert (3, "SV210") in codes(found)
    (fix,) = [a for a in await actions(client, path, 2) if a.kind == lsp.CodeActionKind.QuickFix
              and "SV210" in a.title and not a.title.startswith("Disable")]
    text = applied(BROKEN, fix, path.as_uri())
    assert "startsecs=5\n" in text and "startsec=" not in text
    after = await replace_all(client, path, text, 2)
    assert (3, "SV210") not in codes(after)
    every = [a for a in await actions(client, path, 0)
             if a.kind == lsp.CodeActionKind.SourceFixAll]
    assert len(every) == 1  # stdout_logfile=syslog still has its fix


@pytest.mark.asyncio
@pytest.mark.parametrize("line", [2, 3, 4])
async def test_disable_action_silences_that_finding_only(client: LanguageClient,
                                                         tmp_path: Path, line: int) -> None:
    path = tmp_path / "web.conf"
    found = await open_file(client, path, BROKEN)
    code = next(c for n, c in codes(found) if n == line + 1)
    (disable,) = [a for a in await actions(client, path, line)
                  if a.title == f"Disable {code} on this line"]
    text = applied(BROKEN, disable, path.as_uri())
    assert f"svtool: disable={code}" in text
    after = await replace_all(client, path, text, 2)
    expected = [(n if n <= line else n + text.count("\n") - BROKEN.count("\n"), c)
                for n, c in codes(found) if (n, c) != (line + 1, code)]
    assert codes(after) == sorted(expected)


@pytest.mark.asyncio
async def test_disable_action_extends_a_directive(client: LanguageClient,
                                                  tmp_path: Path) -> None:
    path = tmp_path / "web.conf"
    text = "[program:web]\ncommand=/bin/cat\nautostart=maybe  ; svtool: disable=SV210\n"
    assert codes(await open_file(client, path, text)) == [(3, "SV103")]
    (disable,) = [a for a in await actions(client, path, 2) if a.title.startswith("Disable")]
    new = applied(text, disable, path.as_uri())
    assert new.endswith("; svtool: disable=SV210,SV103\n")
    assert await replace_all(client, path, new, 2) == []


async def definition(client: LanguageClient, path: Path, line: int,
                     col: int) -> list[lsp.Location]:
    found = await client.text_document_definition_async(lsp.DefinitionParams(
        text_document=lsp.TextDocumentIdentifier(uri=path.as_uri()), position=at(line, col)))
    assert isinstance(found, list) or found is None
    return [loc for loc in found or [] if isinstance(loc, lsp.Location)]


@pytest.mark.asyncio
async def test_definition_of_includes_and_group_members(client: LanguageClient,
                                                        tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "b.conf").write_text("[program:b]\ncommand=/bin/cat\n")
    (tmp_path / "conf.d" / "a.conf").write_text("\n[program:a]\ncommand=/bin/cat\n")
    (tmp_path / "other.ini").write_text("[program:c]\ncommand=/bin/cat\n")
    main = tmp_path / "supervisord.conf"
    text = ("[supervisord]\n[include]\nfiles=conf.d/*.conf %(here)s/other.ini\n"
            "[group:g]\nprograms=a, b,c\n")
    await open_file(client, main, text)
    found = await definition(client, main, 2, 8)
    assert [loc.uri for loc in found] == [(tmp_path / "conf.d" / n).as_uri()
                                          for n in ("a.conf", "b.conf")]
    found = await definition(client, main, 2, 25)
    assert [loc.uri for loc in found] == [(tmp_path / "other.ini").as_uri()]
    (a,) = await definition(client, main, 4, 9)
    assert a.uri == (tmp_path / "conf.d" / "a.conf").as_uri()
    assert a.range == lsp.Range(start=at(1, 1), end=at(1, 10))
    (b,) = await definition(client, main, 4, 12)
    assert b.uri == (tmp_path / "conf.d" / "b.conf").as_uri()
    (c,) = await definition(client, main, 4, 14)
    assert c.uri == (tmp_path / "other.ini").as_uri()
    assert await definition(client, main, 0, 3) == []


@pytest.mark.asyncio
async def test_hover_on_a_value_says_what_supervisord_makes_of_it(client: LanguageClient,
                                                                  tmp_path: Path) -> None:
    path = tmp_path / "web.conf"
    text = ("[program:web]\ncommand=/bin/cat\nautostart=yes\nautorestart=On\n"
            "stopsignal=sigterm\nstartsecs=5\nautostart=maybe\n")
    await open_file(client, path, text)
    assert await hover(client, path, 2, 11) == \
        "`yes` means **true** (true/false (also yes/no, on/off, 1/0; any case))"
    autorestart = await hover(client, path, 3, 13)
    assert autorestart is not None and autorestart.startswith("`On` means **true** (")
    assert await hover(client, path, 4, 12) == \
        "`sigterm` means **TERM** (a signal name (TERM, SIGTERM, any case) or number)"
    assert await hover(client, path, 5, 10) is None  # a number: nothing to explain
    refused = await hover(client, path, 6, 11)
    assert refused is not None and refused.startswith("`maybe`: not a valid boolean value")
