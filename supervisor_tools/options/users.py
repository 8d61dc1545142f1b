"""Users and groups of this machine: the one place svtool reads the passwd and group databases.

A config names a user or group by name or by number. As in supervisord (`name_to_uid`,
`drop_privileges`), text that `int()` reads is an id (`1000`, `+1000`, ` 1000 `) and anything
else a name. KeyError when the machine has no such entry, also for an id outside the range the C
library takes (the `grp` module raises OverflowError for those, which is still "no such group").
"""

from __future__ import annotations

import grp
import pwd


def number(text: str) -> int | None:
    """The id a user or group value names, or None when it is a name (as supervisord's int())."""
    try:
        return int(text)
    except ValueError:
        return None


def passwd(user: str | int) -> pwd.struct_passwd:
    """The passwd entry of a uid, or of a user given as text (a number: a uid, else a name)."""
    uid = user if isinstance(user, int) else number(user)
    try:
        return pwd.getpwnam(user) if uid is None else pwd.getpwuid(uid)  # type: ignore[arg-type]
    except OverflowError:
        raise KeyError(f"no such user: {user}") from None


def group(name: str | int) -> grp.struct_group:
    """The group entry of a gid, or of a group given as text (a number: a gid, else a name)."""
    gid = name if isinstance(name, int) else number(name)
    try:
        return grp.getgrnam(name) if gid is None else grp.getgrgid(gid)  # type: ignore[arg-type]
    except OverflowError:
        raise KeyError(f"no such group: {name}") from None


def member_gids(pw: pwd.struct_passwd) -> tuple[int, ...]:
    """The gids of the groups that list `pw`'s user as a member (its supplementary groups)."""
    return tuple(g.gr_gid for g in grp.getgrall() if pw.pw_name in g.gr_mem)
