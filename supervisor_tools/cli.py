"""The command line: click parses flags and calls one plain function per command.

Every command returns an exit code through boundary.run, which also decides what a command may
do for speed (short-lived readers: no collector, forks, quick exit). Heavy modules are
imported inside the commands so `svtool --help` starts fast. (fastlint.py parses the commonest
`svtool lint` command lines without importing click; a test holds it to what click parses.)

The options shared by commands mean one thing each (cli_options.py), and every command has a
`short_help` that `svtool --help` shows whole.
"""

from __future__ import annotations

from typing import Any

import click

from supervisor_tools import __version__, boundary
from supervisor_tools.cli_export import to_compose, to_kubernetes
from supervisor_tools.cli_options import (
    config_of,
    config_option,
    format_options,
    lint_options,
    parent_output,
    route_config,
)
from supervisor_tools.cli_options import read as _read
from supervisor_tools.cli_options import run as _run
from supervisor_tools.cli_run import flag as _flag
from supervisor_tools.cli_run import print_version as _supervisord_version
from supervisor_tools.cli_run import value as _value


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="svtool")
def cli() -> None:
    """Lint, convert, generate and run Supervisor (supervisord) configurations."""


# -- foundation commands (show) --


@cli.command(short_help="Print the effective configuration supervisord would run.")
@click.argument("config", required=False)
@config_option()
@format_options("the effective configuration")
@click.option("--fragment", is_flag=True,
              help="The file is a conf.d fragment: do not require [supervisord].")
@click.option("--no-host-checks", is_flag=True,
              help="Do not check users and directories against this machine.")
@click.option("--graph", is_flag=True,
              help="Print the dependency graph instead (docs/dependencies.md).")
@click.option("--mermaid", is_flag=True,
              help="The dependency graph as a Mermaid flowchart (implies --graph).")
def show(config: str | None, config_opt: str | None, output_format: str, as_json: bool,
         fragment: bool, no_host_checks: bool, graph: bool, mermaid: bool) -> None:
    """Print the effective configuration supervisord would run: groups, processes, commands
    and logs, as text or JSON (docs/show-json.md); with --graph, the dependency graph."""
    path = config_of(config, config_opt)
    from supervisor_tools.commands import show_command

    _read(lambda forks: show_command(path, as_json=as_json or output_format == "json",
                                     fragment=fragment, host_checks=not no_host_checks,
                                     graph="mermaid" if mermaid else "text" if graph else None,
                                     forks=forks))

# -- lint commands --


@cli.command(short_help="Report every problem in supervisor configs.")
@lint_options
def lint(**params: Any) -> None:
    """Report every problem in config files, conf.d fragments, directories or globs (- for
    stdin). A fragment is checked inside the main config that includes it, or beside the
    configs of its directory; only the named files' findings are reported."""
    route_config(params)
    from supervisor_tools.lint.command import run_lint

    _read(lambda forks: run_lint(**params, forks=forks))


@cli.command("rule", short_help="Print the documentation of one lint rule (by ID or name).")
@click.argument("rule_id")
def rule_doc(rule_id: str) -> None:
    """Print the documentation of one lint rule (by ID or name)."""
    from supervisor_tools.lint.command import rule_command

    _run(lambda: rule_command(rule_id))


@cli.command("rules", short_help="List every lint rule.")
@format_options("the rules")
def rules_list(output_format: str, as_json: bool) -> None:
    """List every lint rule: ID, severity, whether it fixes, its group, name and summary."""
    from supervisor_tools.lint.command import rules_command

    _run(lambda: rules_command(as_json or output_format == "json"))


# -- converter commands --


@cli.command("to-systemd", short_help="Convert a config or conf.d fragment to systemd units.")
@click.argument("config", type=click.Path(dir_okay=False), required=False)
@config_option(type=click.Path(dir_okay=False))
@click.option("-o", "--output", metavar="DIR",
              help="Write one file per unit into DIR (created if missing) instead of stdout.")
@click.option("--prefix", default="", metavar="NAME", help="Prefix every unit name with NAME.")
@click.option("--user", "user_mode", is_flag=True,
              help="Units for a user service manager (WantedBy=default.target, no User=).")
@click.option("--strict", is_flag=True,
              help="Fail (exit 1, nothing written) when an option cannot be expressed.")
@click.option("--logrotate", metavar="FILE",
              help="Write a logrotate configuration for the log files supervisord rotated "
                   "(- for stdout) instead of reporting their rotation as lost.")
