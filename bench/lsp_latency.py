"""How long `svtool lsp` takes from an edit to its diagnostics, through a real client.

Opens each config, then sends five edits one at a time and waits for the diagnostics of each;
prints the time to the first diagnostics and the median after an edit (which includes the
0.3 s pause the server waits for typing to stop). With no arguments it builds a tree of a main
config including 1000 conf.d fragments and measures the main config, one fragment, and a
[group:x] fragment whose programs live in other fragments.

    .venv/bin/python bench/lsp_latency.py [CONFIG...]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

SERVER = [sys.executable, "-m", "supervisor_tools", "lsp"]
FRAGMENTS = 1000


def build_tree(root: Path) -> list[Path]:
    (root / ".git").mkdir()
    (root / "conf.d").mkdir()
    (root / "supervisord.conf").write_text(
        "[supervisord]\nlogfile=/tmp/supervisord.log\n\n[include]\nfiles=conf.d/*.conf\n")
    for i in range(FRAGMENTS):
        (root / "conf.d" / f"p{i}.conf").write_text(
            f"[program:p{i}]\ncommand=/bin/cat\nautostart=true\n")
    group = root / "conf.d" / "zz-group.conf"
    group.write_text("[group:g]\nprograms=p1,p2,p999\n")
    return [root / "supervisord.conf", root / "conf.d" / "p5.conf", group]


async def published(client: LanguageClient, uri: str, version: int) -> int:
    while True:
        params = await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.uri == uri and params.version == version:
            return len(params.diagnostics)


async def measure(client: LanguageClient, path: Path) -> str:
    uri, text = path.as_uri(), path.read_text()
    start = time.perf_counter()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=uri, language_id="ini", version=1, text=text)))
    count = await asyncio.wait_for(published(client, uri, 1), 120)
    first = time.perf_counter() - start
    edits = []
    for version in range(2, 7):
        start = time.perf_counter()
        client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(
                text=f"{text}\n; edit {version}\n")]))
        await asyncio.wait_for(published(client, uri, version), 120)
        edits.append(time.perf_counter() - start)
    return (f"{path.name}: open {first * 1000:.0f} ms, edit {statistics.median(edits) * 1000:.0f}"
            f" ms median (0.3 s of it the typing pause), {count} diagnostics")


async def main(paths: list[Path]) -> None:
    start = time.perf_counter()
    client = await ClientServerConfig(server_command=SERVER).start()
    await client.initialize_session(lsp.InitializeParams(capabilities=lsp.ClientCapabilities()))
    print(f"server start and initialize: {(time.perf_counter() - start) * 1000:.0f} ms")
    try:
        for path in paths:
            print(await measure(client, path))
    finally:
        await client.shutdown_session()
        await client.stop()


if __name__ == "__main__":
    if sys.argv[1:]:
        asyncio.run(main([Path(p).resolve() for p in sys.argv[1:]]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(main(build_tree(Path(tmp))))
