"""XML-RPC API 3.0: the `supervisor.*` and `system.*` methods with supervisord's faults and shapes.

A method returns a value, raises RPCError, or returns a Deferred whose `poll()` the HTTP layer
calls after every batch of loop events until it stops answering NOT_DONE. Other namespaces
(event listeners, a later issue) register through `Dispatcher.add_namespace`.

By concern: faults.py (faults, deferred replies, names), info.py (status structs), base.py
(lookups and fan-out), control.py, processes.py and proclogs.py (the `supervisor.*` methods),
dispatcher.py (dispatch and `system.*`).
"""

from __future__ import annotations

from supervisor_tools.runtime.rpc.dispatcher import Dispatcher, SystemNamespace, make_dispatcher
from supervisor_tools.runtime.rpc.faults import (
    API_VERSION,
    FAULTS,
    NOT_DONE,
    SUPERVISOR_VERSION,
    XMLRPC_INT_MAX,
    Deferred,
    RPCError,
    make_namespec,
    split_namespec,
)
from supervisor_tools.runtime.rpc.info import describe, process_info, uptime
from supervisor_tools.runtime.rpc.namespace import SupervisorNamespace

__all__ = ["API_VERSION", "FAULTS", "NOT_DONE", "SUPERVISOR_VERSION", "XMLRPC_INT_MAX", "Deferred",
           "Dispatcher", "RPCError", "SupervisorNamespace", "SystemNamespace", "describe",
           "make_dispatcher", "make_namespec", "process_info",
           "split_namespec", "uptime"]
