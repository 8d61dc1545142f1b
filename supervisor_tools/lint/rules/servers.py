"""Rules about how supervisord is reached: its HTTP servers and supervisorctl."""

from __future__ import annotations

import os

from supervisor_tools.errors import Severity, Span
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Report, rule
from supervisor_tools.model.model import InetHttpServerConfig, UnixHttpServerConfig

W = Severity.WARNING

LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


def _loopback(host: str) -> bool:
    import ipaddress  # only configs with an inet server get here

    host = host.strip("[]")
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@rule("SV240", "inet-no-auth", W, "[inet_http_server] without username and password",
      options=("username", "password", "port"))
def inet_no_auth(ctx: Context, report: Report) -> None:
    """Without `username` and `password`, anyone who can reach the port can stop, start and
    reconfigure every program (and read their logs) over XML-RPC or the web page: the network
    when it listens on every interface, every local user on a shared host when it listens on
    127.0.0.1.

    Not reported for a loopback port in a container's config (`[supervisord] nodaemon=true`):
    only the container's own programs reach it, and they run the container already.

    Failing:

        [inet_http_server]
        port = 127.0.0.1:9001

    Passing:

        [inet_http_server]
        port = 127.0.0.1:9001
        username = admin
        password = {SHA}d033e22ae348aeb5660fc2140aec35850c4da997
    """
    for server in ctx.model.servers:
        if not isinstance(server, InetHttpServerConfig) or server.username:
            continue
        if ctx.container and _loopback(server.host):
            continue  # reachable only from inside the container, by its own programs
        report(server.source, f"[{server.section}] has no username/password: anyone who "
                                  "can reach the port controls supervisord")


@rule("SV241", "inet-public", W, "[inet_http_server] listening on a non-loopback address",
      options=("port",))
def inet_public(ctx: Context, report: Report) -> None:
    """`port=*:9001`, `port=:9001`, `port=9001` and `port=0.0.0.0:9001` listen on every
    interface; supervisord's web console and XML-RPC are then reachable from the network
    (with basic auth over plain HTTP at best). Listen on 127.0.0.1 and tunnel, or use the unix
    socket.

    Failing:

        [inet_http_server]
        port = *:9001
        username = admin
        password = secret

    Passing:

        [inet_http_server]
        port = 127.0.0.1:9001
        username = admin
        password = secret
    """
    for server in ctx.model.servers:
        if isinstance(server, InetHttpServerConfig) and not _loopback(server.host):
            where = server.host or "every interface"
            report(server.spans.get("port", server.source),
                   f"[{server.section}] listens on {where}: the control API is reachable from "
                   "the network; bind it to 127.0.0.1")


@rule("SV242", "unix-socket-open", W, "a unix socket any local user may use, without a password",
      options=("chmod", "username", "password"))
def unix_socket_open(ctx: Context, report: Report) -> None:
    """With a `chmod` that lets others connect (any of its last three bits, as in 0777 or 0666)
    and no `username`/`password`, every local user controls supervisord — and through it runs
    commands as the programs' users, often root.

    Group access (0770) is not reported: the socket's group is the one `chown` names, or else
    supervisord's own group, and letting that group control supervisord is what 0770 is for.

    Failing:

        [unix_http_server]
        file = /run/supervisor.sock
        chmod = 0777

    Passing:

        [unix_http_server]
        file = /run/supervisor.sock
        chmod = 0770
        chown = root:supervisor
        username = admin
        password = secret
    """
    for server in ctx.model.servers:
        if isinstance(server, UnixHttpServerConfig) and server.chmod & 0o007 and \
                not server.username:
            report(server.spans.get("chmod", server.source),
                   f"[{server.section}] chmod={server.chmod:04o} lets every local user connect "
                   "and there is no password")


def _controlled_main_span(ctx: Context) -> Span | None:
    """Like `_served_main_span`, and also when the main file has a `[supervisorctl]` section:
    then supervisorctl is evidently meant to be used with it."""
    span = _served_main_span(ctx)
    if span is not None:
        return span
    sd, ctl = ctx.model.supervisord, ctx.model.supervisorctl
    if sd is None or ctl is None or ctx.fragment or ctl.source.file != sd.source.file:
        return None
    return sd.source


def _served_main_span(ctx: Context) -> Span | None:
    """The `[supervisord]` header of a main config that defines an HTTP server, else None.

    Without `[unix_http_server]` or `[inet_http_server]` nothing can talk to supervisord at all
    (a container's supervisord usually runs so), and neither `[rpcinterface:supervisor]` nor
    `[supervisorctl]` would change that. A server that only an included file defines says the
    file's author keeps the control sections elsewhere (a package's or an image's own main
    config), not that this main config lacks them.
    """
    sd = ctx.model.supervisord
    if sd is None or ctx.fragment:
        return None
    if not any(server.source.file == sd.source.file for server in ctx.model.servers):
        return None
    return sd.source


