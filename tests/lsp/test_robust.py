"""`svtool lsp` survives any text: random edits through a real client keep it alive and
answering every request, and what it publishes for the final text is what lint finds in it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from supervisor_tools.lsp import diagnose
from supervisor_tools.lsp.positions import Lines
from tests.lsp.conftest import codes, diagnostics_of

# pieces of supervisor configs, and characters that stress line and column arithmetic
PIECES = st.sampled_from([
    "[", "]", "[program:web]", "[group:g]", "[include]", "[supervisord]", "[program:",
    "command=", "autostart=", "stopsignal=", "programs=web,", "files=*.conf", "numprocs=2",
    "process_name=%(program_name)s_%(process_num)02d", "%(", "%(ENV_HOME)s", ")s", "%",
    "=", ":", ";", "#", " ; svtool: disable=SV103", "\n", "\r\n", "\r", "  ", "\t", "yes",
    "maybe", "😋", "é", "\u2028", "\x0c", "\x00", "\ud800", "startsec=1",
])
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=6)), max_size=6).map("".join)
EDIT = st.tuples(st.floats(0, 1), st.integers(0, 12), TEXT)
REQUEST = st.tuples(st.sampled_from(["hover", "completion", "action", "definition"]),
                    st.integers(0, 30), st.integers(0, 80))
COUNTER = iter(range(10**9))


def position(text: str, offset: int) -> lsp.Position:
    lines = Lines(text[:offset])
    return lines.end()


async def ask(client: LanguageClient, uri: str, kind: str, line: int, col: int) -> None:
    doc = lsp.TextDocumentIdentifier(uri=uri)
    at = lsp.Position(line=line, character=col)
    if kind == "hover":
        await client.text_document_hover_async(lsp.HoverParams(text_document=doc, position=at))
    elif kind == "completion":
        await client.text_document_completion_async(
            lsp.CompletionParams(text_document=doc, position=at))
    elif kind == "definition":
        await client.text_document_definition_async(
            lsp.DefinitionParams(text_document=doc, position=at))
    else:
        await client.text_document_code_action_async(lsp.CodeActionParams(
            text_document=doc, range=lsp.Range(start=at, end=at),
            context=lsp.CodeActionContext(diagnostics=[])))


@pytest.mark.asyncio
@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(start=TEXT, edits=st.lists(st.tuples(EDIT, st.lists(REQUEST, max_size=3)), max_size=8))
async def test_random_edits_keep_the_server_answering(
        client: LanguageClient, tmp_path: Path, start: str,
        edits: list[tuple[tuple[float, int, str], list[tuple[str, int, int]]]]) -> None:
    path = tmp_path / f"buffer{next(COUNTER)}.conf"
    uri = path.as_uri()
    text = start
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=uri, language_id="ini", version=1, text=text)))
    for version, ((where, length, new), requests) in enumerate(edits, start=2):
        begin = int(where * len(text))
        end = min(len(text), begin + length)
        change = lsp.TextDocumentContentChangePartial(
            range=lsp.Range(start=position(text, begin), end=position(text, end)), text=new)
        text = text[:begin] + new + text[end:]
        client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[change]))
        for kind, line, col in requests:
            await asyncio.wait_for(ask(client, uri, kind, line, col), 60)
    # the whole text once more (a client and pygls may split lines differently on \x0c or
    # \u2028), then what is published is what lint finds in that text
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=100),
        content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)]))
    found = await diagnostics_of(client, uri, 100)
    expected = diagnose.check(str(path), text)
    assert codes(found) == codes(diagnose.to_lsp(expected, Lines(text)))
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri)))
    assert not [m for m in client.log_messages if m.type == lsp.MessageType.Error]