def to_systemd(config: str | None, config_opt: str | None, output: str | None, prefix: str,
               user_mode: bool, strict: bool, logrotate: str | None) -> None:
    """Convert a config or conf.d fragment to systemd units: one .service per program,
    templates for numprocs, targets for groups (docs/systemd.md)."""
    path = config_of(config, config_opt)
    from supervisor_tools.convert.commands import to_systemd_command

    _run(lambda: to_systemd_command(path, output=output, prefix=prefix,
                                    user_mode=user_mode, strict=strict,
                                    logrotate=logrotate))


@cli.command("from-systemd", short_help="Convert systemd units to [program:x] sections.")
@click.argument("units", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", metavar="FILE",
              help="Write the INI to FILE (atomically) instead of stdout.")
@click.option("--strict", is_flag=True,
              help="Fail (exit 1, nothing written) when a directive cannot be expressed.")
def from_systemd(units: tuple[str, ...], output: str | None, strict: bool) -> None:
    """Convert systemd .service (and .target) units, or directories of them, to INI."""
    from supervisor_tools.convert.commands import from_systemd_command

    _run(lambda: from_systemd_command(units, output=output, strict=strict))


@cli.command("to-yaml", short_help="Convert a config or conf.d fragment to svtool's YAML form.")
@click.argument("config", type=click.Path(dir_okay=False), required=False)
@config_option(type=click.Path(dir_okay=False))
@click.option("-o", "--output", metavar="FILE",
              help="Write the YAML to FILE (atomically) instead of stdout.")
@click.option("--all", "all_values", is_flag=True, help="Also write options left at defaults.")
@click.option("--resolved", is_flag=True,
              help="Write %(here)s and %(ENV_X)s expanded as this machine reads them, instead "
                   "of as the config writes them.")
@click.option("--schema-url", metavar="URL",
              help="Where editors find the JSON Schema (the first line's $schema=), e.g. a "
                   "path relative to the output file.")
def to_yaml(config: str | None, config_opt: str | None, output: str | None, all_values: bool,
            resolved: bool, schema_url: str | None) -> None:
    """Convert a config or conf.d fragment to svtool's YAML form (docs/yaml.md)."""
    path = config_of(config, config_opt)
    from supervisor_tools.convert.commands import to_yaml_command

    _run(lambda: to_yaml_command(path, output=output, all_values=all_values,
                                 schema_url=schema_url, resolved=resolved))


@cli.command("from-yaml", short_help="Convert svtool's YAML form to supervisor INI.")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("-o", "--output", metavar="FILE",
              help="Write the INI to FILE (atomically) instead of stdout.")
def from_yaml(path: str, output: str | None) -> None:
    """Validate a YAML config against the schema and convert it to supervisor INI."""
    from supervisor_tools.convert.commands import from_yaml_command

    _run(lambda: from_yaml_command(path, output=output))


@cli.command("schema", short_help="Print the JSON Schema of the YAML form.")
@click.option("-o", "--output", metavar="FILE",
              help="Write the schema to FILE (atomically) instead of stdout.")
@click.option("--check", is_flag=True,
              help="Exit 1 if FILE (default schemas/supervisor.schema.json) is not up to date.")
def schema(output: str | None, check: bool) -> None:
    """Print the JSON Schema of the YAML form, generated from the option table."""
    from supervisor_tools.convert.commands import schema_command

    _run(lambda: schema_command(output=output, check=check))


cli.add_command(to_kubernetes)
cli.add_command(to_compose)


@cli.command("lsp", short_help="Serve editors: a language server on stdin and stdout.")
@click.option("--stdio", is_flag=True, help="Talk over stdin and stdout (the default and only "
              "transport; accepted because editors often pass it).")
def lsp(stdio: bool) -> None:
    """Lint, hover, completion, fixes and go-to-definition for supervisor configs in any
    editor that speaks the Language Server Protocol (docs/editors.md)."""
    from supervisor_tools.lsp.server import serve

    _run(serve)


# -- generator commands --


@cli.group("echo-conf", invoke_without_command=True,
           short_help="Print a sample config, or a program, group or systemd unit.")
@click.option("--minimal", is_flag=True,
              help="A small working config instead of the annotated sample (needs --dir).")
@click.option("--dir", "directory", type=click.Path(file_okay=False),
              help="With --minimal: where the socket, pid file, logs and conf.d live "
                   "(created if missing).")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write to this file (atomically) instead of stdout.")
