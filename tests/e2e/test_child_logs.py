"""Child logs end to end: AUTO logs are private, and rotation keeps every byte a child writes.

A real child writes through `svtool run`; supervisord 4.3.0 is the oracle for the AUTO log
mode (mkstemp's 0600, whatever the umask).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from supervisor_tools.runtime.logfile import SPLIT_MARK
from supervisor_tools.runtime.output import BIG_PIPE
from tests.e2e.conftest import Supervisor, pyfile


def auto_logs(tmp: Path, name: str) -> list[Path]:
    return sorted(tmp.glob(f"{name}-std*---*.log*"))


def test_auto_logs_are_readable_by_their_owner_only(sup: Supervisor) -> None:
    talker = pyfile(sup.tmp, "talker", """\
        import sys, time
        print("secret token 1234")
        sys.stderr.write("secret on stderr\\n")
        sys.stderr.flush()
        time.sleep(1000)
        """)
    old = os.umask(0)  # the widest umask: only the mode asked for protects the output
    try:
        sup.start(f"""
            [program:talker]
            command={talker}
            startsecs=0
            """)
    finally:
        os.umask(old)
    sup.wait_state("talker", "RUNNING")
    sup.wait(lambda: len(auto_logs(sup.tmp, "talker")) == 2, 10, "both AUTO logs")
    for path in auto_logs(sup.tmp, "talker"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_rotated_auto_logs_stay_private(svtool: Supervisor) -> None:
    # supervisord re-creates a rotated AUTO log with the umask's mode; svtool keeps 0600.
    writer = pyfile(svtool.tmp, "writer", """\
        for i in range(200):
            print(f"line {i:04d} " + "x" * 40)
        """)
    old = os.umask(0)
    try:
        svtool.start(f"""
            [program:writer]
            command={writer}
            startsecs=0
            autorestart=false
            stdout_logfile_maxbytes=1000
            stdout_logfile_backups=20
            """)
    finally:
        os.umask(old)
    svtool.wait_state("writer", "EXITED")
    logs = [p for p in auto_logs(svtool.tmp, "writer") if "-stdout---" in p.name]
    assert len(logs) > 5  # rotated several times
    for path in logs:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_mixed_output_under_rotation_is_kept_whole(svtool: Supervisor, tmp_path: Path) -> None:
    # Lines, progress redrawn with \r and no newline for a long while, long lines, UTF-8;
    # written in pieces of every size. The child keeps a copy of what it wrote.
    expected = tmp_path / "expected.bin"
    child = pyfile(tmp_path, "mixed", f"""\
        import os, random, time
        rng = random.Random(13)
        out = open({str(expected)!r}, "wb")
        for i in range(1000):
            kind = rng.random()
            if kind < 0.5:
                piece = f"line {{i}} é€ " + "y" * rng.randrange(200) + "\\n"
            elif kind < 0.85:
                piece = "".join(f"\\rprogress {{i}}.{{j}} 😀" for j in range(rng.randrange(1, 60)))
            elif kind < 0.95:
                piece = "".join(f"\\rstep {{i}}.{{j}} 😀" for j in range(rng.randrange(500, 2000)))
            else:
                piece = "z" * rng.randrange(1000, 6000) + ("\\n" if rng.random() < 0.5 else "")
            data = piece.encode()
            out.write(data)
            while data:
                data = data[os.write(1, data[:rng.randrange(1, 4096)]):]
            if i % 200 == 0:
                time.sleep(0.01)
        out.close()
        """)
    log = tmp_path / "mixed.log"
    maxbytes = 16 * 1024
    svtool.start(f"""
        [program:mixed]
        command={child}
        startsecs=0
        autorestart=false
        stdout_logfile={log}
        stdout_logfile_maxbytes={maxbytes}
        stdout_logfile_backups=1000
        """)
    svtool.wait_state("mixed", "EXITED", timeout=60)
    backups = sorted(tmp_path.glob("mixed.log.*"), key=lambda p: -int(p.suffix[1:]))
    joined = b""
    splits = rotations = 0
    for path in backups:
        content = path.read_bytes()
        if content.endswith(SPLIT_MARK):
            content = content[:-len(SPLIT_MARK)]
            assert len(content) <= maxbytes  # split at the bound
            splits += 1
        else:
            assert content.endswith(b"\n")
            assert len(content) < maxbytes + BIG_PIPE  # past it only by one read
            rotations += 1
        assert SPLIT_MARK not in content
        joined += content
    current = log.read_bytes()
    assert len(current) < maxbytes
    assert joined + current == expected.read_bytes()
    assert splits and rotations  # both ways of ending a file happened