@rule("SV243", "no-rpcinterface", W, "a controlled supervisord without [rpcinterface:supervisor]")
def no_rpcinterface(ctx: Context, report: Report) -> None:
    """Without `[rpcinterface:supervisor]` the HTTP server answers no `supervisor.*` method, so
    supervisorctl and the web page fail ("UNKNOWN_METHOD"): the server is there for nothing.
    Checked on main configs that define a `[unix_http_server]`, an `[inet_http_server]` or a
    `[supervisorctl]` section in the same file, where control is evidently intended; a config
    with none of them (as most containers run supervisord) has nothing to answer methods and
    nobody to ask, and the section would change nothing there.

    Failing:

        [supervisord]

        [unix_http_server]
        file = /run/supervisor.sock

    Passing:

        [supervisord]

        [unix_http_server]
        file = /run/supervisor.sock

        [rpcinterface:supervisor]
        supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
    """
    span = _controlled_main_span(ctx)
    if span is None or "rpcinterface:supervisor" in ctx.raw.sections:
        return
    report(span, "no [rpcinterface:supervisor] section: supervisorctl and the web page cannot "
                 "control this supervisord")


@rule("SV244", "no-supervisorctl", W, "an HTTP server without a [supervisorctl] section")
def no_supervisorctl(ctx: Context, report: Report) -> None:
    """supervisorctl refuses a config without `[supervisorctl]` (".ini file does not include
    supervisorctl section"), and it is where `serverurl` says how to reach supervisord. Checked
    on main configs that define a `[unix_http_server]` or `[inet_http_server]` in the same
    file, the servers supervisorctl talks to; without one supervisorctl cannot connect whatever
    the file says.

    Failing:

        [supervisord]

        [unix_http_server]
        file = /run/supervisor.sock

    Passing:

        [supervisord]

        [unix_http_server]
        file = /run/supervisor.sock

        [supervisorctl]
        serverurl = unix:///run/supervisor.sock
    """
    span = _served_main_span(ctx)
    if span is not None and "supervisorctl" not in ctx.raw.sections:
        report(span, "an HTTP server runs but there is no [supervisorctl] section: "
                     "`supervisorctl -c` with this file fails")


def _matches(url: str, servers: list[InetHttpServerConfig | UnixHttpServerConfig]) -> bool:
    if url.startswith("unix://"):
        # realpath: /var/run is usually a link to /run, and either spelling works
        path = os.path.realpath(os.path.expanduser(url[7:]))
        return any(isinstance(s, UnixHttpServerConfig) and os.path.realpath(s.file) == path
                   for s in servers)
    from urllib.parse import urlparse

    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return False
    try:
        port = parsed.port or 80
    except ValueError:
        return False
    for s in servers:
        if isinstance(s, InetHttpServerConfig) and s.port == port and \
                (not s.host or s.host == parsed.hostname.lower()
                 or (_loopback(s.host) and _loopback(parsed.hostname))):
            return True
    return False


@rule("SV245", "serverurl-mismatch", W, "[supervisorctl] serverurl reaches no configured server",
      options=("serverurl", "file", "port"))
def serverurl_mismatch(ctx: Context, report: Report) -> None:
    """`[supervisorctl] serverurl` (default `http://localhost:9001`) should name the unix socket
    `file` of a `[unix_http_server]` or the port of an `[inet_http_server]` in the same config.

    Failing:

        [supervisord]

        [unix_http_server]
        file = /run/supervisor.sock

        [supervisorctl]
        serverurl = unix:///tmp/supervisor.sock

    Passing:

        [supervisord]

        [unix_http_server]
        file = /run/supervisor.sock

        [supervisorctl]
        serverurl = unix:///run/supervisor.sock
    """
    ctl = ctx.model.supervisorctl
    if ctl is None or ctx.fragment:
        return
    servers = list(ctx.model.servers)
    if any(ctx.unread(span) for obj in (ctl, *servers) for span in obj.spans.values()):
        return  # a URL, socket or port the loader could not read here: nothing to compare
    unset = {(e.span.file, e.span.line) for e in ctx.result.errors if e.code == "env-unset"}
    if unset and any((opt.span.file, opt.span.line) in unset for sv in ctx.values()
                     if sv.ref.kind in ("supervisorctl", "unix_http_server", "inet_http_server")
                     for opt in sv.ref.options):
        # an %(ENV_X)s not set here leaves its server out of the model (or its URL unexpanded):
        # where supervisorctl connects is then not known from the config alone
        return
    if _matches(ctl.serverurl.strip(), servers):
        return
    if not servers:
        why = "there is no [unix_http_server] or [inet_http_server] to connect to"
    else:
        why = "no configured server listens there"
    report(ctl.spans.get("serverurl", ctl.source),
           f"supervisorctl connects to {ctl.serverurl.strip()} but {why}")
