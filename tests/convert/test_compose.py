"""to-compose: what each option becomes, and what is reported."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from supervisor_tools.cli import cli
from supervisor_tools.convert.compose_out import to_compose
from supervisor_tools.convert.source import load_for_conversion

CONF = """[supervisord]
environment=TZ="UTC"
[program:Web_App]
command=/usr/bin/app --price '$5' "a b"
directory=/srv
user=www-data
stopsignal=QUIT
stopwaitsecs=20
autorestart=true
numprocs=2
process_name=%(program_name)s_%(process_num)s
[program:slot]
command=/usr/bin/slot %(process_num)02d
numprocs=2
numprocs_start=1
process_name=%(program_name)s_%(process_num)s
autostart=false
exitcodes=0,2
[program:once]
command=/bin/true
autorestart=false
[group:Back_End]
programs=once
"""


def test_what_each_option_becomes(tmp_path: Path) -> None:
    conf = tmp_path / "supervisord.conf"
    conf.write_text(CONF, encoding="utf-8")
    conv = to_compose(load_for_conversion(str(conf)).model, "img", {"once": "other:1"})
    s = conv.services
    assert set(s) == {"web-app", "slot-1", "slot-2", "once"}
    web = s["web-app"]
    assert web["entrypoint"] == ["/usr/bin/app"]
    assert web["command"] == ["--price", "$$5", "a b"]  # Compose reads $$ as $
    assert web["environment"] == {"TZ": "UTC"}
    assert (web["working_dir"], web["user"], web["restart"]) == ("/srv", "www-data", "always")
    assert (web["stop_signal"], web["stop_grace_period"]) == ("SIGQUIT", "20s")
    assert web["deploy"] == {"replicas": 2}
    assert s["slot-1"]["command"] == ["01"] and s["slot-2"]["command"] == ["02"]
    assert s["slot-1"]["deploy"] == {"replicas": 0} and s["slot-1"]["restart"] == "on-failure"
    assert s["slot-2"]["labels"]["dev.svtool.process"] == "slot_2"
    assert s["once"]["restart"] == "no" and s["once"]["image"] == "other:1"
    assert s["once"]["labels"]["app.kubernetes.io/part-of"] == "back-end"
    assert [str(i) for i in conv.lost] == [
        f"{conf}:18:11: warning: [program:slot] exitcodes=0,2: Compose restarts on any non-zero "
        "exit (on-failure); it cannot tell expected exit codes"]
    assert [n.message.split(" (")[0] for n in conv.notes] == [
        "program:Web_App is named 'web-app'",
        "process slot_1 of [program:slot] is named 'slot-1'",
        "process slot_2 of [program:slot] is named 'slot-2'"]


def test_cli_writes_the_file_atomically(tmp_path: Path) -> None:
    conf = tmp_path / "supervisord.conf"
    conf.write_text("[program:a]\ncommand=/bin/cat\n", encoding="utf-8")
    out = tmp_path / "compose.yaml"
    out.write_text("old")
    out.chmod(0o640)
    result = CliRunner().invoke(cli, ["to-compose", "-c", str(conf), "--image", "x", "-o",
                                      str(out)])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(out.read_text())["services"]["a"]["image"] == "x"
    assert out.stat().st_mode & 0o777 == 0o640


def test_the_supervisor_user_is_every_program_s_user(tmp_path: Path) -> None:
    from supervisor_tools.convert.kubernetes_out import KubeOptions, to_kubernetes

    conf = tmp_path / "supervisord.conf"
    conf.write_text("[supervisord]\nuser=1000\n[program:a]\ncommand=/bin/cat\n"
                    "[program:b]\ncommand=/bin/cat\nuser=www-data\n", encoding="utf-8")
    model = load_for_conversion(str(conf)).model
    services = to_compose(model, "img").services
    assert (services["a"]["user"], services["b"]["user"]) == ("1000", "www-data")
    kube = to_kubernetes(model, KubeOptions(image="img"))
    a, b = (o["spec"]["template"]["spec"]["containers"][0] for o in kube.objects)
    assert a["securityContext"] == {"runAsUser": 1000} and "securityContext" not in b
    assert [str(i) for i in kube.lost] == [
        f"{conf}:7:6: warning: [program:b] user=www-data: Kubernetes runs as a numeric user id "
        "(runAsUser); a user name is resolved by no one"]
