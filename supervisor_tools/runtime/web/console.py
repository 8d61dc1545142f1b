"""The web console: a page at `/`, a JSON status endpoint, POST actions and live log views.

Served by the same HttpServer (and behind the same basic auth) as XML-RPC. Nothing here runs
unless a browser asks: the page polls `/api/status` and the log views are streams fed by the
log files' followers, so an unwatched supervisor has no extra wake-ups.

Safety, beyond the basic auth the server already checks:
- state changes only by POST, each carrying a token derived from a per-server secret (read
  from the status JSON, which other origins cannot read), so another site cannot forge them;
- when no password protects a TCP listener, requests must name this machine in `Host:`, so a
  rebound DNS name cannot turn a visited web page into a same-origin client (the server checks
  this for every route, see `hosts.py`);
- every response forbids framing and inline script, and the page builds its DOM from text.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import time
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from supervisor_tools.runtime.rpc import (
    XMLRPC_INT_MAX,
    Deferred,
    RPCError,
    make_namespec,
    process_info,
    split_namespec,
)
from supervisor_tools.runtime.web.actions import ActionError, outcome, perform

if TYPE_CHECKING:
    from supervisor_tools.runtime.http import Connection, HttpServer, Request

STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/console.css": ("console.css", "text/css; charset=utf-8"),
    "/console.js": ("console.js", "text/javascript; charset=utf-8"),
}
SECURITY_HEADERS = [
    ("Content-Security-Policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
]
LOG_BACKLOG = 64 * 1024
MAX_ACTION_BODY = 4096
TOKEN_HEADER = "x-csrf-token"


@cache
def asset(name: str) -> bytes:
    return resources.files("supervisor_tools.runtime.web").joinpath(name).read_bytes()


class Console:
    def __init__(self, server: HttpServer) -> None:
        self.server = server
        self.sup = server.sup
        self.dispatcher = server.dispatcher
        self.token = secrets.token_urlsafe(32)

    # -- entry ---------------------------------------------------------------------------------

    def handle(self, conn: Connection, req: Request) -> None:
        path = req.path.split("?", 1)[0]
        if path == "/api/action":
            if req.method != "POST":
                self.send_json(conn, req, "405 Method Not Allowed",
                               {"ok": False, "message": "use POST"}, [("Allow", "POST")])
                return
            self.handle_action(conn, req)
            return
        if req.method != "GET":
            self.send_json(conn, req, "405 Method Not Allowed",
                           {"ok": False, "message": "use GET"}, [("Allow", "GET")])
            return
        if path in STATIC:
            name, ctype = STATIC[path]
            self.send(conn, req, "200 OK", asset(name), ctype)
        elif path == "/api/status":
            self.send_json(conn, req, "200 OK", self.status())
        elif path.startswith("/api/log/"):
            self.handle_log(conn, req, unquote(path[len("/api/log/"):]))
        elif path == "/api/mainlog":
            self.handle_mainlog(conn, req)
        else:
            self.send(conn, req, "404 Not Found", b"not found\n", "text/plain; charset=utf-8")

    # -- responses -----------------------------------------------------------------------------

    def send(self, conn: Connection, req: Request, status: str, body: bytes, ctype: str,
             extra: list[tuple[str, str]] | None = None) -> None:
        conn.respond(status, body, ctype, req.keep_alive, SECURITY_HEADERS + (extra or []))

    def send_json(self, conn: Connection, req: Request, status: str, data: dict[str, Any],
                  extra: list[tuple[str, str]] | None = None) -> None:
        body = json.dumps(data, separators=(",", ":")).encode()
        self.send(conn, req, status, body, "application/json", extra)

    # -- status --------------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        sup = self.sup
        now = time.time()
        offset = now - time.monotonic()
        groups = []
        for gname in sorted(sup.groups):
            group = sup.groups[gname]
            procs = []
            for pname in sorted(group.processes):
                proc = group.processes[pname]
                info = process_info(gname, proc, min(int(now), XMLRPC_INT_MAX), offset)
                procs.append({
                    "name": pname, "group": gname, "namespec": make_namespec(gname, pname),
                    "state": info["statename"], "pid": info["pid"], "start": info["start"],
                    "stop": info["stop"], "description": info["description"],
                    "exitstatus": info["exitstatus"], "spawnerr": info["spawnerr"],
                    "logs": [ch for ch in ("stdout", "stderr") if proc.logs.get(ch)],
                })
            groups.append({"name": gname, "processes": procs})
        return {
            "identification": sup.identifier, "pid": os.getpid(), "state": sup.state.name,
            "now": now, "csrf": self.token, "mainlog": bool(sup.log.path), "groups": groups,
        }

    # -- actions -------------------------------------------------------------------------------

    def handle_action(self, conn: Connection, req: Request) -> None:
        given = req.headers.get(TOKEN_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            self.send_json(conn, req, "403 Forbidden",
                           {"ok": False, "message": "missing or stale CSRF token; reload"})
            return
        try:
            if len(req.body) > MAX_ACTION_BODY:
                raise ActionError("request too large")
            data = json.loads(req.body or b"{}")
            if not isinstance(data, dict):
                raise ActionError("expected a JSON object")
            value = perform(self.dispatcher, str(data.get("action", "")),
                            str(data.get("scope", "")), str(data.get("name", "")))
        except (ValueError, UnicodeDecodeError) as exc:  # ActionError, bad JSON
            self.send_json(conn, req, "400 Bad Request", {"ok": False, "message": str(exc)})
            return
        except RPCError as exc:
            value = exc
        if isinstance(value, Deferred):
            conn.pending = value
            conn.pending_keep_alive = req.keep_alive
            conn.pending_send = lambda c, v, _keep: self.reply(c, req, v)
            conn.poll()
            return
        self.reply(conn, req, value)

    def reply(self, conn: Connection, req: Request, value: Any) -> None:
        ok, message = outcome(value)
        self.send_json(conn, req, "200 OK", {"ok": ok, "message": message})

    # -- logs ----------------------------------------------------------------------------------

    def handle_log(self, conn: Connection, req: Request, rest: str) -> None:
        spec, _, channel = rest.rpartition("/")
        gname, pname = split_namespec(spec)
        _group, proc = self.sup.find(gname, pname)
        log = proc.logs.get(channel) if proc is not None and channel in ("stdout", "stderr") \
            else None
        if proc is None or log is None:
            self.send(conn, req, "404 Not Found", b"no such log\n", "text/plain; charset=utf-8")
            return
        self.stream(conn, req, log, proc.log_path(channel))

    def handle_mainlog(self, conn: Connection, req: Request) -> None:
        log = self.sup.log.file
        if log is None:
            self.send(conn, req, "404 Not Found", b"no main log file\n",
                      "text/plain; charset=utf-8")
            return
        self.stream(conn, req, log, log.path)

    def stream(self, conn: Connection, req: Request, log: Any, path: str) -> None:
        conn.start_stream(log, backlog(path, LOG_BACKLOG))


def backlog(path: str, n: int) -> bytes:
    """The last `n` bytes of a file, starting at a line boundary when cut."""
    try:
        with open(path, "rb") as f:
            size = f.seek(0, 2)
            start = max(0, size - n)
            f.seek(start)
            data = f.read(n)
    except OSError:
        return b""
    if start > 0:
        cut = data.find(b"\n")
        data = data[cut + 1:] if cut >= 0 else data
    return data


def install(server: HttpServer) -> Console:
    """Serve the console at `/` on every listener of `server` (after its own routes)."""
    console = Console(server)
    server.routes.append(("/", console.handle))
    return console
