"""Rules that consult the machine svtool runs on: the opt-in `host` group.

supervisord looks users, directories, factories and environment variables up on the machine
it runs on. Whether they exist where the linter runs says nothing about a config meant for
another machine, so these rules run only when selected (`--select host`, or `host-checks =
true` in the settings), for a lint on the target machine itself. Without them the loader
looks no user, directory or module up, and every value stays what the config says (an unset
variable keeps its `%(ENV_X)s` reference), so the other rules judge the config as written.
"""

from __future__ import annotations

from supervisor_tools.errors import Severity
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Report, rule
from supervisor_tools.lint.rules.loader import report_loader

E = Severity.ERROR


@rule("SV116", "host-user", E, "a user or group that does not exist on this machine",
      codes=("host-user",), rejected=True, host=True,
      options=("user", "chown", "socket_owner"))
def host_user(ctx: Context, report: Report) -> None:
    """supervisord looks users and groups up when it reads the file; an unknown name stops it.
    This check consults the machine svtool runs on, so it belongs to the opt-in `host` group:
    select it (`--select host`, or `host-checks = true` in the settings) when linting on the
    machine the config is for.

    Failing:

        [program:web]
        command = /usr/bin/web
        user = no-such-user-here

    Passing:

        [program:web]
        command = /usr/bin/web
        user = nobody
    """
    report_loader(ctx, report)


@rule("SV117", "host-path", E, "a directory that does not exist on this machine",
      codes=("host-path",), rejected=True, host=True,
      options=("logfile", "pidfile", "childlogdir", "directory", "stdout_logfile",
               "stderr_logfile"))
def host_path(ctx: Context, report: Report) -> None:
    """supervisord checks that log and pid file directories (and `[supervisord] directory`,
    `childlogdir`) exist when it reads the file. This check consults the machine svtool runs
    on, so it belongs to the opt-in `host` group: select it (`--select host`, or
    `host-checks = true` in the settings) when linting on the machine the config is for.

    Whether it runs or not, the path stays what the config says for every other rule (a
    shared log file, SV247, is found in a directory this machine lacks).

    Failing:

        [program:web]
        command = /usr/bin/web
        stdout_logfile = /no/such/dir/web.log

    Passing:

        [program:web]
        command = /usr/bin/web
        stdout_logfile = /var/log/web.log
    """
    report_loader(ctx, report)


@rule("SV118", "import", E, "a factory or result handler that cannot be imported",
      codes=("import",), rejected=True, host=True,
      options=("supervisor.rpcinterface_factory", "result_handler"))
def import_error(ctx: Context, report: Report) -> None:
    """supervisord imports `[rpcinterface:x]` factories and event listener `result_handler`s
    when it reads the file. This check imports them in svtool's Python, so it belongs to the
    opt-in `host` group: select it (`--select host`, or `host-checks = true` in the settings)
    when linting on the machine the config is for.

    Failing:

        [rpcinterface:supervisor]
        supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterfac

    Passing:

        [rpcinterface:supervisor]
        supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
    """
    report_loader(ctx, report)


@rule("SV119", "env-unset", E, "an %(ENV_X)s variable that is not set on this machine",
      codes=("env-unset",), rejected=True, host=True)
def env_unset(ctx: Context, report: Report) -> None:
    """supervisord expands `%(ENV_X)s` from its own environment when it reads the file; if X is
    not set there it refuses the file ("contains names ('ENV_X') which cannot be expanded").

    Whether X is set where svtool runs says nothing about the machine the config is for, so
    this check belongs to the opt-in `host` group: select it (`--select host`, or
    `host-checks = true` in the settings) when linting on that machine, with supervisord's
    environment. By default the reference stays in the value as written and the rest of the
    config is linted as usual; a name that is not an environment variable (`%(nme)s`) is an
    error in the config either way (SV104).

    Failing (where SVTOOL_EXAMPLE_PORT is not set):

        [program:web]
        command = /usr/bin/web --port %(ENV_SVTOOL_EXAMPLE_PORT)s

    Passing:

        [program:web]
        command = /usr/bin/web --port 8080
    """
    report_loader(ctx, report)
