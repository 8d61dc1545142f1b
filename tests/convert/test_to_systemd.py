"""to-systemd: golden units and warnings, systemd-analyze verification, refusal of bad input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from supervisor_tools.cli import cli
from supervisor_tools.convert.source import load_for_conversion
from supervisor_tools.convert.systemd_out import Conversion, SystemdOptions, to_systemd
from supervisor_tools.errors import ConfigErrors

from .helpers import FIXTURES, GOLDEN, REPO, SEEDS, check_golden

# What exists on the machine the golden units are written for: conversions resolve bare
# program names against this, not against the machine running the tests.
FAKE_BINARIES = frozenset({"/usr/bin/python3", "/usr/bin/python", "/bin/sh", "/usr/bin/php-cgi"})


def fake_which(path: str) -> bool:
    return path in FAKE_BINARIES


def convert(path: Path, **kw: object) -> Conversion:
    result = load_for_conversion(str(path.relative_to(REPO)))
    return to_systemd(result.model, SystemdOptions(which=fake_which, **kw))  # type: ignore[arg-type]


def loadable_seeds(with_programs: bool) -> list[Path]:
    """The seed configs svtool loads (some seeds are deliberately broken snippets)."""
    out = []
    for path in sorted(SEEDS.glob("*")):
        if path.suffix not in (".conf", ".ini"):
            continue
        try:
            result = load_for_conversion(str(path))
        except ConfigErrors:
            continue
        if result.model.groups or not with_programs:
            out.append(path)
    return out


CONFIGS = sorted((FIXTURES / "configs").glob("*.conf"))
SEED_FILES = loadable_seeds(with_programs=True)
ALL_SEEDS = loadable_seeds(with_programs=False)
ALL_INPUTS = CONFIGS + SEED_FILES


def render(conv: Conversion) -> str:
    return "".join(f"# {name}\n{text}\n" for name, text in conv.units.items())


def warnings_text(conv: Conversion) -> str:
    # included files are named by absolute path; golden files must not depend on the checkout
    return "".join(f"{item}\n" for item in conv.lost).replace(f"{REPO}/", "")


@pytest.mark.parametrize("path", ALL_INPUTS, ids=lambda p: p.name)
def test_golden_units_and_warnings(path: Path) -> None:
    conv = convert(path)
    check_golden(GOLDEN / "to-systemd" / f"{path.stem}.units", render(conv))
    check_golden(GOLDEN / "to-systemd" / f"{path.stem}.warnings", warnings_text(conv))


@pytest.mark.parametrize("path", ALL_INPUTS, ids=lambda p: p.name)
def test_every_generated_unit_passes_systemd_analyze_verify(
        path: Path, verify: Callable[..., str]) -> None:
    conv = convert(path)
    assert conv.units
    assert verify(conv.units) == ""


def test_seeds_named_in_the_issue_are_covered() -> None:
    names = {p.name for p in SEED_FILES}
    for seed in ("000-nginx.conf", "000-redis.conf", "000-django-app.conf", "000-worker.conf",
                 "003-programs.conf", "004-workers-group.conf"):
        assert seed in names


def test_user_units_pass_verify_for_the_user_manager(verify: Callable[..., str]) -> None:
    conv = convert(FIXTURES / "configs" / "groups.conf", user_mode=True)
    assert "WantedBy=default.target" in conv.units["backend.target"]
    assert verify(conv.units, user=True) == ""


def test_user_mode_reports_user_option_instead_of_writing_it() -> None:
    conv = convert(SEEDS / "000-redis.conf", user_mode=True)
    assert "User=" not in conv.units["redis.service"]
    assert any("user=redis" in item.message and item.span.line == 4 for item in conv.lost)


def test_prefix_names_every_unit_and_reference(verify: Callable[..., str]) -> None:
    conv = convert(FIXTURES / "configs" / "groups.conf", prefix="acme-")
    assert set(conv.units) == {"acme-api.service", "acme-backend.target", "acme-cron.service",
                               "acme-extras.target", "acme-jobs@.service"}
    assert "Wants=acme-api.service acme-jobs@0.service acme-jobs@1.service" in \
        conv.units["acme-backend.target"]
    assert "PartOf=acme-backend.target" in conv.units["acme-jobs@.service"]
    assert verify(conv.units) == ""


def test_a_prefix_systemd_would_refuse_is_refused() -> None:
    result = CliRunner().invoke(cli, ["to-systemd", str(SEEDS / "000-nginx.conf"),
                                      "--prefix", "my app-"])
    assert result.exit_code == 2
    assert "--prefix 'my app-'" in result.output


def test_numprocs_becomes_a_template_with_instances_in_its_target() -> None:
    conv = convert(SEEDS / "000-worker.conf")
    assert set(conv.units) == {"worker@.service", "worker.target"}
    assert "Wants=worker@0.service worker@1.service worker@2.service worker@3.service" in \
        conv.units["worker.target"]


def test_process_num_in_values_becomes_percent_i() -> None:
    unit = convert(FIXTURES / "configs" / "full.conf").units["worker@.service"]
    assert "ExecStart=/usr/bin/python3 /srv/worker.py --slot %i" in unit
    assert "StandardOutput=append:/var/log/worker-%i.log" in unit


def test_fcgi_programs_get_a_socket_unit_passed_as_stdin() -> None:
    units = convert(FIXTURES / "configs" / "fcgi.conf").units
    assert "ListenStream=/run/php/php.sock\nSocketMode=0660\nSocketUser=www-data\n" in \
        units["php.socket"]
    assert "Service=php@0.service" in units["php.socket"]
    assert "Sockets=php.socket\nStandardInput=socket\n" in units["php@.service"]
    assert "ListenStream=127.0.0.1:9000" in units["app.socket"]
    assert "ListenStream=9001" in units["any.socket"]
    assert "[Install]" not in units["any.socket"]


def test_values_percent_i_cannot_express_give_one_file_per_instance() -> None:
    conv = convert(FIXTURES / "configs" / "instances.conf")
    assert "shard@.service" not in conv.units
    assert "--name shard-08" in conv.units["shard@8.service"]
    assert "--name shard-11" in conv.units["shard@11.service"]


def test_lost_options_are_reported_with_their_positions() -> None:
    conv = convert(FIXTURES / "configs" / "lost.conf")
    where = {(item.span.line, item.span.col) for item in conv.lost}
    # directory, syslog next to a file, capture, events, serverurl, env name, events, buffer
    for pos in ((4, 11), (6, 15), (7, 25), (8, 23), (9, 11), (10, 13), (14, 8), (15, 13)):
        assert pos in where, pos


@pytest.mark.parametrize("name", ["unbalanced-quote.conf", "relative-program.conf",
                                  "model-error.conf"])
def test_bad_input_is_refused_with_positions_and_nothing_written(name: str,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "units"
    src = FIXTURES / "invalid" / name
    result = CliRunner().invoke(cli, ["to-systemd", str(src), "-o", str(out)])
    assert result.exit_code == 2
    assert f"{src}:" in result.output
    assert ":2:" in result.output or ":3:" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_command_systemd_cannot_hold_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "nonchar.conf"
    src.write_text("[program:n]\ncommand=/bin/echo \ufdd0\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["to-systemd", str(src)])
    assert result.exit_code == 2
    assert f"{src}:2:9: [program:n] command holds the Unicode noncharacter U+FDD0" in \
        result.output


def test_user_names_systemd_only_warns_about_are_reported(tmp_path: Path) -> None:
    src = tmp_path / "users.conf"
    src.write_text("[program:a]\ncommand=/bin/sh\nuser=first.last\n"
                   "[program:b]\ncommand=/bin/sh\nuser=a/b\n")
    result = CliRunner().invoke(cli, ["to-systemd", str(src)])
    assert result.exit_code == 2
    assert f"{src}:6:6: [program:b] user 'a/b' is a name systemd refuses" in result.output
    src.write_text("[program:a]\ncommand=/bin/sh\nuser=first.last\n")
    result = CliRunner().invoke(cli, ["to-systemd", str(src)])
    assert result.exit_code == 0
    assert f"{src}:3:6: warning: [program:a] user=first.last: systemd accepts" in result.output
    assert "User=first.last" in result.output


def test_strict_turns_lost_options_into_a_failure_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "units"
    src = FIXTURES / "configs" / "lost.conf"
    result = CliRunner().invoke(cli, ["to-systemd", str(src), "-o", str(out), "--strict"])
    assert result.exit_code == 1
    assert f"{src}:4:11: error:" in result.output
    assert not out.exists()


def test_cli_writes_one_file_per_unit(tmp_path: Path) -> None:
    out = tmp_path / "units"
    result = CliRunner().invoke(cli, ["to-systemd", str(SEEDS / "000-worker.conf"),
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["worker.target", "worker@.service"]
    assert "rotates at 50MB" in result.output  # the warnings still go to stderr


def test_cli_prints_units_to_stdout_by_default() -> None:
    result = CliRunner().invoke(cli, ["to-systemd", str(SEEDS / "000-nginx.conf")])
    assert result.exit_code == 0
    assert "# nginx.service\n[Unit]\n" in result.output
    assert 'ExecStart=/usr/local/nginx/sbin/nginx -g "daemon off;"' in result.output


def test_logrotate_snippet_replaces_rotation_warnings() -> None:
    conv = convert(FIXTURES / "configs" / "full.conf", logrotate=True)
    assert not any("rotates at" in item.message for item in conv.lost)
    check_golden(GOLDEN / "to-systemd" / "full.logrotate", conv.logrotate)


def test_strict_passes_when_systemd_can_express_everything(tmp_path: Path) -> None:
    # The seed's nginx with one retry (no growing back-off to lose) and logrotate for its logs.
    src = tmp_path / "nginx.conf"
    src.write_text((SEEDS / "000-nginx.conf").read_text() + "startretries=1\n")
    out, rotate = tmp_path / "units", tmp_path / "svtool.logrotate"
    result = CliRunner().invoke(cli, ["to-systemd", str(src), "-o", str(out), "--strict",
                                      "--logrotate", str(rotate)])
    assert result.exit_code == 0, result.output
    assert "/etc/supervisor/logs/nginx.log /etc/supervisor/logs/nginx-error.log {" in \
        rotate.read_text()
    assert (out / "nginx.service").exists()


def test_the_default_startretries_is_no_loss(tmp_path: Path) -> None:
    # supervisord's default back-off is not something the config asked for
    conv = convert(SEEDS / "000-nginx.conf")
    assert not any("startretries" in item.message for item in conv.lost)
    src = tmp_path / "x.conf"
    src.write_text("[program:x]\ncommand=/bin/cat\n")
    result = CliRunner().invoke(cli, ["to-systemd", "--strict", str(src)])
    assert result.exit_code == 0, result.output
    src.write_text("[program:x]\ncommand=/bin/cat\nstartretries=3\n")
    result = CliRunner().invoke(cli, ["to-systemd", "--strict", str(src)])
    assert result.exit_code == 1
    assert f"{src}:3:14: error: [program:x] startretries=3" in result.output


def test_a_dependency_cycle_is_reported_not_written_as_an_ordering_cycle(
        tmp_path: Path, verify: Callable[..., str]) -> None:
    # systemd-analyze verify refuses an After= cycle; svtool lint reports the cycle (SV280)
    src = tmp_path / "cycle.conf"
    src.write_text("[program:ping]\ncommand=/bin/cat\ndepends_on=pong\n\n"
                   "[program:pong]\ncommand=/bin/cat\ndepends_on=ping\n\n"
                   "[program:web]\ncommand=/bin/cat\ndepends_on=ping\n")
    result = load_for_conversion(str(src))
    conv = to_systemd(result.model, SystemdOptions(which=fake_which))
    assert "After=" not in conv.units["ping.service"] + conv.units["pong.service"]
    assert "After=ping.service" in conv.units["web.service"]
    assert verify(conv.units) == ""
    cycle = [item for item in conv.lost if "dependency cycle" in item.message]
    assert [(item.span.line, item.span.col) for item in cycle] == [(3, 12), (7, 12)]
