"""Round trips over generated valid configs.

INI → YAML → INI gives the same model (svtool show --json). INI → systemd → INI keeps every
option systemd can express, and every unit generated on the way passes systemd-analyze.
"""

from __future__ import annotations

import os
import shlex
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, reject, settings
from hypothesis import strategies as st

from supervisor_tools.convert.source import load_for_conversion
from supervisor_tools.convert.systemd_in import from_systemd
from supervisor_tools.convert.systemd_out import SystemdOptions, to_systemd
from supervisor_tools.convert.yaml_in import from_yaml_text
from supervisor_tools.convert.yaml_out import to_yaml
from supervisor_tools.errors import ConfigErrors
from supervisor_tools.ini import quote_words
from supervisor_tools.model import LoadResult, load
from supervisor_tools.model.model import Model, ProcessConfig
from supervisor_tools.model.show import model_json
from tests.oracle import run_oracle

from .helpers import verify_units

PROGRAMS = ("web", "api", "worker", "cron")
GROUPS = ("backend", "jobs")
SIGNALS = ("TERM", "INT", "QUIT", "KILL", "HUP", "USR1")
# Argument text: shell and systemd metacharacters included, and % written %% in the INI.
arg = st.text(st.sampled_from(list("abc XYZ019-_=./:,;#'\"$%\\\té")), min_size=0, max_size=8)
env_value = st.text(st.sampled_from(list("abc XYZ019-_./:,@%'$#;é")), max_size=8)
env_name = st.from_regex(r"[A-Z][A-Z0-9_]{0,4}", fullmatch=True)


@dataclass
class Config:
    sections: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def text(self) -> str:
        return "".join(f"[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in opts.items()) + "\n"
                       for name, opts in self.sections)


