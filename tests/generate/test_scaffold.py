"""Program and group scaffolds: what supervisord 4.3.0 and svtool read from them."""

from __future__ import annotations

import dataclasses
import pwd
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from supervisor_tools.errors import SvtoolError
from supervisor_tools.generate.scaffold import (
    ProgramRequest,
    group_section,
    program_section,
    runs_through_shell,
)
from tests.generate.helpers import (
    lint_errors,
    process_configs,
    supervisor_load,
    svtool_load,
    with_fragments,
)

USERS = sorted({pwd.getpwuid(0).pw_name, *(p.pw_name for p in pwd.getpwall()[:5])})
NAMES_RE = r"[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,11}"
names = st.from_regex(NAMES_RE, fullmatch=True)
env_keys = st.from_regex(r"[A-Z_][A-Z0-9_]{0,5}", fullmatch=True)
env_values = st.lists(st.sampled_from(["v", "x y", ",", "%", "=", ":", "/", "$", "#"]),
                      max_size=5).map("".join)
envs = st.dictionaries(env_keys, env_values, max_size=3)
clean_commands = st.sampled_from([
    "/bin/cat", "/usr/bin/python3 -m http.server 8000", "sh -c 'exec sleep 100'",
    "bash /srv/app/run.sh", "/srv/app/start.sh --port 5000", "env FOO=1 bash -c 'x'",
    "/usr/bin/printf 100%% %(program_name)s-%(process_num)d",
])


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="svtool-scaffold-") as d:
        (Path(d) / "logs").mkdir()
        yield Path(d)


def expected_names(req: ProgramRequest) -> list[str]:
    if req.numprocs == 1:
        return [req.name]
    return [f"{req.name}_{i:02d}" for i in range(req.numprocs)]


def expected_text(req: ProgramRequest, text: str, num: int) -> str:
    """`text` after supervisord expands the names the test strategies use."""
    return text.replace("%(program_name)s", req.name).replace("%(process_num)d", str(num))


def check_loads(req: ProgramRequest, root: Path) -> dict[str, Any]:
    """Load the scaffold with supervisord and svtool; returns supervisord's process configs."""
    text = program_section(req)
    main = with_fragments(root, {req.name: text})
    procs = process_configs(supervisor_load(main))
    assert sorted(procs) == sorted(expected_names(req))
    for num, name in enumerate(expected_names(req)):
        p = procs[name]
        assert p.redirect_stderr is True
        assert p.stopasgroup == p.killasgroup
        assert p.stdout_logfile_maxbytes > 0 and p.stdout_logfile_backups > 0
        if req.stopasgroup is not None:
            assert p.stopasgroup is req.stopasgroup
        if req.user is not None:
            assert p.uid == pwd.getpwnam(req.user).pw_uid
        if req.directory is not None:
            assert p.directory == expected_text(req, req.directory, num)
    for fragment in (True, None):
        result = svtool_load(main if fragment is None else root / "conf.d" / f"{req.name}.conf",
                             fragment=fragment)
        assert result.ok, result.errors
        assert not result.warnings, result.warnings
    assert lint_errors(main) == []
    assert lint_errors(root / "conf.d" / f"{req.name}.conf") == []
    return procs


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=names, command=clean_commands, numprocs=st.integers(1, 3),
       user=st.none() | st.sampled_from(USERS), directory=st.sampled_from([None, "/srv/a b"]),
       env=envs, autorestart=st.sampled_from(["unexpected", "true", "false", "No"]),
       priority=st.none() | st.integers(-10, 1000), use_logdir=st.booleans(),
       stopasgroup=st.sampled_from([None, True, False]))
def test_clean_requests_load_in_supervisord_and_svtool(
        workdir: Path, name: str, command: str, numprocs: int, user: str | None,
        directory: str | None, env: dict[str, str], autorestart: str, priority: int | None,
        use_logdir: bool, stopasgroup: bool | None) -> None:
    req = ProgramRequest(name, command, numprocs, user, directory,
                         tuple(f"{k}={v}" for k, v in env.items()), autorestart, priority,
                         str(workdir / "logs") if use_logdir else None, stopasgroup)
    procs = check_loads(req, workdir)
    for num, pname in enumerate(expected_names(req)):
        p = procs[pname]
        assert p.command == expected_text(req, req.command, num)
        assert {k: p.environment[k] for k in env} == env
        if use_logdir:
            assert p.stdout_logfile == str(workdir / "logs" / f"{pname}.log")
        if req.stopasgroup is None:
            assert p.stopasgroup is runs_through_shell(command)
        if priority is not None:
            assert p.priority == priority


good_pieces = st.sampled_from(["/bin/echo", "a", "a b", "%", "%%", "%(program_name)s",
                               "%(process_num)d", ";", "#", "sh -c", "é", "'x y'", "$X"])
