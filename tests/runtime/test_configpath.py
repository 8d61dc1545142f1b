"""The config search both `svtool run` and `svtool ctl` use when no -c is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from supervisor_tools.runtime import configpath


def test_the_working_directory_comes_before_its_etc(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "a" / "b"
    (work / "etc").mkdir(parents=True)
    monkeypatch.chdir(work)
    (work / "etc" / "supervisord.conf").write_text("[supervisord]\n")
    assert configpath.search() == "./etc/supervisord.conf"
    (work / "supervisord.conf").write_text("[supervisord]\n")
    assert configpath.search() == "./supervisord.conf"
    (tmp_path / "a" / "supervisord.conf").write_text("[supervisord]\n")
    assert configpath.search() == "../supervisord.conf"
