"""`svtool lint`'s options, declared once as plain records.

cli_options.py builds the click command from them, and fastlint.py parses the plain command
lines from them without importing click (which is a fifth of a cold `svtool lint`), so this
module imports no click either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from supervisor_tools.errors import Severity
from supervisor_tools.lint.output import COLOR_CHOICES
from supervisor_tools.lint.report import FORMATS

# flag: present or not; switch: `--x/--no-x` (flags hold both spellings); choice: one of
# `choices`; multiple: repeatable, values collected in order; value: one string
Kind = Literal["flag", "switch", "choice", "multiple", "value"]
# what click checks a value against on the file system: "file" must not be a directory,
# "existing" must be a readable file
PathCheck = Literal["", "file", "existing"]


@dataclass(frozen=True, slots=True)
class LintOption:
    dest: str  # the parameter's name in cli.lint / run_lint
    flags: tuple[str, ...]
    kind: Kind
    help: str
    default: Any = None
    choices: tuple[str, ...] = ()
    metavar: str | None = None
    path: PathCheck = ""
    show_default: bool = False
    # whether the click-free parser takes it; one it does not leaves the command line to click
    fast: bool = True


# in the order `svtool lint --help` lists them
OPTIONS: tuple[LintOption, ...] = (
    LintOption("output_format", ("--format",), "choice", "Output format.", default="text",
               choices=FORMATS, show_default=True),
    LintOption("output_file", ("-o", "--output", "--output-file"), "value",
               "Write the report to this file (atomically) instead of stdout.", path="file"),
    LintOption("fail_on", ("--fail-on",), "choice",
               "Exit 1 when a finding is at least this severe (default: error).",
               choices=tuple(s.value for s in Severity)),
    LintOption("exit_zero", ("--exit-zero",), "flag",
               "Exit 0 even when there are findings (2 still means unreadable input)."),
    LintOption("quiet", ("-q", "--quiet"), "flag",
               "Only the findings: no source lines, no summary."),
    LintOption("stats", ("--statistics", "--stats"), "flag", "Count findings per rule."),
    LintOption("select", ("--select",), "multiple",
               "Only these rules: IDs, prefixes such as SV2, names, groups (host, strict) or "
               "ALL; comma-separated. Replaces the settings' select.", metavar="RULES"),
    LintOption("extend_select", ("--extend-select",), "multiple",
               "Add these rules to the selection (e.g. strict).", metavar="RULES"),
    LintOption("ignore", ("--ignore",), "multiple", "Leave out these rules.", metavar="RULES"),
    LintOption("host_checks", ("--host-checks", "--no-host-checks"), "switch",
               "Also check users, directories, imports and environment variables against this "
               "machine (the host group; off by default: lint on the target host)."),
    LintOption("target", ("--target",), "choice",
               "What the config must run on: svtool (default) or supervisord, plain 4.3.0, "
               "under which svtool's extension keys and values are findings.",
               choices=("svtool", "supervisord")),
    LintOption("apply_fixes", ("--fix",), "flag", "Apply certain fixes in place."),
    LintOption("show_diff", ("--diff",), "flag", "Print the fixes as a diff; write nothing."),
    # cli.lint decides what -c names (a main config, or a .toml settings file), so a command
    # line with it, or with --settings, is click's
    LintOption("config", ("-c", "--config"), "value",
               "The main supervisord config, as --config-root. A .toml file is taken as the "
               "settings file, as --settings (the old meaning of --config).",
               metavar="FILE", path="file", fast=False),
    LintOption("config_path", ("--settings",), "value",
               "Settings file (default: .svtool.toml or pyproject.toml [tool.svtool]).",
               metavar="FILE", path="file", fast=False),
    LintOption("no_config", ("--no-settings", "--no-config"), "flag", "Ignore settings files."),
    LintOption("show_settings", ("--show-settings",), "flag",
               "Print the resolved settings and the rules they enable, and exit."),
    LintOption("color", ("--color",), "choice",
               "Colour the text report (auto: on a terminal or with FORCE_COLOR set, never with "
               "NO_COLOR set).", default="auto", choices=COLOR_CHOICES, show_default=True),
    LintOption("stdin_filename", ("--stdin-filename",), "value",
               "With - (stdin): the file's name, for positions, per-file settings and "
               "context (stdin is read in its place where a main config includes it).",
               metavar="PATH"),
    LintOption("only_supervisor", ("--only-supervisor",), "flag",
               "Skip files without a supervisor section (an nginx .conf, a tox.ini) unless a "
               "main config includes them; the pre-commit hook's flag."),
    LintOption("config_root", ("--config-root",), "value",
               "The main config: conf.d fragments it includes are checked inside it (default: "
               "a supervisord.conf found above them).", path="existing"),
)


def initial(option: LintOption) -> Any:
    """The parameter's value when the command line does not give the option, as click's."""
    if option.kind == "multiple":
        return []
    if option.kind == "flag":
        return False
    return option.default
