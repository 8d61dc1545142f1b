"""Diagnostics from `svtool lsp`: the findings `svtool lint` reports, as the editor types."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from supervisor_tools.lint import registry
from supervisor_tools.lsp.positions import units
from tests.lsp.conftest import codes, diagnostics_of, open_file, replace_all

BROKEN = """\
[program:web]
command=/usr/bin/sleep 100
autostart=maybe
stopsignal=FOO
autostrat=true

[group:site]
programs=web,nope
"""


def lint_json(path: Path, cwd: Path) -> list[tuple[int, str]]:
    done = subprocess.run([sys.executable, "-m", "supervisor_tools", "lint", "--format", "json",
                           "--exit-zero", str(path)], cwd=cwd, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return sorted((f["line"], f["code"]) for f in json.loads(done.stdout))


@pytest.mark.asyncio
async def test_open_reports_what_svtool_lint_reports(client: LanguageClient,
                                                     tmp_path: Path) -> None:
    path = tmp_path / "web.conf"
    path.write_text(BROKEN)
    found = await open_file(client, path)
    assert codes(found) == lint_json(path, tmp_path)
    assert {"SV103", "SV108", "SV210"} <= {str(d.code) for d in found}
    for d in found:
        rule = registry.BY_ID[str(d.code)]
        assert d.code_description is not None and d.code_description.href == rule.url
        assert d.source == "svtool"
    (autostart,) = [d for d in found if d.range.start.line == 2]
    assert autostart.range == lsp.Range(start=lsp.Position(line=2, character=10),
                                        end=lsp.Position(line=2, character=15))
    assert autostart.severity == lsp.DiagnosticSeverity.Error


@pytest.mark.asyncio
async def test_changes_are_linted_once_typing_pauses(client: LanguageClient,
                                                     tmp_path: Path) -> None:
    path = tmp_path / "web.conf"
    path.write_text("[program:web]\ncommand=/bin/cat\n")
    assert await open_file(client, path) == []
    uri = path.as_uri()
    seen: list[lsp.PublishDiagnosticsParams] = []
    # five quick keystrokes: one lint, of the last text
    for version, word in enumerate(["m", "ma", "may", "mayb", "maybe"], start=2):
        client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(
                text=f"[program:web]\ncommand=/bin/cat\nautostart={word}\n")]))
    first = await asyncio.wait_for(
        client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 60)
    assert first.uri == uri and first.version == 6
    assert [str(d.code) for d in first.diagnostics] == ["SV103"]
    assert "'maybe'" in first.diagnostics[0].message
    client.protocol.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, seen.append)
    await asyncio.sleep(1.0)  # and nothing after it: the earlier versions were never linted
    assert seen == []
    assert await replace_all(client, path, "[program:web]\ncommand=/bin/cat\n", 7) == []


@pytest.mark.asyncio
async def test_settings_file_applies_as_for_svtool_lint(client: LanguageClient,
                                                        tmp_path: Path) -> None:
    (tmp_path / ".svtool.toml").write_text('ignore = ["SV103"]\n')
    path = tmp_path / "web.conf"
    path.write_text(BROKEN)
    found = await open_file(client, path)
    assert "SV103" not in {str(d.code) for d in found}
    assert codes(found) == lint_json(path, tmp_path)


@pytest.mark.asyncio
async def test_suppression_comment_is_honoured(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "web.conf"
    text = BROKEN.replace("autostart=maybe", "autostart=maybe  ; svtool: disable=SV103")
    found = await open_file(client, path, text)
    assert (3, "SV103") not in codes(found)
    assert (4, "SV103") in codes(found)


def tree(root: Path) -> Path:
    """A main config including conf.d/*.conf, which defines a program the fragments use."""
    (root / ".git").mkdir()
    (root / "conf.d").mkdir()
    (root / "supervisord.conf").write_text(
        "[supervisord]\nlogfile=/tmp/x.log\n\n[program:api]\ncommand=/bin/cat\n\n"
        "[include]\nfiles=conf.d/*.conf\n")
    fragment = root / "conf.d" / "site.conf"
    fragment.write_text("[group:site]\nprograms=api,worker\n")
    (root / "conf.d" / "worker.conf").write_text("[program:worker]\ncommand=/bin/cat\n")
    return fragment


@pytest.mark.asyncio
async def test_fragment_is_checked_in_its_main_config_unsaved(client: LanguageClient,
                                                              tmp_path: Path) -> None:
    fragment = tree(tmp_path)
    assert await open_file(client, fragment) == []
    # the buffer, not the file on disk, is what the main config includes
    found = await replace_all(client, fragment, "[group:site]\nprograms=api,worker,ghost\n", 2)
    assert codes(found) == [(2, "SV108")]
    assert "'ghost'" in found[0].message
    assert fragment.read_text() == "[group:site]\nprograms=api,worker\n"


@pytest.mark.asyncio
async def test_fragment_sees_its_siblings_without_a_main_config(client: LanguageClient,
                                                                tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "worker.conf").write_text("[program:worker]\ncommand=/bin/cat\n")
    path = tmp_path / "site.conf"
    assert await open_file(client, path, "[group:site]\nprograms=worker\n") == []
    found = await replace_all(client, path, "[group:site]\nprograms=worker,api\n", 2)
    assert codes(found) == [(2, "SV108")]


@pytest.mark.asyncio
async def test_closing_clears_the_diagnostics(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "web.conf"
    assert await open_file(client, path, BROKEN)
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(
        text_document=lsp.TextDocumentIdentifier(uri=path.as_uri())))
    assert await diagnostics_of(client, path.as_uri(), None) == []


@pytest.mark.asyncio
@pytest.mark.parametrize("encoding", ["utf-16", "utf-8", "utf-32"])
async def test_columns_count_in_the_agreed_encoding(tmp_path: Path, encoding: str) -> None:
    """Characters outside the BMP take two UTF-16 units, four UTF-8 bytes, one code point."""
    from pytest_lsp import ClientServerConfig

    from tests.lsp.conftest import SERVER

    client = await ClientServerConfig(server_command=SERVER).start()
    try:
        caps = lsp.ClientCapabilities(general=lsp.GeneralClientCapabilities(
            position_encodings=[encoding]))
        result = await client.initialize_session(lsp.InitializeParams(capabilities=caps))
        assert result.capabilities.position_encoding == encoding
        path = tmp_path / "web.conf"
        (found,) = await open_file(client, path, "[program:web]\ncommand=/bin/cat\n"
                                                 "autostart=\U0001f60bmaybe\n")
        width = {"utf-16": 7, "utf-8": 9, "utf-32": 6}[encoding]
        assert found.range == lsp.Range(start=lsp.Position(line=2, character=10),
                                        end=lsp.Position(line=2, character=10 + width))
        assert units("\U0001f60bmaybe", encoding) == width
        # hover just after the emoji, on the value: nothing; on the key: its docs
        hover = await client.text_document_hover_async(lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=path.as_uri()),
            position=lsp.Position(line=2, character=2)))
        assert hover is not None
    finally:
        await client.shutdown_session()  # a server that was not shut down keeps stop() waiting
        await client.stop()


@pytest.mark.asyncio
async def test_saving_a_file_relints_the_buffers_it_is_context_for(client: LanguageClient,
                                                                   tmp_path: Path) -> None:
    fragment = tree(tmp_path)
    assert await open_file(client, fragment) == []
    main = tmp_path / "supervisord.conf"
    text = main.read_text().replace("[program:api]", "[program:gone]")
    main.write_text(text)  # the editor saved the main config without [program:api]
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(
        text_document=lsp.TextDocumentIdentifier(uri=main.as_uri())))
    found = await diagnostics_of(client, fragment.as_uri(), None)
    assert codes(found) == [(2, "SV108")] and "'api'" in found[0].message


@pytest.mark.asyncio
async def test_a_broken_settings_file_is_said_and_the_defaults_apply(client: LanguageClient,
                                                                     tmp_path: Path) -> None:
    (tmp_path / ".svtool.toml").write_text("ignore = [\n")
    path = tmp_path / "web.conf"
    found = await open_file(client, path, BROKEN)
    assert "SV103" in {str(d.code) for d in found}
    await replace_all(client, path, BROKEN + "\n", 2)
    said = [m.message for m in client.log_messages if "svtool settings" in m.message]
    assert len(said) == 1  # once, not at every lint
    assert str(tmp_path / ".svtool.toml") in said[0] and "invalid TOML" in said[0]