@click.pass_context
def echo_conf(ctx: click.Context, minimal: bool, directory: str | None,
              output: str | None) -> None:
    """Print a configuration generated from the option table.

    Without a form: the annotated sample with every section and option. With a form (program,
    group): one ready section to save in conf.d.
    """
    if ctx.invoked_subcommand is not None:
        if minimal or directory:
            raise click.UsageError(f"--minimal and --dir do not apply to "
                                   f"`echo-conf {ctx.invoked_subcommand}`")
        return
    from supervisor_tools.generate.commands import echo_conf_command

    _run(lambda: echo_conf_command(minimal=minimal, directory=directory,
                                   output=output))


@echo_conf.command("program", short_help="A ready [program:NAME] section.")
@click.argument("name")
@click.option("--command", "command", required=True, help="The command to run.")
@click.option("--numprocs", type=int, default=1, show_default=True,
              help="How many processes; names get _00, _01, ... when more than 1.")
@click.option("--user", help="Run as this user (supervisord must run as root).")
@click.option("--directory", help="Absolute directory to change into before exec.")
@click.option("--env", "env", multiple=True, metavar="KEY=VALUE",
              help="An environment variable for the program (repeatable).")
@click.option("--autorestart", default="unexpected", show_default=True,
              metavar="unexpected|true|false", help="When to restart after an exit.")
@click.option("--priority", type=int, help="Start order (lower starts first).")
@click.option("--logdir", help="Absolute directory for the stdout log (default: AUTO, "
                               "in supervisord's childlogdir).")
@click.option("--stopasgroup/--no-stopasgroup", default=None,
              help="Signal the whole process group [default: on when the command runs "
                   "through a shell].")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write to this file (atomically) instead of stdout.")
@click.pass_context
def echo_conf_program(ctx: click.Context, name: str, command: str, numprocs: int,
                      user: str | None, directory: str | None, env: tuple[str, ...],
                      autorestart: str, priority: int | None, logdir: str | None,
                      stopasgroup: bool | None, output: str | None) -> None:
    """A ready [program:NAME] section with production defaults."""
    from supervisor_tools.generate.commands import echo_program_command
    from supervisor_tools.generate.scaffold import ProgramRequest

    request = ProgramRequest(name=name, command=command, numprocs=numprocs, user=user,
                             directory=directory, env=env, autorestart=autorestart,
                             priority=priority, logdir=logdir, stopasgroup=stopasgroup)
    _run(lambda: echo_program_command(request, output or parent_output(ctx)))


@echo_conf.command("group", short_help="A [group:NAME] section over existing programs.")
@click.argument("name")
@click.option("--programs", required=True, metavar="A,B,...",
              help="The programs in the group, comma-separated.")
@click.option("--priority", type=int, help="Start order of the group (lower starts first).")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write to this file (atomically) instead of stdout.")
@click.pass_context
def echo_conf_group(ctx: click.Context, name: str, programs: str, priority: int | None,
                    output: str | None) -> None:
    """A [group:NAME] section over existing programs."""
    from supervisor_tools.generate.commands import echo_group_command

    _run(lambda: echo_group_command(name, programs, priority,
                                    output or parent_output(ctx)))


@echo_conf.command("systemd-unit", short_help="A systemd unit that runs `svtool run`.")
@click.option("-c", "--config", "config", required=True,
              help="The supervisord config `svtool run` will run.")
@click.option("--user", "user_mode", is_flag=True,
              help="A unit for the user's service manager (systemctl --user).")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write to this file (atomically) instead of stdout.")
@click.pass_context
def echo_conf_systemd_unit(ctx: click.Context, config: str, user_mode: bool,
                           output: str | None) -> None:
    """A Type=notify systemd unit that runs `svtool run -n -c CONFIG`."""
    from supervisor_tools.convert.supervisor_unit import systemd_unit_command

    _run(lambda: systemd_unit_command(config, user_mode=user_mode,
                                      output=output or parent_output(ctx)))


@cli.command("docs", short_help="Write the option reference (docs/options.md).")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the page to this file (atomically) instead of stdout.")
@click.option("--check", is_flag=True,
              help="Exit 1 if the -o file differs from the generated page; write nothing.")
def docs(output: str | None, check: bool) -> None:
    """Generate the option reference (docs/options.md) from the option table."""
    from supervisor_tools.generate.commands import docs_command

    _run(lambda: docs_command(output, check))


# -- runtime commands --


@cli.command(short_help="Run a config like supervisord (supervisorctl can drive it).",
             context_settings={"help_option_names": ["-h", "--help", "-?"]})
@click.argument("config_arg", metavar="[CONFIG]", required=False,
                type=click.Path(dir_okay=False))
@click.option("-c", "--config", "--configuration", "config", type=click.Path(dir_okay=False),
              metavar="FILE", help="The supervisord configuration file.")
