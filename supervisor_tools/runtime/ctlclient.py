"""The XML-RPC client of `svtool ctl`: server address, credentials, calls and log streams."""

from __future__ import annotations

import base64
import http.client
import os
import socket
import time
import xmlrpc.client
from dataclasses import dataclass
from typing import Any, TextIO

from supervisor_tools.errors import SvtoolError

DEFAULT_URL = "http://localhost:9001"


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float | None = None) -> None:
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if self.timeout is not None:
            sock.settimeout(self.timeout)
        sock.connect(self.path)
        self.sock = sock


@dataclass(frozen=True, slots=True)
class Server:
    url: str
    username: str | None = None
    password: str | None = None

    def connection(self, timeout: float | None = None) -> http.client.HTTPConnection:
        if self.url.startswith("unix://"):
            return _UnixConnection(self.url[len("unix://"):], timeout)
        if self.url.startswith("http://"):
            rest = self.url[len("http://"):].split("/", 1)[0]
            host, _, port = rest.rpartition(":") if ":" in rest else (rest, "", "80")
            return http.client.HTTPConnection(host, int(port or 80), timeout=timeout)
        raise SvtoolError(f"unsupported server URL {self.url!r} (use unix:// or http://)")

    def headers(self) -> dict[str, str]:
        h = {"Content-Type": "text/xml"}
        if self.username is not None and self.password is not None:
            token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            h["Authorization"] = f"Basic {token}"
        return h


class Unreachable(SvtoolError):
    """The server's socket could not be reached; `errno` says why (as supervisorctl tells)."""

    def __init__(self, url: str, exc: OSError) -> None:
        super().__init__(f"{url} refused connection ({exc})")
        self.errno = exc.errno
        self.exc = exc


class Unauthorized(SvtoolError):
    def __init__(self) -> None:
        super().__init__("Server requires authentication")


class Client:
    """One persistent connection; `call("supervisor.getState")` returns the decoded value."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.conn: http.client.HTTPConnection | None = None

    def call(self, method: str, *params: Any) -> Any:
        body = xmlrpc.client.dumps(params, method).encode("utf-8")
        if self.conn is None:
            self.conn = self.server.connection()
        try:
            self.conn.request("POST", "/RPC2", body, self.server.headers())
            resp = self.conn.getresponse()
            data = resp.read()
        except OSError as exc:
            self.conn = None
            raise Unreachable(self.server.url, exc) from exc
        if resp.status == 401:
            raise Unauthorized()
        if resp.status != 200:
            raise SvtoolError(f"{self.server.url}: HTTP {resp.status} {resp.reason}")
        (value,), _ = xmlrpc.client.loads(data)
        return value

    def stream(self, path: str, out: TextIO, seconds: float | None = None) -> None:
        """Copy a /logtail or /mainlogtail stream to `out` until interrupted or `seconds` pass."""
        conn = self.server.connection(timeout=seconds)
        conn.request("GET", path, headers=self.server.headers())
        resp = conn.getresponse()
        if resp.status != 200:
            raise SvtoolError(f"cannot follow {path}: HTTP {resp.status}")
        end = None if seconds is None else time.monotonic() + seconds
        try:
            while end is None or time.monotonic() < end:
                chunk = resp.read1(65536)
                if not chunk:
                    break
                out.write(chunk.decode("utf-8", "replace"))
                out.flush()
        except (TimeoutError, KeyboardInterrupt):
            pass
        finally:
            conn.close()


@dataclass(frozen=True, slots=True)
class ShellSettings:
    """What supervisorctl's interactive shell reads from [supervisorctl] besides the server."""

    prompt: str = "supervisor"
    history_file: str | None = None


def server_from_config(config: str | None, url: str | None, username: str | None,
                       password: str | None) -> Server:
    return settings_from_config(config, url, username, password)[0]


def settings_from_config(config: str | None, url: str | None, username: str | None,
                         password: str | None) -> tuple[Server, ShellSettings]:
    """The server to talk to and the shell's settings: flags first, then [supervisorctl]."""
    cfg_url, cfg_user, cfg_pass = None, None, None
    shell = ShellSettings()
    if config is None:
        from supervisor_tools.runtime import configpath

        config = configpath.search()
    if config:
        from supervisor_tools.model import load

        model = load(config, host_checks=False).model
        if model.supervisorctl is not None:
            ctl = model.supervisorctl
            cfg_url = ctl.serverurl
            cfg_user, cfg_pass = ctl.username, ctl.password
            history = ctl.history_file and os.path.abspath(os.path.expanduser(ctl.history_file))
            shell = ShellSettings(ctl.prompt, history or None)
        if model.supervisorctl is None or "serverurl" not in model.supervisorctl.spans:
            cfg_url = model.server_url() or cfg_url
    server = Server(url or cfg_url or DEFAULT_URL,
                    username if username is not None else cfg_user,
                    password if password is not None else cfg_pass)
    return server, shell
