"""A real LSP client (pytest-lsp) talking to `svtool lsp` in a subprocess, over stdio."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

SERVER = [sys.executable, "-m", "supervisor_tools", "lsp"]
# generous: the machine is shared and loaded
WAIT = 60.0


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient) -> None:
    await lsp_client.initialize_session(lsp.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("neovim"),
        root_uri=Path.cwd().as_uri()))
    yield
    await lsp_client.shutdown_session()


async def open_file(client: LanguageClient, path: Path, text: str | None = None,
                    ) -> list[lsp.Diagnostic]:
    """Open `path` (with `text`, else its content on disk) and wait for its diagnostics."""
    uri = path.as_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=uri, language_id="ini", version=1,
        text=path.read_text() if text is None else text)))
    return await diagnostics_of(client, uri, 1)


async def diagnostics_of(client: LanguageClient, uri: str,
                         version: int | None) -> list[lsp.Diagnostic]:
    """The next diagnostics published for `uri` (of that version of it, if given).

    Call it right after sending what makes them, with no await in between: the wait starts
    listening when it is called."""
    async def arrived() -> list[lsp.Diagnostic]:
        while True:
            params = await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
            if params.uri == uri and (version is None or params.version == version):
                return list(params.diagnostics)

    return await asyncio.wait_for(arrived(), WAIT)


async def replace_all(client: LanguageClient, path: Path, text: str, version: int,
                      ) -> list[lsp.Diagnostic]:
    """Send the whole new text as a change, and wait for the diagnostics of that version."""
    uri = path.as_uri()
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)]))
    return await diagnostics_of(client, uri, version)


def codes(found: list[lsp.Diagnostic]) -> list[tuple[int, str]]:
    """(1-based line, code) of each diagnostic, sorted: how `svtool lint` lists them."""
    return sorted((d.range.start.line + 1, str(d.code)) for d in found)
