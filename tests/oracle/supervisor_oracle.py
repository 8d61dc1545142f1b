"""Print how supervisord 4.3.0 itself reads a config file, as one JSON object.

Usage: python tests/oracle/supervisor_oracle.py CONFIG_PATH [--fragment] [--env-stdin]

Output on stdout (always exactly one JSON object, exit status 0):
  {"ok": true, "config": {...}, "warnings": [...]}   the shape of docs/show-json.md
  {"ok": false, "error": "<str(exception)>"}         supervisor rejected the file

The config is loaded by supervisor's own `ServerOptions.process_config(do_usage=False)`, plus the
one config check `realize()` adds (the `[supervisord] user` lookup), with none of realize's side
effects (no logger, no daemonizing, no chdir, no path normalisation of logfile/pidfile).

--fragment   CONFIG_PATH is a conf.d fragment: it is read as the only file included from a main
             file whose whole content is an empty `[supervisord]` section plus `[include]`. The
             main file is an in-memory stream, so no file is written and `%(here)s` inside the
             fragment still means the fragment's own directory, exactly as for a real include
             (the name `here`, used by e.g. `%(here)r`, is also set to that directory).
--env-stdin  read a JSON object from stdin and make it the whole process environment before
             supervisor is imported. CPython's locale coercion (PEP 538) adds LC_CTYPE to the
             environment of a process started without a locale; supervisord would see it as
             ENV_LC_CTYPE too, but a differential test wants the environment it asked for.
"""

from __future__ import annotations

import glob
import io
import json
import os
import signal
import sys
from typing import Any


def _parse_args(argv: list[str]) -> tuple[str, bool, bool]:
    flags = {a for a in argv if a.startswith("--")}
    paths = [a for a in argv if not a.startswith("--")]
    unknown = flags - {"--fragment", "--env-stdin"}
    if len(paths) != 1 or unknown:
        sys.stderr.write(__doc__ or "")
        sys.exit(2)
    return paths[0], "--fragment" in flags, "--env-stdin" in flags


CONFIG_PATH, FRAGMENT, ENV_STDIN = _parse_args(sys.argv[1:])
if ENV_STDIN:
    _wanted = json.load(sys.stdin)
    os.environ.clear()
    os.environ.update(_wanted)

# supervisor reads os.environ when its options object is created, so import only now.
from supervisor import datatypes, events, options  # type: ignore[import-untyped]  # noqa: E402
from supervisor.datatypes import (  # type: ignore[import-untyped]  # noqa: E402
    Automatic,
    RestartUnconditionally,
    RestartWhenExitUnexpected,
)
from supervisor.options import (  # type: ignore[import-untyped]  # noqa: E402
    EventListenerPoolConfig,
    FastCGIGroupConfig,
    ProcessGroupConfig,
    ServerOptions,
)

# ---------------------------------------------------------------------------------------------
# Wrappers that record facts supervisor computes but does not keep. Each one calls the original
# and only adds an attribute or remembers a string; none changes a result or an error.
# ---------------------------------------------------------------------------------------------

# 1. The user string before it became a uid. `_processes_from_section` calls
#    `options.name_to_uid(user)` once per program section (before building its processes);
#    the fcgi group-level read also calls it, but before `processes_from_section` starts.
_user_strings: list[str] = []
_original_name_to_uid = options.name_to_uid


def _recording_name_to_uid(name: str) -> int:
    uid: int = _original_name_to_uid(name)
    _user_strings.append(name)
    return uid


options.name_to_uid = _recording_name_to_uid

# 2. Which section each process config came from, and its user string.
_original_processes_from_section = ServerOptions.processes_from_section


def _tagging_processes_from_section(self, parser, section, group_name, klass=None):  # type: ignore[no-untyped-def]
    _user_strings.clear()
    configs = _original_processes_from_section(self, parser, section, group_name, klass)
    user = _user_strings[-1] if _user_strings else None
    for config in configs:
        config.oracle_program = section.split(":", 1)[1].strip()
        config.oracle_user = user if config.uid is not None else None
    return configs