@_flag("-n", "--nodaemon", "Run in the foreground.")
@_flag("-s", "--silent", "No log output to stdout in the foreground.")
@click.option("-v", "--version", is_flag=True, expose_value=False, is_eager=True,
              callback=_supervisord_version, help="Print the supervisord version and exit.")
@_value("-u", "--user", "Run as this user (name or uid; needs root).", "USER")
@_value("-m", "--umask", "The umask of the daemon (default 022).", "UMASK")
@_value("-d", "--directory", "The directory to change to when daemonized.", "DIRECTORY")
@_value("-l", "--logfile", "The main log file (overrides [supervisord] logfile).", "FILE")
@_value("-y", "--logfile_maxbytes", "Rotate the main log at this size.", "BYTES")
@_value("-z", "--logfile_backups", "Rotated main logs to keep.", "NUM")
@_value("-e", "--loglevel", "critical, error, warn, info, debug, trace or blather.", "LEVEL")
@_value("-j", "--pidfile", "Where to write the pid of the supervisor.", "FILE")
@_value("-i", "--identifier", "The identifier reported over XML-RPC.", "STR")
@_value("-q", "--childlogdir", "The directory for AUTO child logs.", "DIRECTORY")
@_flag("-k", "--nocleanup", "Keep old AUTO child logs at start.")
@_value("-a", "--minfds", "File descriptors that must be available at start.", "NUM")
@_flag("-t", "--strip_ansi", "Strip ANSI escape sequences from child output.")
@_value(None, "--minprocs", "Processes that must be available at start.", "NUM")
@click.option("--profile_options", metavar="OPTIONS",
              help="Run under the profiler and print its results, sorted by OPTIONS "
                   "(comma-separated: cumulative, calls, time...; callers lists callers).")
@click.option("--allow-insecure-http", is_flag=True,
              help="Serve [inet_http_server] on a non-loopback address without a password.")
def run(config_arg: str | None, config: str | None, allow_insecure_http: bool,
        profile_options: str | None, **overrides: Any) -> None:
    """Run a configuration like supervisord does (the real supervisorctl can drive it).

    The options are supervisord 4.3.0's, short and long forms, with its meanings (-s is
    --silent, -q is --childlogdir), so a Dockerfile or ExecStart= line swaps supervisord for
    svtool run unchanged: the one command whose -q and -s differ from the rest of svtool.
    """
    from supervisor_tools.runtime.main import RunOptions
    from supervisor_tools.runtime.main import run as run_config

    given = {name: value for name, value in overrides.items()
             if value is not None and value is not False}
    opts = RunOptions(overrides=given, allow_insecure_http=allow_insecure_http,
                      profile_options=profile_options)
    _run(lambda: run_config(config or config_arg, opts))


@cli.command(context_settings={"ignore_unknown_options": True},
             short_help="Control a running supervisor, as supervisorctl does.")
@click.option("-c", "--config", "--configuration", "config", type=click.Path(dir_okay=False),
              metavar="FILE",
              help="Read [supervisorctl] serverurl, username and password from this file.")
@click.option("-s", "--serverurl", help="unix:///path/to.sock or http://host:port.")
@click.option("-u", "--username", help="User name for basic auth.")
@click.option("-p", "--password", help="Password for basic auth.")
@click.option("-i", "--interactive", is_flag=True,
              help="Interactive: ask before shutdown and reload (the shell when no command).")
@click.option("-r", "--history-file", "--history_file", "history_file", metavar="FILE",
              help="Keep the shell's readline history in FILE.")
@format_options("results")
@click.argument("command", required=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def ctl(config: str | None, serverurl: str | None, username: str | None,
        password: str | None, interactive: bool, history_file: str | None, output_format: str,
        as_json: bool, command: str | None, args: tuple[str, ...]) -> None:
    """Control a running supervisor: status, start, stop, restart, signal, pid, tail,
    maintail, clear, fg, avail, reread, update, add, remove, reload, shutdown, version, open,
    help. With no command, supervisorctl's shell: `status`, then one command a line at the
    `supervisor> ` prompt, Tab completing command and process names, until quit or Ctrl-D.

    The answers and exit statuses are supervisorctl's; --format json prints the results as
    JSON instead."""
    from supervisor_tools.runtime.ctl import ctl as run_ctl

    _run(lambda: run_ctl(config, serverurl, username, password, command, list(args),
                         as_json or output_format == "json", interactive=interactive,
                         history_file=history_file))


def main(argv: list[str] | None = None, process: boundary.Process | None = None) -> Any:
    """`svtool`: the command line's commands, in a process svtool owns."""
    return cli.main(args=argv, prog_name="svtool", obj=process or boundary.Process())
