"""`svtool lint - --stdin-filename conf.d/x.conf`: the buffer is checked inside the main config
that includes that file, in place of the file on disk (as an editor's unsaved buffer is)."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from supervisor_tools.cli import cli


def lint_stdin(root: Path, name: str, text: str) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(cli, ["lint", "-", "--stdin-filename", name,
                                          "--no-settings"], input=text,
                                    catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout


def test_stdin_fragment_is_read_in_place_of_the_included_file(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "conf.d").mkdir()
    # the program the group needs is defined only in the main config, not beside the fragment
    (tmp_path / "supervisord.conf").write_text(
        "[supervisord]\nlogfile=/tmp/x.log\n\n[program:api]\ncommand=/bin/cat\n\n"
        "[include]\nfiles=conf.d/*.conf\n")
    (tmp_path / "conf.d" / "site.conf").write_text("[group:site]\nprograms=api\n")
    assert lint_stdin(tmp_path, "conf.d/site.conf", "[group:site]\nprograms=api\n") == \
        (0, "All checks passed.\n")
    code, out = lint_stdin(tmp_path, "conf.d/site.conf", "[group:site]\nprograms=api,ghost\n")
    assert code == 1
    assert out.startswith("conf.d/site.conf:2:10: SV108 error ")
    assert "'ghost'" in out and "'api'" not in out
    # the main config itself is not reported on: only the buffer's own findings
    assert "supervisord.conf" not in out
