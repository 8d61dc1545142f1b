"""to-kubernetes and to-compose: golden output, offline validation of every fixture and seed,
svtool's own checks, the mapping and its docs, and the command line."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from kubernetes_validate import utils as kv  # type: ignore[import-untyped]

from supervisor_tools.cli import cli
from supervisor_tools.convert import compose_map, kubernetes_map
from supervisor_tools.convert.compose_out import to_compose
from supervisor_tools.convert.kubernetes_map import NEWEST, OLDEST, version_text
from supervisor_tools.convert.kubernetes_out import KubeOptions, to_kubernetes
from supervisor_tools.convert.source import load_for_conversion
from supervisor_tools.errors import ConfigErrors
from supervisor_tools.options.table import options_for

from .helpers import FIXTURES, GOLDEN, REPO, UPDATE, check_golden
from .orchestra import (
    check_compose,
    compose_problems,
    kubernetes_validate,
    manifest_problems,
)
from .test_to_systemd import CONFIGS, SEED_FILES

GOLDEN_INPUTS = CONFIGS + SEED_FILES
VALID = REPO / "fixtures" / "configs" / "valid"
WILD = (REPO / ".." / "shared" / "wild-configs").resolve()


def _loadable(paths: list[Path]) -> list[Path]:
    out = []
    for path in paths:
        try:
            result = load_for_conversion(rel(path))
        except ConfigErrors:
            continue
        if result.model.processes():
            out.append(path)
    return out


def rel(path: Path) -> str:
    return os.path.relpath(path, REPO)


# Every fixture that loads and runs a process, every loadable seed, and the real configs of
# ../shared/wild-configs (each case's files, fragments included).
FIXTURE_CONFIGS = _loadable(sorted({*GOLDEN_INPUTS, *VALID.glob("*.conf"),
                                    *VALID.glob("*/main.conf"),
                                    REPO / "fixtures" / "demo" / "supervisord.conf",
                                    *WILD.glob("cases/*/*")}))


def warnings_text(items: list[Any], word: str = "warning") -> str:
    return "".join(f"{i.span}: {word}: {i.message}\n" for i in items).replace(f"{REPO}/", "")


def kube(path: Path, version: tuple[int, int] = NEWEST) -> Any:
    return to_kubernetes(load_for_conversion(rel(path)).model,
                         KubeOptions(image="registry.example/app:1", version=version))


def exports(version: tuple[int, int]) -> list[tuple[Path, Any]]:
    out = []
    for path in FIXTURE_CONFIGS:
        try:
            out.append((path, kube(path, version)))
        except ConfigErrors:
            continue  # a command that does not split: refused, as tested below
    return out


def test_the_fixture_corpus_is_broad() -> None:
    assert len([p for p in FIXTURE_CONFIGS if p.is_relative_to(WILD)]) > 150
    assert len(FIXTURE_CONFIGS) > 250
    assert len(exports(NEWEST)) > 250


@pytest.mark.parametrize("path", GOLDEN_INPUTS, ids=lambda p: p.name)
def test_golden_manifests_and_warnings(path: Path) -> None:
    conv = kube(path)
    check_golden(GOLDEN / "to-kubernetes" / f"{path.stem}.yaml", conv.stream())
    check_golden(GOLDEN / "to-kubernetes" / f"{path.stem}.warnings",
                 warnings_text(conv.notes, "note") + warnings_text(conv.lost))


@pytest.mark.parametrize("path", GOLDEN_INPUTS, ids=lambda p: p.name)
def test_golden_compose_and_warnings(path: Path) -> None:
    conv = to_compose(load_for_conversion(rel(path)).model, "registry.example/app:1")
    check_golden(GOLDEN / "to-compose" / f"{path.stem}.yaml", conv.text())
    check_golden(GOLDEN / "to-compose" / f"{path.stem}.warnings",
                 warnings_text(conv.notes, "note") + warnings_text(conv.lost))


def test_the_versions_are_the_validators_oldest_and_newest() -> None:
    versions = sorted({tuple(int(x) for x in v.split(".")[:2]) for v in kv.all_versions()})
    assert versions[0] == OLDEST
    assert tuple(int(x) for x in kv.latest_version().split(".")[:2]) == NEWEST


@pytest.mark.parametrize("version", [OLDEST, NEWEST], ids=version_text)
def test_every_fixture_and_seed_validates_for_kubernetes(version: tuple[int, int],
                                                         tmp_path: Path) -> None:
    files = []
    problems = []
    for i, (path, conv) in enumerate(exports(version)):
        target = tmp_path / f"{i:03d}-{path.stem}.yaml"
        target.write_text(conv.stream(), encoding="utf-8")
        files.append(target)
        problems += [f"{path.name}: {p}" for o in conv.objects for p in manifest_problems(o)]
    result = kubernetes_validate(files, f"{version_text(version)}.0")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert problems == []


def test_every_fixture_and_seed_validates_for_compose(tmp_path: Path) -> None:
    files = []
    problems = []
    for i, path in enumerate(FIXTURE_CONFIGS):
        try:
            conv = to_compose(load_for_conversion(rel(path)).model, "registry.example/app:1")
        except ConfigErrors:
            continue
        target = tmp_path / f"{i:03d}-{path.stem}.yaml"
        target.write_text(conv.text(), encoding="utf-8")
        files.append(target)
        problems += [f"{path.name}: {p}" for p in compose_problems(yaml.safe_load(conv.text()))]
    assert len(files) > 100
    result = check_compose(files)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert problems == []


def test_the_validators_refuse_what_is_wrong(tmp_path: Path) -> None:
    conv = kube(FIXTURES / "configs" / "full.conf")
    obj = conv.objects[0]
    obj["spec"]["template"]["spec"]["containers"][0]["workDir"] = "/srv"  # a misspelt field
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(obj), encoding="utf-8")
    assert kubernetes_validate([bad], "1.37.0").returncode != 0
    bad.write_text("services:\n  web:\n    image: x\n    stop_grace_period: [1]\n")
    assert check_compose([bad]).returncode != 0
    obj = kube(FIXTURES / "configs" / "full.conf").objects[0]
    obj["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] = "other"
    obj["metadata"]["name"] = "Web_1"
    assert len(manifest_problems(obj)) == 2


def test_kube_version_chooses_fields() -> None:
    full = FIXTURES / "configs" / "full.conf"
    new = kube(full, (1, 34)).stream()
    assert "stopSignal: SIGINT" in new
    old = kube(full, (1, 32))
    assert "stopSignal" not in old.stream()
    assert any("stopsignal=INT: lifecycle.stopSignal needs Kubernetes 1.33" in i.message
               for i in old.lost)
    at_33 = kube(full, (1, 33)).stream()
    assert "stopSignal: SIGINT" in at_33
    assert "restartPolicyRules" in new and "restartPolicyRules" not in at_33
    assert any(i.message.startswith("[program:web] autorestart=unexpected: a Deployment "
                                    "restarts its container after every exit")
               for i in kube(full, (1, 33)).lost)
    # before the pod index label, the processes of a StatefulSet become workloads of their own
    kinds = [(o["kind"], o["metadata"]["name"]) for o in kube(full, (1, 27)).objects]
    assert ("Deployment", "worker-01") in kinds and ("StatefulSet", "worker") not in kinds


def test_statefulset_gives_each_pod_its_process_number() -> None:
    objs = {o["metadata"]["name"]: o for o in kube(FIXTURES / "configs" / "full.conf").objects}
    sts = objs["worker"]
    assert sts["kind"] == "StatefulSet"
    assert sts["spec"]["ordinals"] == {"start": 1} and sts["spec"]["replicas"] == 3
    c = sts["spec"]["template"]["spec"]["containers"][0]
    assert c["env"][0] == {"name": "SVTOOL_PROCESS_NUM", "valueFrom": {"fieldRef": {
        "fieldPath": "metadata.labels['apps.kubernetes.io/pod-index']"}}}
    assert c["args"][-1] == "$(SVTOOL_PROCESS_NUM)"


def write(tmp_path: Path, text: str, name: str = "app.conf") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_controllers_labels_names_and_dollars(tmp_path: Path) -> None:
    conf = write(tmp_path, "[program:Web_App]\ncommand=/bin/echo '$(HOME)' $$x\nnumprocs=2\n"
                 "process_name=%(program_name)s_%(process_num)s\n"
                 "[program:once]\ncommand=/bin/true\nautorestart=false\nexitcodes=0,3\n"
                 "[program:off]\ncommand=/bin/true\nautostart=false\n"
                 "[group:Back_End]\nprograms=once,off\n")
    conv = to_kubernetes(load_for_conversion(str(conf)).model, KubeOptions(
        image="img", images={"once": "other:2"}, namespace="prod"))
    objs = {o["metadata"]["name"]: o for o in conv.objects}
    web = objs["web-app"]
    assert web["kind"] == "Deployment" and web["spec"]["replicas"] == 2
    assert web["metadata"]["namespace"] == "prod"
    # Kubernetes expands $(NAME) and reads $$ as $
    assert web["spec"]["template"]["spec"]["containers"][0]["args"] == ["$$(HOME)", "$$$x"]
    once = objs["once"]
    assert once["kind"] == "Job"
    assert once["spec"]["template"]["spec"]["containers"][0]["image"] == "other:2"
    assert once["spec"]["podFailurePolicy"]["rules"][0]["onExitCodes"]["values"] == [3]
    assert once["metadata"]["labels"]["app.kubernetes.io/part-of"] == "back-end"
    assert objs["off"]["spec"]["replicas"] == 0
    assert [n.message for n in conv.notes] == [
        "program:Web_App is named 'web-app' (a name must be a DNS-1123 label: a-z, 0-9 and -)"]
    assert conv.notes[0].span.line == 1


def test_cli_strict_writes_nothing_and_reports_positions(tmp_path: Path) -> None:
    conf = write(tmp_path, "[program:a]\ncommand=/bin/cat\numask=022\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["to-kubernetes", str(conf), "--image", "x", "-o", str(out),
                                      "--strict"])
    assert result.exit_code == 1
    assert f"{conf}:3:7: error: [program:a] umask=022: Kubernetes sets no umask (--strict)" \
        in result.output
    assert not out.exists()
    result = CliRunner().invoke(cli, ["to-compose", str(conf), "--image", "x", "-o",
                                      str(tmp_path / "c.yaml"), "--strict"])
    assert result.exit_code == 1 and not (tmp_path / "c.yaml").exists()


def test_cli_writes_one_file_per_object(tmp_path: Path) -> None:
    conf = write(tmp_path, "[program:a]\ncommand=/bin/cat\n[program:b]\ncommand=/bin/cat\n"
                 "autorestart=false\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["to-kubernetes", str(conf), "--image", "x", "-o", str(out),
                                      "--strict"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["a-deployment.yaml", "b-job.yaml"]
    assert yaml.safe_load((out / "b-job.yaml").read_text())["kind"] == "Job"
    result = CliRunner().invoke(cli, ["to-compose", str(conf), "--image", "x"])
    assert result.exit_code == 0
    assert set(yaml.safe_load(result.output)["services"]) == {"a", "b"}


@pytest.mark.parametrize("command", ["to-kubernetes", "to-compose"])
def test_cli_bad_input_is_one_positioned_line(command: str, tmp_path: Path) -> None:
    bad = write(tmp_path, "[program:a]\ncommand=/bin/sh -c \"oops\n")
    out = tmp_path / "out.yaml"
    result = CliRunner().invoke(cli, [command, str(bad), "--image", "x", "-o", str(out)])
    assert result.exit_code == 2
    assert result.output == (f"{bad}:2:9: [program:a] command '/bin/sh -c \"oops' cannot be "
                             "split: No closing quotation\n")
    assert not out.exists()
    broken = write(tmp_path, "[program:a]\nautostart=maybe\ncommand=x\n", "broken.conf")
    result = CliRunner().invoke(cli, [command, str(broken), "--image", "x"])
    assert result.exit_code == 2 and re.match(rf"{broken}:2:\d+: ", result.output)
    empty = write(tmp_path, "[supervisord]\n", "empty.conf")
    result = CliRunner().invoke(cli, [command, str(empty), "--image", "x"])
    assert result.exit_code == 0
    assert result.output == f"svtool: {empty} has no programs to convert\n"
    result = CliRunner().invoke(cli, [command, str(bad), "--image", "nope=x", "--image", "y"])
    assert result.exit_code == 2 and "the config has no program 'nope'" in result.output


def test_cli_refuses_an_unknown_version_and_namespace(tmp_path: Path) -> None:
    conf = write(tmp_path, "[program:a]\ncommand=/bin/cat\n")
    for args in (["--kube-version", "1.24"], ["--kube-version", "x"], ["--namespace", "A_b"]):
        result = CliRunner().invoke(cli, ["to-kubernetes", str(conf), "--image", "x", *args])
        assert result.exit_code == 2, args
        assert result.output.count("\n") == 1


@pytest.mark.parametrize("module", [kubernetes_map, compose_map], ids=["kubernetes", "compose"])
def test_every_option_has_a_decision_that_says_how_or_why(module: Any) -> None:
    known: set[str] = set()
    for kind in ("program", "eventlistener", "fcgi-program"):
        missing = set(options_for(kind)) - set(module.MAPPING)
        assert not missing, f"{kind}: no decision for {sorted(missing)}"
        known |= set(options_for(kind))
    assert set(module.MAPPING) <= known
    assert set(module.GROUP_MAPPING) == set(options_for("group"))
    for name, d in [*module.MAPPING.items(), *module.GROUP_MAPPING.items()]:
        assert d.note, name
        assert d.kind == "lost" or d.field, name


START, END = "<!-- mapping:start -->\n", "<!-- mapping:end -->\n"


@pytest.mark.parametrize("module,page", [(kubernetes_map, "kubernetes.md"),
                                         (compose_map, "compose.md")], ids=["kube", "compose"])
def test_docs_show_the_mapping_table(module: Any, page: str) -> None:
    doc = REPO / "docs" / page
    text = doc.read_text(encoding="utf-8")
    table = module.markdown_table()
    if UPDATE:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: START + table + END,
                      text, flags=re.S)
        doc.write_text(text, encoding="utf-8")
    assert START + table + END in text, f"docs/{page} is stale: SVTOOL_UPDATE_GOLDEN=1"


def test_env_names_older_kubernetes_refuses_are_reported(tmp_path: Path) -> None:
    conf = write(tmp_path, "[program:a]\ncommand=/bin/cat\nenvironment=OK=\"1\",a/b=\"2\"\n")
    model = load_for_conversion(str(conf)).model
    old = to_kubernetes(model, KubeOptions(image="x", version=(1, 31)))
    env = old.objects[0]["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "OK", "value": "1"}]
    assert [str(i) for i in old.lost] == [
        f"{conf}:3:13: warning: [program:a] environment variable 'a/b': Kubernetes before 1.32 "
        "refuses the name (letters, digits, - . _); left out"]
    new = to_kubernetes(model, KubeOptions(image="x", version=(1, 32)))
    assert not new.lost
