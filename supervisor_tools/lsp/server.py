"""The language server: document sync, debounced diagnostics, and one handler per feature.

Every handler goes through `guarded`: whatever text the editor sends, a failure inside svtool
is logged to the client and answered with "nothing here", never a dead server.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from supervisor_tools import __version__
from supervisor_tools.errors import Span
from supervisor_tools.lsp import actions, completion, definition, diagnose, hover
from supervisor_tools.lsp.locate import spot
from supervisor_tools.lsp.positions import Lines
from supervisor_tools.syntax.parser import parse

# Typing pauses shorter than this do not start a lint; opening or saving lints at once.
DEBOUNCE_SECONDS = 0.3
R = TypeVar("R")


class SvtoolServer(LanguageServer):
    def __init__(self, debounce: float = DEBOUNCE_SECONDS) -> None:
        super().__init__("svtool", __version__)
        self.debounce = debounce
        self.checked: dict[str, diagnose.Checked] = {}
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.said: set[str] = set()  # settings errors already logged: once each, not per lint

    # -- helpers ------------------------------------------------------------------------------

    def encoding(self) -> str:
        chosen = self.server_capabilities.position_encoding
        return str(chosen) if chosen else lsp.PositionEncodingKind.Utf16

    def text(self, uri: str) -> str:
        return self.workspace.get_text_document(uri).source

    def lines(self, uri: str) -> Lines:
        return Lines(self.text(uri), self.encoding())

    def log(self, message: str) -> None:
        self.window_log_message(lsp.LogMessageParams(type=lsp.MessageType.Error,
                                                     message=message))

    def lint(self, uri: str) -> diagnose.Checked:
        """The buffer's current lint, run now if the text changed since the last one."""
        text = self.text(uri)
        known = self.checked.get(uri)
        if known is None or known.text != text:
            known = diagnose.check(path_of(uri), text)
            self.checked[uri] = known
        return known

    def publish(self, uri: str) -> None:
        self.timers.pop(uri, None)
        try:
            document = self.workspace.get_text_document(uri)
            checked = self.lint(uri)
            if checked.settings_error and checked.settings_error not in self.said:
                self.said.add(checked.settings_error)
                self.log(f"svtool settings: {checked.settings_error}")
            found = diagnose.to_lsp(checked, Lines(document.source, self.encoding()))
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
                uri=uri, diagnostics=found, version=document.version))
        except Exception:
            self.log(f"svtool lsp: linting {uri} failed:\n{traceback.format_exc()}")

    def schedule(self, uri: str, delay: float) -> None:
        old = self.timers.pop(uri, None)
        if old is not None:
            old.cancel()
        loop = asyncio.get_event_loop()
        self.timers[uri] = loop.call_later(delay, self.publish, uri)


def path_of(uri: str) -> str:
    """The file a document stands for; an unsaved, untitled one is taken to be in the current
    directory."""
    path = to_fs_path(uri) if uri.startswith("file:") else None
    return os.path.abspath(path or "untitled.conf")


def guarded(server: SvtoolServer, default: Any) -> Callable[[Callable[..., R]],
                                                              Callable[..., R]]:
    def wrap(handler: Callable[..., R]) -> Callable[..., R]:
        @functools.wraps(handler)
        def run(params: Any) -> R:
            try:
                return handler(params)
            except Exception:
                server.log(f"svtool lsp: {handler.__name__} failed:\n{traceback.format_exc()}")
                return default  # type: ignore[no-any-return]
        return run
    return wrap


def make_server(debounce: float = DEBOUNCE_SECONDS) -> SvtoolServer:
    server = SvtoolServer(debounce)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    @guarded(server, None)
    def did_open(params: lsp.DidOpenTextDocumentParams) -> None:
        server.schedule(params.text_document.uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    @guarded(server, None)
    def did_change(params: lsp.DidChangeTextDocumentParams) -> None:
        server.schedule(params.text_document.uri, server.debounce)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    @guarded(server, None)
    def did_save(params: lsp.DidSaveTextDocumentParams) -> None:
        # a saved file may be another open file's context (its main config, a sibling)
        server.checked.clear()
        for uri in list(server.workspace.text_documents):
            server.schedule(uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    @guarded(server, None)
    def did_close(params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        timer = server.timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        server.checked.pop(uri, None)
        server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    @guarded(server, None)
    def on_hover(params: lsp.HoverParams) -> lsp.Hover | None:
        uri = params.text_document.uri
        lines = server.lines(uri)
        line, col = lines.from_client(params.position)
        path = path_of(uri)
        doc = parse(server.text(uri), path)
        found = spot(doc, line + 1, col)
        loaded = None
        if found.kind == "expansion":
            from supervisor_tools.model import load

            loaded = load(path, parsed=doc, host_checks=False)
        text = hover.hover_text(found, path, loaded, os.environ)
        if text is None:
            return None
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text))

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION,
                    lsp.CompletionOptions(trigger_characters=["[", "=", ","]))
    @guarded(server, None)
    def on_completion(params: lsp.CompletionParams) -> lsp.CompletionList:
        uri = params.text_document.uri
        lines = server.lines(uri)
        line, col = lines.from_client(params.position)
        doc = parse(server.text(uri), path_of(uri))
        items = completion.complete(doc, lines.lines, line, col)
        return lsp.CompletionList(is_incomplete=False, items=items)

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.QuickFix, lsp.CodeActionKind.SourceFixAll]))
    @guarded(server, None)
    def on_code_action(params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        uri = params.text_document.uri
        return actions.fixes(uri, server.lint(uri), server.lines(uri), params.range)

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    @guarded(server, None)
    def on_definition(params: lsp.DefinitionParams) -> list[lsp.Location]:
        uri = params.text_document.uri
        lines = server.lines(uri)
        line, col = lines.from_client(params.position)
        path = path_of(uri)
        doc = parse(server.text(uri), path)
        known = server.checked.get(uri)
        documents = dict(known.documents) if known is not None else {}
        documents[path] = doc
        return [location(span) for span in
                definition.targets(spot(doc, line + 1, col), path, documents, os.environ)]

    def location(span: Span) -> lsp.Location:
        here = span.file
        uri = from_fs_path(here) or here
        if uri in server.workspace.text_documents:
            target = server.lines(uri)
        else:
            try:
                with open(here, encoding="utf-8", errors="replace") as fh:
                    target = Lines(fh.read(), server.encoding())
            except OSError:
                target = Lines("", server.encoding())
        return lsp.Location(uri=uri, range=target.span_range(span))

    return server


class OneLine(logging.Formatter):
    """pygls logs what it cannot handle (a malformed message) with a traceback; the editor's
    log gets one line: what failed and why."""

    def format(self, record: logging.LogRecord) -> str:
        text = f"svtool lsp: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            text += f": {record.exc_info[1]}"
        return text


def serve() -> int:
    """`svtool lsp`: serve the editor on stdin and stdout until it says exit."""
    # a long-lived process: boundary.run (short_lived=False) has given the collector back
    handler = logging.StreamHandler()  # stderr: stdout carries the protocol
    handler.setFormatter(OneLine())
    logging.getLogger("pygls").addHandler(handler)
    logging.getLogger("pygls").setLevel(logging.WARNING)
    make_server().start_io()
    return 0
