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


# as supervisord's int(): signs, surrounding blanks and underscores make a number; an id out of
# the C library's range (grp raises OverflowError for it) is still "no such entry"
ODD_VALUES = ("0", "+0", " 0", "0 ", "0_0", "-5", "-1", str(2**40), "root", "no-such-name-x")


@pytest.mark.parametrize("text", ODD_VALUES)
def test_a_user_value_names_the_uid_supervisord_finds(text: str) -> None:
    from supervisor.datatypes import name_to_uid

    try:
        want: int | None = name_to_uid(text)
    except ValueError:
        want = None
    try:
        got: int | None = users.passwd(text).pw_uid
    except KeyError:
        got = None
    assert got == want


@pytest.mark.parametrize("text", ODD_VALUES)
def test_a_group_value_names_the_gid_supervisord_finds(text: str) -> None:
    from supervisor.datatypes import name_to_gid

    try:
        want: int | None = name_to_gid(text)
    except (ValueError, OverflowError):  # supervisord itself stops on -5 with a traceback
        want = None
    try:
        got: int | None = users.group(text).gr_gid
    except KeyError:
        got = None
    assert got == want


def test_an_id_out_of_range_is_an_unknown_group_in_the_config() -> None:
    from supervisor_tools.options.conversion import ConversionError
    from supervisor_tools.options.hosttypes import group_exists

    with pytest.raises(ConversionError, match="Invalid group id -5"):
        group_exists("-5")
