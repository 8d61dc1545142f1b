"""An exec probe runs with the credentials its program gets (`user=`), from the one place
that works them out (runtime/spawn.py)."""

from __future__ import annotations

import grp
import os
import pwd
from pathlib import Path

import pytest

from supervisor_tools.errors import Span
from supervisor_tools.model.model import ProcessConfig
from supervisor_tools.runtime import readiness as rd
from supervisor_tools.runtime.prober import command_plan
from supervisor_tools.runtime.spawn import Credentials, SpawnError, plan
from tests.runtime.test_prober import spec, verdict_of
from tests.runtime.test_readiness_shell import Proc

NOBODY = pwd.getpwnam("nobody")


def member_of_a_group() -> pwd.struct_passwd:
    """A user of this machine that some group lists as a member, else nobody."""
    for g in grp.getgrall():
        for name in g.gr_mem:
            try:
                return pwd.getpwnam(name)
            except KeyError:
                continue
    return NOBODY


def program(user: str | None) -> ProcessConfig:
    return ProcessConfig(name="w", program="w", group="w", kind="program", process_num=0,
                         source=Span.point("x.conf"), command="/bin/cat", user=user)


@pytest.mark.parametrize("supervisor_uid", [0, 4242], ids=["root", "not-root"])
def test_the_probe_gets_the_programs_credentials(monkeypatch: pytest.MonkeyPatch,
                                                 supervisor_uid: int) -> None:
    # Only the choice is made here, nothing is started: the uid the supervisor runs as can
    # be faked, so both cases are checked whoever runs the tests.
    monkeypatch.setattr(os, "getuid", lambda: supervisor_uid)
    pw = member_of_a_group()
    env = {"PATH": "/bin:/usr/bin", "HOME": "/root"}
    if supervisor_uid == 0:
        probe = command_plan("id -u", env, None, pw.pw_name)
        groups = {g.gr_gid for g in grp.getgrall() if pw.pw_name in g.gr_mem}
        assert probe.creds == Credentials(pw.pw_uid, pw.pw_gid,
                                          tuple(sorted({pw.pw_gid, *groups})))
        assert probe.creds == plan(program(pw.pw_name), None).creds  # as the program
        assert not probe.native  # libc's posix_spawn cannot switch user
    else:
        # not root: the switch is impossible for the probe as for the program
        with pytest.raises(SpawnError, match="Can't drop privilege as nonroot user"):
            command_plan("id -u", env, None, pw.pw_name)
        with pytest.raises(SpawnError, match="Can't drop privilege as nonroot user"):
            plan(program(pw.pw_name), None)
        # ...unless the supervisor already runs as that user: then nothing is switched
        monkeypatch.setattr(os, "getuid", lambda: pw.pw_uid)
        for user in (pw.pw_name, str(pw.pw_uid)):
            assert command_plan("id -u", env, None, user).creds is None
    assert command_plan("id -u", env, None, None).creds is None
    probe = command_plan("id -u", env, "/srv/app", None)
    assert (probe.executable, probe.argv, probe.env) == (
        "/bin/sh", ["/bin/sh", "-c", 'cd -- "$0" && eval "$1"', "/srv/app", "id -u"], env)
    with pytest.raises(SpawnError, match="Can't find user 'no-such-user-x'"):
        command_plan("id -u", env, None, "no-such-user-x")


def test_the_readiness_shell_hands_the_user_to_its_probes() -> None:
    ready = rd.Readiness(Proc(user="nobody", readiness_probe_exec="true",
                              liveness_probe_exec="true"))
    assert {k: p.user for k, p in ready.probers.items()} == {"readiness": "nobody",
                                                             "liveness": "nobody"}



def test_a_probe_command_runs_as_the_user(shared_dir: Path) -> None:
    out = shared_dir / "id"
    probe = spec("exec", f'{{ id -u; id -g; id -G; }} > {out}; test "$(id -u)" = {NOBODY.pw_uid}')
    verdict, tally, _ = verdict_of(probe, user=NOBODY.pw_name)
    if os.getuid() == 0:
        assert verdict == "passed", tally
        uid, gid, groups = out.read_text().split("\n")[:3]
        expected = {g.gr_gid for g in grp.getgrall() if NOBODY.pw_name in g.gr_mem}
        assert (int(uid), int(gid)) == (NOBODY.pw_uid, NOBODY.pw_gid)
        assert {int(g) for g in groups.split()} == {NOBODY.pw_gid, *expected}
        # without user= the same command runs as the supervisor's user, and fails its test
        assert verdict_of(probe)[0] == "failed"
    else:
        assert verdict == "failed" and not out.exists()
        assert tally.last_error == "cannot run the command: Can't drop privilege as nonroot user"


def test_the_command_is_planned_once_not_every_period(monkeypatch: pytest.MonkeyPatch) -> None:
    # credentials read the whole group database: once per prober, as once per program
    from supervisor_tools.runtime import prober

    calls: list[str | None] = []
    real = prober.command_plan

    def counted(command: str, env: dict[str, str], directory: str | None,
                user: str | None) -> object:
        calls.append(user)
        return real(command, env, directory, user)

    monkeypatch.setattr(prober, "command_plan", counted)
    verdict, _, _ = verdict_of(spec("exec", "true", success_threshold=3, period=0.1))
    assert verdict == "passed" and calls == [None]
