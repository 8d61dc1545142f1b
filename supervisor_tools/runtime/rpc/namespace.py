"""The `supervisor.*` namespace: the method groups put together."""

from __future__ import annotations

from supervisor_tools.runtime.rpc.control import ControlMethods
from supervisor_tools.runtime.rpc.processes import ProcessMethods
from supervisor_tools.runtime.rpc.proclogs import OutputMethods


class SupervisorNamespace(ControlMethods, ProcessMethods, OutputMethods):
    """The `supervisor.*` methods. Docstring tags feed system.methodHelp/methodSignature."""
