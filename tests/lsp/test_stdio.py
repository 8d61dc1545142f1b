"""`svtool lsp` on the wire: a malformed message is one line on stderr, not a traceback, and
the server goes on answering."""

from __future__ import annotations

import json
import subprocess

from tests.lsp.conftest import SERVER


def frame(body: str) -> bytes:
    data = body.encode()
    return b"Content-Length: %d\r\n\r\n" % len(data) + data


def test_malformed_message_then_a_request() -> None:
    initialize = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                             "params": {"capabilities": {}, "processId": None}})
    shutdown = json.dumps({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    leave = json.dumps({"jsonrpc": "2.0", "method": "exit"})
    wire = frame('{"jsonrpc": ') + frame(initialize) + frame(shutdown) + frame(leave)
    done = subprocess.run([*SERVER], input=wire, capture_output=True, timeout=120)
    assert done.returncode == 0
    err = done.stderr.decode()
    assert "Traceback" not in err
    assert err.startswith("svtool lsp: Unable to handle message: ")
    out = done.stdout.decode()
    assert '"id": 1' in out and '"capabilities"' in out and '"hoverProvider": true' in out
    assert '"id": 2' in out