ServerOptions.processes_from_section = _tagging_processes_from_section

# 3. Whether a ProcessGroupConfig came from [group:x]. `process_groups_from_parser` builds the
#    [group:x] groups first, in section order, before any homogeneous group; we list those
#    sections when it starts and tag the matching constructions in that order.
_pending_group_sections: list[str] = []
_original_groups_from_parser = ServerOptions.process_groups_from_parser


def _groups_from_parser(self, parser):  # type: ignore[no-untyped-def]
    _pending_group_sections[:] = [
        s.split(":", 1)[1].strip() for s in parser.sections() if s.startswith("group:")
    ]
    return _original_groups_from_parser(self, parser)


ServerOptions.process_groups_from_parser = _groups_from_parser
_original_group_init = ProcessGroupConfig.__init__


def _group_init(self, options_, name, priority, process_configs):  # type: ignore[no-untyped-def]
    _original_group_init(self, options_, name, priority, process_configs)
    from_group_section = (
        type(self) is ProcessGroupConfig
        and _pending_group_sections
        and _pending_group_sections[0] == name
    )
    if from_group_section:
        _pending_group_sections.pop(0)
    self.oracle_from_group_section = bool(from_group_section)


ProcessGroupConfig.__init__ = _group_init

# 4. The result_handler spec: the listener loop imports it, then builds the pool config with no
#    other import in between, so the pool takes the spec imported last.
_last_spec: list[str] = []
_original_import_spec = ServerOptions.import_spec


def _recording_import_spec(self, spec):  # type: ignore[no-untyped-def]
    obj = _original_import_spec(self, spec)
    _last_spec[:] = [spec]
    return obj


ServerOptions.import_spec = _recording_import_spec
_original_pool_init = EventListenerPoolConfig.__init__


def _pool_init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    _original_pool_init(self, *args, **kwargs)
    self.oracle_result_handler = _last_spec[0] if _last_spec else None


EventListenerPoolConfig.__init__ = _pool_init

# ---------------------------------------------------------------------------------------------
# Conversion of supervisor's objects to the JSON shape of docs/show-json.md
# ---------------------------------------------------------------------------------------------

_LEVEL_NAMES = {
    getattr(options.loggers.LevelsByDescription, n): n
    for n in ("critical", "error", "warn", "info", "debug", "trace", "blather")
}


def _signal_name(num: int) -> str:
    try:
        return signal.Signals(int(num)).name.removeprefix("SIG")
    except ValueError:
        return str(int(num))


def _autorestart(value: Any) -> bool | str:
    if value is RestartUnconditionally:
        return True
    if value is RestartWhenExitUnexpected:
        return "unexpected"
    return False


def _logfile(value: Any) -> str:
    if value is Automatic:
        return "AUTO"
    if value is None or value == "":
        return "NONE"
    return str(value)


def _process(pc: Any, group_name: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": pc.name,
        "program": pc.oracle_program,
        "group": group_name,
        "command": pc.command,
        "directory": pc.directory,
        "user": pc.oracle_user,
        "umask": pc.umask,
        "priority": pc.priority,
        "autostart": pc.autostart,
        "autorestart": _autorestart(pc.autorestart),
        "startsecs": pc.startsecs,
        "startretries": pc.startretries,
        "exitcodes": list(pc.exitcodes),
        "stopsignal": _signal_name(pc.stopsignal),
        "stopwaitsecs": pc.stopwaitsecs,
        "stopasgroup": pc.stopasgroup,
        "killasgroup": pc.killasgroup,
        "redirect_stderr": pc.redirect_stderr,
        "environment": dict(pc.environment or {}),
        "serverurl": pc.serverurl,
    }
    for s in ("stdout", "stderr"):
        out[f"{s}_logfile"] = _logfile(getattr(pc, f"{s}_logfile"))
        for key in (
            "logfile_maxbytes",
            "logfile_backups",
            "capture_maxbytes",
            "events_enabled",
            "syslog",
        ):
            out[f"{s}_{key}"] = getattr(pc, f"{s}_{key}")
    return out


