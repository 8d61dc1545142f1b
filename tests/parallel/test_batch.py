"""Trees parsed in a forked child come back identical, errors included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_tools.errors import SvtoolError
from supervisor_tools.model import load
from supervisor_tools.model.show import model_json
from supervisor_tools.parallel import batch, transport
from supervisor_tools.parallel.batch import Batch
from supervisor_tools.parallel.fork import NO_FORKS, Forks
from supervisor_tools.syntax.ast import Document
from supervisor_tools.syntax.parser import parse, read_file

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted(str(p) for p in (ROOT / "fixtures").rglob("*.conf"))
LINES = ["[a]\n", " [b] ;c\n", "k = v\n", "K2: v ;c\n", "  more\n", "\n", "  \n", ";c\n",
         "  # c\n", "junk\n", "=v\n", "  cont ; x\n", "[DEFAULT]\n", "x = a\r\n", "y = %(here)s"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=20).map("".join))
def test_encode_decode_round_trip(text: str) -> None:
    doc = parse(text, "conf.d/x.conf")
    assert transport.decode(transport.encode(doc)) == doc


def _outcome(result: object) -> object:
    if isinstance(result, SvtoolError):
        return ("error", result.message, result.span)
    return result


FORKS = Forks(True)


def test_split_reading_equals_reading_in_turn(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    if not FORKS.available():
        pytest.fail("this test needs two cores to exercise the forked path")
    bad = tmp_path / "latin1.conf"
    bad.write_bytes(b"[program:x]\ncommand = caf\xe9\n")
    paths = FIXTURES + [str(bad), str(tmp_path / "missing.conf"), str(tmp_path)]
    monkeypatch.setattr(batch, "MIN_FILES", 1)
    split = [_outcome(r) for r in Batch(FORKS).read_files(paths)]
    expected = []
    for path in paths:
        try:
            expected.append(_outcome(read_file(path)))
        except SvtoolError as exc:
            expected.append(_outcome(exc))
    assert len(split) == len(paths) > 100
    assert split == expected
    assert all(isinstance(x, tuple) for x in split[-3:])
    # bytes the caller already has are parsed as the file would be
    contents = {p: Path(p).read_bytes() for p in paths if Path(p).is_file()}
    assert [_outcome(r) for r in Batch(FORKS).read_files(paths, contents)] == expected


def test_load_is_the_same_with_the_parse_split(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    confd = tmp_path / "conf.d"
    confd.mkdir()
    for i in range(40):
        (confd / f"p{i:02d}.conf").write_text(
            f"[program:p{i}]\ncommand = /bin/cat %(here)s/{i}\n"
            + ("numprocs = 2\n" if i % 3 == 0 else "")  # an error every third file
            + ("[DEFAULT]\nstartsecs = 2\n" if i == 7 else ""))
    (confd / "p05.conf").write_bytes(b"[program:p5]\ncommand = \xff\n")
    main = tmp_path / "supervisord.conf"
    main.write_text("[supervisord]\n[include]\nfiles = conf.d/*.conf conf.d/p1*.conf\n")

    def outcome() -> tuple[object, ...]:
        r = load(str(main), host_checks=False, parse_files=Batch(FORKS).read_files)
        return (r.errors, r.warnings, model_json(r.model), [d.path for d in r.documents])

    monkeypatch.setattr(batch, "MIN_FILES", 10**9)
    serial = outcome()
    monkeypatch.setattr(batch, "MIN_FILES", 1)
    assert outcome() == serial
    assert len(serial[0]) > 10


def _tree(tmp_path: Path, n: int) -> Path:
    confd = tmp_path / "conf.d"
    confd.mkdir()
    for i in range(n):
        (confd / f"p{i:03d}.conf").write_text(f"[program:p{i}]\ncommand = /bin/cat {i}\n")
    (confd / "p007.conf").write_bytes(b"[program:p7]\ncommand = \xff\n")
    main = tmp_path / "supervisord.conf"
    main.write_text("[supervisord]\n[include]\nfiles = conf.d/*.conf conf.d/p00*.conf\n")
    return main


def test_read_ahead_results_are_what_parsing_gives(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    monkeypatch.setattr(batch, "MIN_FILES", 1)
    main = _tree(tmp_path, 30)
    ahead = Batch(FORKS)
    ahead.read_ahead_includes(str(main))
    assert ahead.reading_ahead  # started
    files = sorted(str(p) for p in (tmp_path / "conf.d").glob("*.conf"))
    wanted = files + files[:5]  # a file asked for twice comes back twice
    got = [_outcome(r) for r in ahead.read_files(wanted)]
    assert not ahead.reading_ahead  # used once
    monkeypatch.setattr(batch, "MIN_FILES", 10**9)
    assert got == [_outcome(r) for r in ahead.read_files(wanted)]
    assert isinstance(got[7], tuple)  # the undecodable file's error made the trip too


def test_read_ahead_is_used_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # after --fix rewrites a file, reading it again must see the new text
    monkeypatch.setattr(batch, "MIN_FILES", 1)
    main = _tree(tmp_path, 10)
    ahead = Batch(FORKS)
    ahead.read_ahead_includes(str(main))
    last = str(tmp_path / "conf.d/p009.conf")
    first = ahead.read_files([last])[0]
    Path(last).write_text("[program:changed]\ncommand = /bin/true\n")
    again = ahead.read_files([last])[0]
    assert isinstance(first, Document) and isinstance(again, Document)
    assert [s.name for s in again.sections] == ["program:changed"] != \
        [s.name for s in first.sections]


def test_include_patterns_with_expansions_are_left_to_the_loader(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(batch, "MIN_FILES", 1)
    main = _tree(tmp_path, 5)
    main.write_text("[supervisord]\n[include]\nfiles = %(here)s/conf.d/*.conf\n")
    ahead = Batch(FORKS)
    ahead.read_ahead_includes(str(main))
    assert not ahead.reading_ahead


def test_forking_is_off_unless_a_command_turns_it_on(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # a long-lived process (the runtime reaps with waitpid(-1)) must not get unknown children
    monkeypatch.setattr(batch, "MIN_FILES", 1)
    assert not NO_FORKS.available()
    assert Batch().forks is NO_FORKS
    main = _tree(tmp_path, 10)
    ahead = Batch()
    ahead.read_ahead_includes(str(main))
    assert not ahead.reading_ahead
    with pytest.raises(AssertionError, match="not allowed"):
        NO_FORKS.start(lambda: b"")
    code = ("from supervisor_tools.parallel.fork import Forks, cores\n"
            "assert Forks(True).available() == (cores() >= 2)\n")
    subprocess.run([sys.executable, "-c", code], check=True)
