"""`[supervisord] user=`: the supervisor gives up root before it opens anything.

supervisord switches user first of all, so its own log, the pidfile, the control socket and the
FastCGI sockets are created by (and stay writable for) the user it runs as, across reloads too.
"""

from __future__ import annotations

import importlib
import os

from supervisor_tools.errors import SvtoolError
from supervisor_tools.options import users
from supervisor_tools.runtime import fastspawn
from supervisor_tools.runtime.spawn import SpawnError, credentials

_LOADED_LATER = ("xmlrpc.client", "xml.parsers.expat", "ipaddress", "encodings.idna",
                 "subprocess", "hashlib", "hmac", "base64", "traceback", "urllib.parse",
                 "supervisor_tools.runtime.fcgi", "supervisor_tools.runtime.web.console",
                 "supervisor_tools.runtime.probetls", "queue")

RUNNING_AS_ROOT = ("Supervisor is running as root.  Privileges were not dropped because no user "
                   "is specified in the config file.  If you intend to run as root, you can set "
                   "user=root in the config file to avoid this message.")


def drop_privileges(user: str | None) -> list[tuple[str, str]]:
    """Become `user` (name or uid); (level, message) lines for the main log.

    Raises SvtoolError when the switch is impossible (unknown user, not running as root).
    """
    if not user:
        return [("critical", RUNNING_AS_ROOT)] if os.getuid() == 0 else []
    try:
        uid = users.passwd(user).pw_uid
        creds = credentials(user)
    except (KeyError, ValueError, SpawnError) as exc:
        reason = exc.message if isinstance(exc, SpawnError) else "no such user"
        raise SvtoolError(f"[supervisord] user={user}: {reason}") from exc
    if creds is not None:
        # Modules loaded on first use must be loaded while they can still be read: the
        # interpreter's files may not be readable by the new user.
        for name in _LOADED_LATER:
            importlib.import_module(name)
        fastspawn.available()
        try:
            os.setgroups(list(creds.groups))
            os.setgid(creds.gid)
            os.setuid(creds.uid)
        except OSError as exc:
            raise SvtoolError(f"[supervisord] user={user}: cannot switch user: {exc}") from exc
    return [("info", f"Set uid to user {uid} succeeded")]