def _group(gc: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": gc.name, "priority": gc.priority}
    if isinstance(gc, EventListenerPoolConfig):
        out["kind"] = "eventlistener"
    elif isinstance(gc, FastCGIGroupConfig):
        out["kind"] = "fcgi-program"
    else:
        out["kind"] = "group" if gc.oracle_from_group_section else "program"
    out["processes"] = [_process(pc, gc.name) for pc in gc.process_configs]
    if out["kind"] == "eventlistener":
        out["events"] = sorted(events.getEventNameByType(e) for e in gc.pool_events)
        out["buffer_size"] = gc.buffer_size
        out["result_handler"] = gc.oracle_result_handler
    elif out["kind"] == "fcgi-program":
        sc = gc.socket_config
        out["socket"] = sc.url
        out["socket_backlog"] = sc.backlog
        out["socket_mode"] = getattr(sc, "mode", None)
    return out


def _server(sc: dict[str, Any]) -> dict[str, Any]:
    if sc["family"] == options.socket.AF_UNIX:
        return {
            "section": sc["section"],
            "kind": "unix",
            "file": sc["file"],
            "chmod": sc["chmod"],
            "username": sc["username"],
            "password": sc["password"],
        }
    return {
        "section": sc["section"],
        "kind": "inet",
        "host": sc["host"],
        "port": sc["port"],
        "username": sc["username"],
        "password": sc["password"],
    }


def _supervisord(section: Any) -> dict[str, Any]:
    return {
        "minfds": section.minfds,
        "minprocs": section.minprocs,
        "directory": section.directory,
        "user": section.user,
        "umask": section.umask,
        "logfile": section.logfile,
        "logfile_maxbytes": section.logfile_maxbytes,
        "logfile_backups": section.logfile_backups,
        "loglevel": _LEVEL_NAMES[section.loglevel],
        "pidfile": section.pidfile,
        "identifier": section.identifier,
        "nodaemon": section.nodaemon,
        "silent": section.silent,
        "childlogdir": section.childlogdir,
        "nocleanup": section.nocleanup,
        "strip_ansi": section.strip_ansi,
        "environment": dict(section.environment),
    }


def _fragment_main(path: str) -> io.StringIO:
    """The in-memory main file that includes `path` and nothing else.

    Its `files` value is %-expanded and glob-matched and split on whitespace by supervisor, so
    `%` is doubled, glob metacharacters are escaped and whitespace becomes `?` (a path with
    whitespace could then also match a sibling file; fixtures avoid such paths).
    """
    pattern = glob.escape(os.path.abspath(path)).replace("%", "%%")
    pattern = "".join("?" if c.isspace() else c for c in pattern)
    return io.StringIO(f"[supervisord]\n[include]\nfiles = {pattern}\n")


def load(path: str, fragment: bool) -> dict[str, Any]:
    opts = ServerOptions()
    opts.configfile = _fragment_main(path) if fragment else path
    if fragment:
        # A stream has no directory, so supervisor would leave the name `here` as None; give it
        # the fragment's directory, which is what the textual %(here)s pass substitutes too.
        opts.here = os.path.dirname(os.path.abspath(path))
    real_stdout = sys.stdout
    sys.stdout = sys.stderr  # nothing supervisor might print may corrupt our JSON
    try:
        opts.process_config(do_usage=False)
        section = opts.configroot.supervisord
        if section.user is not None:
            # realize() resolves [supervisord] user and stops with usage(msg) if unknown
            datatypes.name_to_uid(section.user)
    except Exception as exc:  # any error supervisor raises while reading is a verdict
        return {"ok": False, "error": str(exc)}
    finally:
        sys.stdout = real_stdout
    config = {
        "supervisord": None if fragment else _supervisord(section),
        "groups": [_group(g) for g in opts.process_group_configs],
        "servers": [_server(s) for s in section.server_configs],
    }
    return {"ok": True, "config": config, "warnings": list(opts.parse_warnings)}


def main() -> None:
    result = load(CONFIG_PATH, FRAGMENT)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
