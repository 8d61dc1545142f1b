"""What the console's buttons do: start, stop, restart and clear logs, through the RPC methods.

Every action goes through the same `supervisor.*` methods supervisorctl uses, so the console
gets the same checks and faults. A restart is a stop followed by a start, as supervisorctl
does it; both halves may be deferred replies, chained here without blocking the loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from supervisor_tools.runtime.rpc import FAULTS, NOT_DONE, Deferred, Dispatcher, RPCError

ACTIONS = ("start", "stop", "restart", "clearlog")
SCOPES = ("process", "group", "all")


class ActionError(ValueError):
    """A request the console's own page would never send."""


def then(first: Any, after: Callable[[Any], Any]) -> Any:
    """`after(result of first)`, where `first` (and what `after` returns) may be Deferred."""
    if not isinstance(first, Deferred):
        return after(first)
    stage: list[Any] = [first, False]  # the deferred being polled, and whether it is `after`'s

    def poll() -> Any:
        value = stage[0].poll()
        if value is NOT_DONE:
            return NOT_DONE
        if stage[1]:
            return value
        nxt = after(value)
        if not isinstance(nxt, Deferred):
            return nxt
        stage[0], stage[1] = nxt, True
        return poll()

    return Deferred(poll)


def _stop_quietly(d: Dispatcher, method: str, args: list[Any]) -> Any:
    try:
        return d.call(method, args)
    except RPCError as exc:
        if exc.code == FAULTS["NOT_RUNNING"]:
            return True
        raise


def perform(d: Dispatcher, action: str, scope: str, name: str) -> Any:
    """Run one console action; returns a value, a Deferred, or raises RPCError/ActionError."""
    if action not in ACTIONS or scope not in SCOPES:
        raise ActionError(f"unknown action {action!r} on {scope!r}")
    if scope != "all" and not name:
        raise ActionError("a process or group name is needed")
    suffix = {"process": "Process", "group": "ProcessGroup", "all": "AllProcesses"}[scope]
    args: list[Any] = [] if scope == "all" else [name]
    if action == "clearlog":
        if scope == "process":
            return d.call("supervisor.clearProcessLogs", args)
        if scope == "all":
            return d.call("supervisor.clearAllProcessLogs", [])
        return _clear_group(d, name)
    if action in ("start", "stop"):
        return d.call(f"supervisor.{action}{suffix}", [*args, True])
    stopped = _stop_quietly(d, f"supervisor.stop{suffix}", [*args, True])
    return then(stopped, lambda _: d.call(f"supervisor.start{suffix}", [*args, True]))


def _clear_group(d: Dispatcher, group: str) -> list[dict[str, Any]]:
    infos = [i for i in d.call("supervisor.getAllProcessInfo", []) if i["group"] == group]
    if not infos:
        raise RPCError("BAD_NAME", group)
    results = []
    for info in infos:
        spec = f"{group}:{info['name']}"
        try:
            d.call("supervisor.clearProcessLogs", [spec])
            results.append({"name": info["name"], "group": group,
                            "status": FAULTS["SUCCESS"], "description": "OK"})
        except RPCError as exc:
            results.append({"name": info["name"], "group": group, "status": exc.code,
                            "description": exc.text})
    return results


def outcome(value: Any) -> tuple[bool, str]:
    """(ok, message) for an action's final value: True, a list of per-process results, or
    an RPCError."""
    if isinstance(value, RPCError):
        return False, value.text
    if isinstance(value, list):
        failed = [r for r in value if isinstance(r, dict)
                  and r.get("status") != FAULTS["SUCCESS"]]
        if failed:
            return False, "; ".join(
                f"{_spec(r)}: {r.get('description', '')}" for r in failed)
        return True, f"{len(value)} process(es) done" if value else "nothing to do"
    return True, "done"


def _spec(result: dict[str, Any]) -> str:
    group, name = str(result.get("group", "")), str(result.get("name", ""))
    return name if group == name else f"{group}:{name}"
