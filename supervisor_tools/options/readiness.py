"""The readiness and liveness rows of the option table, and the value types only they use.

A program becomes RUNNING when it says it is ready (sd_notify), when a line of its output
matches (`ready_log_line`) or when a readiness probe succeeds; a liveness probe watches it
afterwards. The probe keys are process-compose's and Kubernetes' probe fields flattened into
INI keys: `readiness_probe.http_get` becomes `readiness_probe_http_get`, one URL. Left unset,
nothing changes: startsecs decides, as in supervisord. docs/readiness.md explains the names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from supervisor_tools.options.conversion import ConversionError
from supervisor_tools.options.types import BOOLEAN, STRING, IntegerType, port_number
from supervisor_tools.options.valuetype import ValueType

if TYPE_CHECKING:
    from supervisor_tools.options.table import OptionSpec


class RegexType(ValueType):
    """A Python regular expression, searched for in each line of output."""

    name = "regex"
    doc = "a regular expression (Python syntax) searched for in each output line"

    def convert(self, text: str, host: bool = True) -> str:
        try:
            re.compile(text)
        except re.error as exc:
            raise ConversionError(f"not a valid regular expression {text!r}: {exc}") from None
        return text


class HttpUrlType(ValueType):
    """http:// or https://host:port/path, the URL an HTTP GET probe requests."""

    name = "http url"
    doc = "http[s]://host[:port]/path"

    def convert(self, text: str, host: bool = True) -> str:
        # imported here: urllib.parse (with ipaddress) costs every svtool start ~3 ms
        from urllib.parse import urlsplit

        parts = urlsplit(text.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConversionError(f"not an http[s]://host[:port]/path URL: {text!r}")
        try:
            parts.port  # noqa: B018  (urlsplit checks the port only when asked)
        except ValueError as exc:
            raise ConversionError(f"bad port in {text!r}: {exc}") from None
        return text.strip()


class HostPortType(ValueType):
    """host:port to connect to; a bare port means 127.0.0.1. Kept as "host:port" text."""

    name = "host:port"
    doc = "host:port (a bare port connects to 127.0.0.1)"

    def convert(self, text: str, host: bool = True) -> str:
        hostname, _, port = text.strip().rpartition(":")
        hostname = hostname.strip("[]") or "127.0.0.1"
        number = port_number(port)
        return f"[{hostname}]:{number}" if ":" in hostname else f"{hostname}:{number}"

    def schema(self) -> dict[str, Any]:
        return {"type": ["string", "integer"]}


def split_host_port(value: str) -> tuple[str, int]:
    """A HostPortType value as (host, port)."""
    hostname, _, port = value.rpartition(":")
    return hostname.strip("[]"), int(port)


REGEX = RegexType()
HTTP_URL = HttpUrlType()
HOST_PORT = HostPortType()

PROBE_KINDS = ("readiness", "liveness")
# The probe target keys of one probe: at most one of them names what is probed.
PROBE_TARGETS = ("exec", "http_get", "tcp_socket")
# Kubernetes' field names and defaults (its periodSeconds, timeoutSeconds...).
PROBE_TIMING = (("initial_delay_seconds", 0, 0), ("period_seconds", 10, 1),
                ("timeout_seconds", 1, 1), ("success_threshold", 1, 1),
                ("failure_threshold", 3, 1))


def probe_key(kind: str, field: str) -> str:
    return f"{kind}_probe_{field}"


def readiness_rows(make: Callable[..., OptionSpec], process: Any) -> tuple[OptionSpec, ...]:
    """The rows, built with the table's row maker and its per-process expansion (the table
    imports this module, so it hands them over). Every one is an svtool extension, which
    supervisord 4.3.0 ignores (SV260 under `svtool lint --target supervisord`)."""

    def o(*args: Any, **kw: Any) -> OptionSpec:
        return make(*args, extension=True, **kw)

    boolean, string = BOOLEAN, STRING
    rows = [
        o("sd_notify", boolean, False,
          "readiness by sd_notify: the process gets its own NOTIFY_SOCKET and is RUNNING once "
          "it sends READY=1; STATUS= becomes its description, STOPPING=1 a stop"),
        o("watchdogsecs", IntegerType(minimum=0), 0,
          "with sd_notify: restart the process when no WATCHDOG=1 came for this many seconds "
          "(WATCHDOG_USEC is passed to it); 0 turns the watchdog off"),
        o("ready_log_line", REGEX, None,
          "readiness by output: RUNNING once a line of stdout or stderr matches this regular "
          "expression", example="Listening on"),
        o("readytimeoutsecs", IntegerType(minimum=0), 90,
          "with a readiness check: seconds to wait for readiness before the start counts as "
          "failed (BACKOFF, FATAL after startretries); 0 waits for ever"),
    ]
    for kind in PROBE_KINDS:
        what = ("the process is ready (RUNNING)" if kind == "readiness"
                else "the running process is alive; failing restarts it")
        rows += [
            o(probe_key(kind, "exec"), string, None,
              f"{kind} probe: a shell command whose exit status 0 means {what}",
              expansion=process, level="process", example="pg_isready -q"),
            o(probe_key(kind, "http_get"), HTTP_URL, None,
              f"{kind} probe: an HTTP GET whose status 200-399 means {what}; an https:// URL "
              "checks no certificate (as Kubernetes' HTTPS probes)",
              expansion=process, level="process", example="http://127.0.0.1:8080/healthz"),
            o(probe_key(kind, "tcp_socket"), HOST_PORT, None,
              f"{kind} probe: a TCP connection that succeeds means {what}",
              expansion=process, level="process", example="127.0.0.1:5432"),
        ]
        docs = {
            "initial_delay_seconds": "seconds to wait after "
                                     f"{'the spawn' if kind == 'readiness' else 'RUNNING'} "
                                     f"before the first {kind} probe",
            "period_seconds": f"seconds between the starts of two {kind} probes",
            "timeout_seconds": f"seconds a {kind} probe may take before it counts as failed",
            "success_threshold": f"consecutive {kind} probe successes that count as success",
            "failure_threshold": f"consecutive {kind} probe failures that count as failure "
                                 + ("(a failed start)" if kind == "readiness"
                                    else "(a restart)"),
        }
        for field, default, minimum in PROBE_TIMING:
            rows.append(o(probe_key(kind, field), IntegerType(minimum=minimum), default,
                          docs[field]))
    return tuple(rows)
