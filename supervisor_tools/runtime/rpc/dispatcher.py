"""Method dispatch and the `system.*` namespace (listMethods, methodHelp, multicall)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from supervisor_tools.runtime.rpc.faults import NOT_DONE, Deferred, RPCError
from supervisor_tools.runtime.rpc.namespace import SupervisorNamespace
from supervisor_tools.runtime.supervisor import Supervisor


class Dispatcher:
    """Resolves `namespace.method` names and runs calls, including system.multicall."""

    def __init__(self) -> None:
        self.methods: dict[str, Callable[..., Any]] = {}
        self.add_namespace("system", SystemNamespace(self))

    def add_namespace(self, prefix: str, obj: object) -> None:
        for attr in dir(obj):
            if attr.startswith("_"):
                continue
            fn = getattr(obj, attr)
            if callable(fn):
                self.methods[f"{prefix}.{attr}"] = fn

    def call(self, name: str, params: tuple[Any, ...] | list[Any]) -> Any:
        fn = self.methods.get(name)
        if fn is None or "." not in name or name.split(".", 1)[1].startswith("_"):
            raise RPCError("UNKNOWN_METHOD")
        try:
            inspect.signature(fn).bind(*params)
        except TypeError:
            raise RPCError("INCORRECT_PARAMETERS") from None
        return fn(*params)


class SystemNamespace:
    def __init__(self, dispatcher: Dispatcher) -> None:
        self._d = dispatcher

    def listMethods(self) -> list[str]:
        """ Return an array listing the available method names

        @return array result  An array of method names available (strings).
        """
        return sorted(self._d.methods)

    def methodHelp(self, name: str) -> str:
        """ Return a string showing the method's documentation

        @param string name   The name of the method.
        @return string result The documentation for the method name.
        """
        fn = self._d.methods.get(name)
        if fn is None:
            raise RPCError("SIGNATURE_UNSUPPORTED")
        # supervisord answers with the docstring as written, and these say what its say
        return fn.__doc__ or ""

    def methodSignature(self, name: str) -> list[str]:
        """ Return an array describing the method signature in the
        form [rtype, ptype, ptype...] where rtype is the return data type
        of the method, and ptypes are the parameter data types that the
        method accepts in method argument order.

        @param string name  The name of the method.
        @return array result  The result.
        """
        fn = self._d.methods.get(name)
        if fn is None:
            raise RPCError("SIGNATURE_UNSUPPORTED")
        ret = "undef"
        params: list[str] = []
        for line in (inspect.getdoc(fn) or "").splitlines():
            words = line.split()
            if len(words) >= 2 and words[0] == "@param":
                params.append(words[1])
            elif len(words) >= 2 and words[0] == "@return":
                ret = words[1]
        return [ret, *params]

    def multicall(self, calls: list[dict[str, Any]]) -> Any:
        """Process an array of calls, and return an array of
        results. Calls should be structs of the form {'methodName':
        string, 'params': array}. Each result will either be a
        single-item array containing the result value, or a struct of
        the form {'faultCode': int, 'faultString': string}. This is
        useful when you need to make lots of small calls without lots
        of round trips.

        @param array calls  An array of call requests
        @return array result  An array of results
        """
        remaining = list(calls)
        results: list[Any] = []
        current: list[Deferred] = []

        def fault(exc: RPCError) -> dict[str, Any]:
            return {"faultCode": exc.code, "faultString": exc.text}

        def run() -> Any:
            if current:
                try:
                    value = current[0].poll()
                except RPCError as exc:
                    value = fault(exc)
                if value is NOT_DONE:
                    return NOT_DONE
                current.pop()
                results.append(value)
            while remaining:
                call = remaining.pop(0)
                name = call.get("methodName")
                try:
                    if name is None:
                        raise RPCError("INCORRECT_PARAMETERS", "No methodName")
                    if name == "system.multicall":
                        raise RPCError("INCORRECT_PARAMETERS",
                                       "Recursive system.multicall forbidden")
                    value = self._d.call(name, call.get("params", []))
                except RPCError as exc:
                    value = fault(exc)
                if isinstance(value, Deferred):
                    current.append(value)
                    return run()
                results.append(value)
            return results

        value = run()
        return Deferred(run) if value is NOT_DONE else value


def make_dispatcher(sup: Supervisor) -> Dispatcher:
    d = Dispatcher()
    d.add_namespace("supervisor", SupervisorNamespace(sup))
    return d
