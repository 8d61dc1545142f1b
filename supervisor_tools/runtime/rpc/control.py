"""supervisord itself: identity, state, main log, shutdown, restart and config reload."""

from __future__ import annotations

import os
from typing import Any

from supervisor_tools.runtime.logs import read_slice
from supervisor_tools.runtime.rpc.base import Base
from supervisor_tools.runtime.rpc.faults import API_VERSION, SUPERVISOR_VERSION, RPCError


class ControlMethods(Base):
    """The methods about supervisord and its configuration."""

    # -- status and control of supervisord ------------------------------------------------------

    def getAPIVersion(self) -> str:
        """ Return the version of the RPC API used by supervisord

        @return string version id
        """
        return API_VERSION

    getVersion = getAPIVersion

    def getSupervisorVersion(self) -> str:
        """ Return the version of the supervisor package in use by supervisord

        @return string version id
        """
        return SUPERVISOR_VERSION

    def getIdentification(self) -> str:
        """ Return identifying string of supervisord

        @return string identifier identifying string
        """
        return self.sup.identifier

    def getState(self) -> dict[str, Any]:
        """ Return current state of supervisord as a struct

        @return struct A struct with keys int statecode, string statename
        """
        return {"statecode": int(self.sup.state), "statename": self.sup.state.name}

    def getPID(self) -> int:
        """ Return the PID of supervisord

        @return int PID
        """
        return os.getpid()

    def readLog(self, offset: int, length: int) -> str:
        """ Read length bytes from the main log starting at offset

        @param int offset         offset to start reading from.
        @param int length         number of bytes to read from the log.
        @return string result     Bytes of log
        """
        self._update()
        path = self.sup.log.path
        if not path or not os.path.exists(path):
            # With logfile=syslog supervisord names that value, as if it were a file.
            raise RPCError("NO_FILE", path or ("syslog" if self.sup.log.syslog else None))
        try:
            return read_slice(path, int(offset), int(length)).decode("utf-8", "replace")
        except ValueError as exc:
            raise RPCError(str(exc)) from None

    readMainLog = readLog

    def clearLog(self) -> bool:
        """ Clear the main log.

        @return boolean result always returns True unless error
        """
        self._update()
        path = self.sup.log.path
        if not path or not os.path.exists(path):
            raise RPCError("NO_FILE")
        try:
            os.remove(path)
        except OSError:
            raise RPCError("FAILED") from None
        self.sup.log.reopen()
        self.sup.log.info("reopening log file")
        return True

    def shutdown(self) -> bool:
        """ Shut down the supervisor process

        @return boolean result always returns True unless error
        """
        self._update()
        self.sup.shutdown()
        return True

    def restart(self) -> bool:
        """ Restart the supervisor process

        @return boolean result  always return True unless error
        """
        self._update()
        errors = self.sup.restart()
        if errors:
            # Nothing was stopped: the running configuration stays (supervisord would exit).
            raise RPCError("CANT_REREAD", "\n".join(errors))
        return True

    # -- configuration -------------------------------------------------------------------------

    def reloadConfig(self) -> list[list[list[str]]]:
        """
        Reload the configuration.

        The result contains three arrays containing names of process
        groups:

        * `added` gives the process groups that have been added
        * `changed` gives the process groups whose contents have
          changed
        * `removed` gives the process groups that are no longer
          in the configuration

        @return array result  [[added, changed, removed]]

        """
        self._update()
        try:
            added, changed, removed = self.sup.reread()
        except ValueError as exc:
            raise RPCError("CANT_REREAD", exc) from None
        return [[added, changed, removed]]

    def addProcessGroup(self, name: str) -> bool:
        """ Update the config for a running process from config file.

        @param string name         name of process group to add
        @return boolean result     true if successful
        """
        self._update()
        ok = self.sup.add_group(name)
        if ok is None:
            raise RPCError("BAD_NAME", name)
        if not ok:
            raise RPCError("ALREADY_ADDED", name)
        return True

    def removeProcessGroup(self, name: str) -> bool:
        """ Remove a stopped process from the active configuration.

        @param string name         name of process group to remove
        @return boolean result     Indicates whether the removal was successful
        """
        self._update()
        if name not in self.sup.groups:
            raise RPCError("BAD_NAME", name)
        if not self.sup.remove_group(name):
            raise RPCError("STILL_RUNNING", name)
        return True