bad_pieces = st.sampled_from([" ", "%(nope)s", " ;", " #", "'", '"', "\t", "\n"])
hairy_pieces = st.one_of(*[good_pieces] * 8, bad_pieces)
hairy = st.lists(hairy_pieces, min_size=0, max_size=6).map("".join)
BAD = {"name": st.text(st.sampled_from("ab: /%é,[\t"), max_size=4),
       "numprocs": st.integers(-1, 0), "autorestart": st.sampled_from(["maybe", ""])}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), command=hairy, directory=st.none() | hairy.map(lambda d: "/" + d),
       env=st.lists(hairy.map(lambda v: "K=" + v) | hairy, max_size=2))
def test_any_request_is_refused_or_loads_as_asked(
        workdir: Path, data: st.DataObject, command: str, directory: str | None,
        env: list[str]) -> None:
    # Mostly one hairy command/directory/env at a time; now and then a bad flag as well.
    bad = data.draw(st.sampled_from([None, None, None, None, "name", "numprocs", "autorestart"]))
    fields: dict[str, Any] = {"name": "web", "numprocs": data.draw(st.integers(1, 3)),
                              "autorestart": "unexpected"}
    if bad is not None:
        fields[bad] = data.draw(BAD[bad])
    req = ProgramRequest(command=command, directory=directory, env=tuple(env), **fields)
    try:
        program_section(req)
    except SvtoolError as exc:
        event("refused: " + str(exc).split(":")[0][:25])
        return
    event("generated")
    procs = check_loads(req, workdir)
    for num, pname in enumerate(expected_names(req)):
        assert procs[pname].command == expected_text(req, req.command, num)


@pytest.mark.parametrize(("command", "shell"), [
    ("/bin/cat", False), ("sh -c 'exec x'", True), ("/bin/bash -lc x", True),
    ("/srv/run.sh", True), ("env -i A=1 bash x", True), ("/usr/bin/env python3 x", False),
    ("gunicorn app:app", False),
])
def test_shell_detection(command: str, shell: bool) -> None:
    assert runs_through_shell(command) is shell
    text = program_section(ProgramRequest("p", command))
    assert ("stopasgroup=true" in text) is shell
    assert ("killasgroup=true" in text) is shell


def test_numprocs_gives_each_process_its_own_name_and_log(workdir: Path) -> None:
    req = ProgramRequest("w", "/bin/cat", numprocs=3, logdir=str(workdir / "logs"))
    procs = check_loads(req, workdir)
    assert sorted(p.stdout_logfile for p in procs.values()) == [
        str(workdir / "logs" / f"w_0{i}.log") for i in range(3)]


@pytest.mark.parametrize(("change", "message"), [
    ({"numprocs": 0}, "--numprocs 0"),
    ({"name": "a:b"}, "':' is not allowed"),
    ({"name": "a b"}, "' ' is not allowed"),
    ({"name": ""}, "must not be empty"),
    ({"env": ("NOEQ",)}, "expected KEY=VALUE"),
    ({"command": "sh -c 'a ; b'"}, "comment"),
    ({"command": "echo 'unbalanced"}, "No closing quotation"),
    ({"command": "  "}, "must not be empty"),
    ({"autorestart": "sometimes"}, "--autorestart"),
    ({"directory": "relative/dir"}, "absolute"),
    ({"logdir": "logs"}, "absolute"),
    ({"user": "a b"}, "--user"),
])
def test_bad_requests_say_why(change: dict[str, Any], message: str) -> None:
    req = dataclasses.replace(ProgramRequest("p", "/bin/cat"), **change)
    with pytest.raises(SvtoolError, match=message):
        program_section(req)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(group=names, members=st.lists(names, min_size=1, max_size=4, unique=True),
       priority=st.none() | st.integers(-5, 999))
def test_groups_load_with_their_programs(workdir: Path, group: str, members: list[str],
                                         priority: int | None) -> None:
    fragments = {m: program_section(ProgramRequest(m, "/bin/cat")) for m in members}
    fragments["zz-group"] = group_section(group, ", ".join(members), priority)
    options = supervisor_load(with_fragments(workdir, fragments))
    groups = {g.name: g for g in options.process_group_configs}
    assert list(groups) == [group]
    assert [p.name for p in groups[group].process_configs] == members
    if priority is not None:
        assert groups[group].priority == priority
    main = with_fragments(workdir, fragments)
    result = svtool_load(main)
    assert result.ok, result.errors
    assert lint_errors(main) == []


@pytest.mark.parametrize(("name", "programs", "message"), [
    ("g", "", "at least one"), ("g", "a,,b", "empty program name"), ("g", "a,a", "twice"),
    ("g h", "a", "' ' is not allowed"), ("g", "a:b", "':' is not allowed"),
])
def test_bad_groups_say_why(name: str, programs: str, message: str) -> None:
    with pytest.raises(SvtoolError, match=message):
        group_section(name, programs)