@st.composite
def program_options(draw: st.DrawFn, name: str, listener: bool = False) -> dict[str, str]:
    words = [f"/usr/bin/{name}", *draw(st.lists(arg, max_size=4))]
    opts: dict[str, str] = {}
    numprocs = 1 if listener else draw(st.integers(1, 3))
    command = quote_words(words).replace("%", "%%")
    if numprocs > 1:
        command += " --slot %(process_num)s"
        opts["process_name"] = "%(program_name)s_%(process_num)s"
        opts["numprocs"] = str(numprocs)
        start = draw(st.integers(0, 4))
        if start:
            opts["numprocs_start"] = str(start)
    opts["command"] = command
    optional: dict[str, st.SearchStrategy[str]] = {
        "priority": st.sampled_from(["1", "5", "999"]),
        "autostart": st.sampled_from(["true", "false"]),
        "autorestart": st.sampled_from(["true", "false", "unexpected"]),
        "exitcodes": st.lists(st.sampled_from(["0", "1", "2", "255"]), min_size=1,
                              max_size=3, unique=True).map(",".join),
        "startsecs": st.integers(0, 10).map(str),
        "startretries": st.integers(0, 5).map(str),
        "stopsignal": st.sampled_from(SIGNALS),
        "stopwaitsecs": st.integers(1, 60).map(str),
        "user": st.sampled_from(["root", "daemon"]),
        "directory": st.sampled_from(["/srv/app", "/tmp", "/srv/my app"]),
        "umask": st.sampled_from(["022", "002", "077"]),
        "redirect_stderr": st.sampled_from(["true", "false"]),
        "stdout_logfile": st.sampled_from(["AUTO", "NONE", f"/var/log/{name}.log",
                                           f"/var/log/{name} 100%%%%.log"]),
        "stdout_syslog": st.sampled_from(["true", "false"]),
        "stderr_logfile": st.sampled_from(["AUTO", "NONE", f"/var/log/{name}.err"]),
        "environment": st.dictionaries(env_name, env_value, min_size=1, max_size=3).map(
            lambda env: ",".join(f'{k}="{v.replace("%", "%%")}"' for k, v in env.items())),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            opts[key] = draw(strategy)
    if listener:
        opts.pop("redirect_stderr", None)
    mode = draw(st.sampled_from(["", "stop", "kill"]))
    if mode == "stop":
        opts["stopasgroup"] = "true"
    elif mode == "kill":
        opts["killasgroup"] = "true"
    return opts


@st.composite
def configs(draw: st.DrawFn, extras: bool) -> Config:
    cfg = Config()
    if extras and draw(st.booleans()):
        cfg.sections.append(("supervisord", {"environment": 'TZ="UTC",LANG="C.UTF-8"',
                                             "umask": draw(st.sampled_from(["022", "077"])),
                                             "logfile_maxbytes": "1MB"}))
        if draw(st.booleans()):
            cfg.sections.append(("unix_http_server", {"file": "/tmp/svtool-rt.sock",
                                                      "chmod": "0770"}))
        if draw(st.booleans()):
            cfg.sections.append(("inet_http_server", {"port": "127.0.0.1:9001",
                                                      "username": "u", "password": "p%%w"}))
        cfg.sections.append(("rpcinterface:supervisor", {
            "supervisor.rpcinterface_factory": "supervisor.rpcinterface:make_main_rpcinterface"}))
    names = draw(st.lists(st.sampled_from(PROGRAMS), min_size=1, max_size=4, unique=True))
    for name in names:
        cfg.sections.append((f"program:{name}", draw(program_options(name))))
    if draw(st.booleans()):
        fcgi = draw(program_options("php"))
        fcgi["socket"] = draw(st.sampled_from(["unix:///run/php.sock",
                                               "tcp://127.0.0.1:9000"]))
        if fcgi["socket"].startswith("unix:") and draw(st.booleans()):
            fcgi["socket_mode"] = "0660"
            fcgi["socket_owner"] = "www-data:www-data"
        if draw(st.booleans()):
            fcgi["socket_backlog"] = "128"
        cfg.sections.append(("fcgi-program:php", fcgi))
        if extras:  # units keep no socket for an fcgi-program inside a group (reported)
            names = [*names, "php"]
    if len(names) > 1 and draw(st.booleans()):
        members = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names),
                                unique=True))
        group = {"programs": ",".join(members)}
        if draw(st.booleans()):
            group["priority"] = draw(st.sampled_from(["1", "500"]))
        cfg.sections.append((f"group:{draw(st.sampled_from(GROUPS))}", group))
    if extras and draw(st.booleans()):
        listener = draw(program_options("monitor", listener=True))
        listener["events"] = "PROCESS_STATE"
        cfg.sections.append(("eventlistener:monitor", listener))
    return cfg


def strip_sources(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: strip_sources(v) for k, v in data.items() if k != "source"}
    if isinstance(data, list):
        return [strip_sources(v) for v in data]
    return data


def load_generated(path: str) -> LoadResult:
    """The generated config's model; texts configparser reads differently are skipped."""
    try:
        return load_for_conversion(path)
    except ConfigErrors:
        reject()
        raise


def write(tmp: str, name: str, text: str) -> str:
    path = os.path.join(tmp, name)
    Path(path).write_text(text, encoding="utf-8")
    return path


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs(extras=True))
def test_ini_yaml_ini_gives_the_same_model(cfg: Config) -> None:
    with tempfile.TemporaryDirectory(prefix="svtool-rt-") as tmp:
        before = load_generated(write(tmp, "in.conf", cfg.text()))
        ini = from_yaml_text(to_yaml(before), "in.yaml")
        after = load(write(tmp, "out.conf", ini), fragment=before.model.fragment,
                     host_checks=False)
        assert after.ok, [str(e) for e in after.errors]
        assert strip_sources(model_json(after.model)) == strip_sources(model_json(before.model))


def journal(logfile: str, syslog: bool) -> str:
    """Both AUTO and NONE with syslog become the journal (journald forwards to syslog)."""
    return "AUTO" if logfile == "NONE" and syslog else logfile


