"""User and group lookups: one module reads passwd and group, by name or by number."""

from __future__ import annotations

import grp
import os
import pwd
import re
from pathlib import Path

import pytest

from supervisor_tools.options import users

PACKAGE = Path(__file__).resolve().parents[2] / "supervisor_tools"


def test_text_of_decimal_digits_is_an_id_anything_else_a_name() -> None:
    me = pwd.getpwuid(os.getuid())
    assert users.passwd(str(me.pw_uid)) == users.passwd(me.pw_uid) == me
    assert users.passwd(me.pw_name) == me
    mine = grp.getgrgid(os.getgid())
    assert users.group(str(mine.gr_gid)) == users.group(mine.gr_gid) == mine
    assert users.group(mine.gr_name) == mine


def test_an_unknown_entry_is_a_key_error_even_when_it_looks_like_a_number() -> None:
    # "²" is a digit to str.isdigit but not a number to int(): it is looked up as a name
    for text in ("no-such-user-here", "²", "-1"):
        with pytest.raises(KeyError):
            users.passwd(text)
        with pytest.raises(KeyError):
            users.group(text)


def test_member_gids_are_the_groups_that_list_the_user() -> None:
    me = pwd.getpwuid(os.getuid())
    want = {g.gr_gid for g in grp.getgrall() if me.pw_name in g.gr_mem}
    assert set(users.member_gids(me)) == want


def test_no_other_module_reads_passwd_or_group() -> None:
    lookup = re.compile(r"\b(pwd|grp)\.(getpw|getgr)|^\s*import (pwd|grp)\b", re.M)
    found = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                   if lookup.search(p.read_text()))
    assert found == ["options/users.py"]
