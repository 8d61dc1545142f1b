"""supervisord's command splitting, with how each character was quoted."""

from __future__ import annotations

import shlex

from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_tools.lint import commandline as cl
from supervisor_tools.options import command

CMD_TEXT = st.text(alphabet="ab/-=\"' \t\r\n\x0b\\;&|<>$é", max_size=20)


def _posix(text: str) -> tuple[str, ...] | None:
    try:
        return tuple(shlex.split(text))
    except ValueError:
        return None


@settings(max_examples=1500, deadline=None)
@given(CMD_TEXT)
def test_words_split_as_supervisord_does(text: str) -> None:
    command._quoted.cache_clear()
    got = cl.words(text)
    assert (None if got is None else tuple(w.text for w in got)) == _posix(text)
    for word in got or []:
        assert len(word.how) == len(word.text) and set(word.how) <= set("usde")


def test_words_tell_quoted_text_from_bare_text() -> None:
    got = cl.words("""run --x='a && b' "$HOME" c\\;d $USER""")
    assert got is not None
    assert [w.text for w in got] == ["run", "--x=a && b", "$HOME", "c;d", "$USER"]
    assert got[1].bare() == "--x=" + "\0" * 6
    assert got[2].bare() == "\0" * 5 and got[2].bare("se") == "$HOME"
    assert got[3].bare() == "c\0d"
    assert got[4].bare() == "$USER"


def test_script_arguments_behind_wrappers() -> None:
    def scripts(command: str) -> list[str]:
        args = cl.argv(command) or []
        return [args[i] for i in sorted(cl.script_arguments(args))]

    assert scripts("sh -c 'a && b'") == ["a && b"]
    assert scripts("/usr/bin/tini -- /bin/bash -lc 'a | b' x") == ["a | b"]
    assert scripts("su www-data -s /bin/sh -c 'cd /srv && ./run'") == ["cd /srv && ./run"]
    assert scripts("flock /run/lock -c 'a; b'") == ["a; b"]
    assert scripts("/usr/bin/web -c /etc/web.conf") == []
    assert scripts("bash /srv/run.sh -c x") == []