def expressible(p: ProcessConfig) -> dict[str, Any]:
    """What a process keeps through systemd units (see docs/systemd.md)."""
    return {
        "argv": shlex.split(p.command), "directory": p.directory, "user": p.user,
        "umask": p.umask, "autostart": p.autostart, "autorestart": p.autorestart,
        # 0 not expected only matters (and is only kept) when restarts depend on it
        "exitcodes": sorted(p.exitcodes) if p.autorestart == "unexpected"
        else sorted({0, *p.exitcodes}),
        "startsecs": p.startsecs,
        "startretries": p.startretries, "stopsignal": p.stopsignal,
        "stopwaitsecs": p.stopwaitsecs, "stopasgroup": p.stopasgroup,
        "killasgroup": p.killasgroup, "redirect_stderr": p.redirect_stderr,
        "environment": dict(p.environment),
        "stdout_logfile": journal(p.stdout_logfile, p.stdout_syslog),
        "stderr_logfile": journal(p.stderr_logfile, p.stderr_syslog), "numprocs": p.numprocs,
        "numprocs_start": p.numprocs_start, "group": p.group, "process_num": p.process_num,
    }


def by_program(model: Model) -> dict[tuple[str, int], dict[str, Any]]:
    out = {}
    for g in model.groups:
        for p in g.processes:
            out[(p.program, p.process_num)] = expressible(p)
            if g.kind == "fcgi-program":
                mode = g.socket_mode
                if g.socket and g.socket.startswith("unix:") and mode is None:
                    mode = 0o700  # supervisord's default, written out for systemd
                out[(p.program, p.process_num)].update(
                    socket=g.socket, socket_mode=mode, socket_owner=g.socket_owner,
                    socket_backlog=g.socket_backlog)
    return out


def start_order(model: Model, only: set[str]) -> dict[tuple[str, str], bool]:
    """For each pair of programs, whether supervisord starts the first strictly earlier."""
    keys = {}
    for g in model.groups:
        for p in g.processes:
            keys[p.program] = (g.priority, p.priority)
    return {(a, b): keys[a] < keys[b] for a in keys for b in keys if a in only and b in only}


def flat(model: Model) -> set[str]:
    """Programs whose place in the start order one priority number can hold after the trip.

    systemd keeps one order (After=); supervisord orders by (group priority, priority). A
    [group:x] whose members start at different levels cannot be written back exactly.
    """
    out: set[str] = set()
    for g in model.groups:
        levels = {p.priority for p in g.processes}
        if g.kind != "group" or len(levels) == 1:
            out.update(p.program for p in g.processes)
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs(extras=False))
def test_ini_systemd_ini_keeps_what_systemd_can_express(cfg: Config) -> None:
    with tempfile.TemporaryDirectory(prefix="svtool-rt-") as tmp:
        before = load_generated(write(tmp, "in.conf", cfg.text()))
        conv = to_systemd(before.model, SystemdOptions(which=lambda path: True))
        assert verify_units(conv.units, Path(tmp)) == ""
        unit_dir = Path(tmp) / "units"
        unit_dir.mkdir()
        for name, text in conv.units.items():
            (unit_dir / name).write_text(text, encoding="utf-8")
        back = from_systemd(sorted(str(p) for p in unit_dir.iterdir()))
        after = load(write(tmp, "out.conf", back.text), fragment=True, host_checks=False)
        assert after.ok, [str(e) for e in after.errors]
        assert by_program(after.model) == by_program(before.model)
        only = flat(before.model)
        assert start_order(after.model, only) == start_order(before.model, only)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs(extras=True))
def test_supervisord_reads_ini_yaml_ini_as_the_original(cfg: Config) -> None:
    with tempfile.TemporaryDirectory(prefix="svtool-rt-") as tmp:
        src = write(tmp, "in.conf", cfg.text())
        before = load_generated(src)
        fragment = before.model.fragment
        out = write(tmp, "out.conf", from_yaml_text(to_yaml(before), "in.yaml"))
        original, converted = run_oracle(src, fragment=fragment), run_oracle(out,
                                                                             fragment=fragment)
        event(f"supervisord accepts the generated config: {original['ok']}")
        assert converted["ok"] == original["ok"], (original.get("error"),
                                                   converted.get("error"))
        if original["ok"]:
            assert strip_sources(converted["config"]) == strip_sources(original["config"])
