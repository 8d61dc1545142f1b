"""The plain functions behind `svtool echo-conf` and `svtool docs`; each returns an exit code."""

from __future__ import annotations

from pathlib import Path

from supervisor_tools.errors import SvtoolError
from supervisor_tools.exitcodes import OK
from supervisor_tools.files import emit
from supervisor_tools.generate.scaffold import ProgramRequest, group_section, program_section


def echo_conf_command(*, minimal: bool, directory: str | None, output: str | None) -> int:
    """The full annotated sample, or with `minimal` a working config under `directory`."""
    from supervisor_tools.generate import sample

    if minimal and directory is None:
        raise SvtoolError("--minimal needs --dir DIR: the directory for the socket, pid file "
                          "and logs")
    if directory is None:
        emit(sample.full_sample(), output)
        return OK
    text = sample.minimal_config(directory, None if output in (None, "-") else output)
    sample.make_minimal_dirs(directory)
    emit(text, output)
    return OK


def echo_program_command(request: ProgramRequest, output: str | None) -> int:
    emit(program_section(request), output)
    return OK


def echo_group_command(name: str, programs: str, priority: int | None,
                       output: str | None) -> int:
    emit(group_section(name, programs, priority), output)
    return OK


def docs_command(output: str | None, check: bool) -> int:
    """Print docs/options.md, write it to `output`, or with `check` compare `output` to it."""
    from supervisor_tools.generate.docs import check as check_file
    from supervisor_tools.generate.docs import lint_rules, options_markdown

    text = options_markdown(lint_rules())
    if check:
        if output is None:
            raise SvtoolError("--check needs -o FILE, the page to compare")
        return check_file(Path(output), text)
    emit(text, output)
    return OK
