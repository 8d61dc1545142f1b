"""Users and groups of this machine: the one place svtool reads the passwd and group databases.

A config names a user or group by name or by number. Given a number, the entry is looked up by
id; given text, a string of decimal digits is an id and anything else a name. KeyError when the
machine has no such entry.
"""

from __future__ import annotations

import grp
import pwd


def passwd(user: str | int) -> pwd.struct_passwd:
    """The passwd entry of a uid, or of a user given as text (digits: a uid, else a name)."""
    if isinstance(user, int):
        return pwd.getpwuid(user)
    return pwd.getpwuid(int(user)) if user.isdecimal() else pwd.getpwnam(user)


def group(name: str | int) -> grp.struct_group:
    """The group entry of a gid, or of a group given as text (digits: a gid, else a name)."""
    if isinstance(name, int):
        return grp.getgrgid(name)
    return grp.getgrgid(int(name)) if name.isdecimal() else grp.getgrnam(name)


def member_gids(pw: pwd.struct_passwd) -> tuple[int, ...]:
    """The gids of the groups that list `pw`'s user as a member (its supplementary groups)."""
    return tuple(g.gr_gid for g in grp.getgrall() if pw.pw_name in g.gr_mem)
