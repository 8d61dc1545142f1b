"""The YAML form in an editor: `svtool to-yaml` points `$schema=` at the schema this
installation ships, the real yaml-language-server (npm, `make yaml-language-server`) resolves
it offline and checks files against it, and the schema, `from-yaml` and the hover text agree on
what `autostart: yes`, `on` and `"yes"` mean."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import jsonschema
import pytest
import pytest_lsp
import yaml
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from supervisor_tools.convert.schema import SHIPPED, build_schema, shipped_uri
from supervisor_tools.convert.yaml_in import from_yaml_text
from supervisor_tools.model import load
from supervisor_tools.options.table import spec

ROOT = Path(__file__).resolve().parents[2]
YAML_LS = Path(os.environ.get(
    "SVTOOL_YAML_LANGUAGE_SERVER",
    ROOT / ".venv" / "yaml-ls" / "node_modules" / ".bin" / "yaml-language-server"))
WAIT = 60.0
SVTOOL = [sys.executable, "-m", "supervisor_tools"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[str(YAML_LS), "--stdio"]))
async def yaml_client(lsp_client: LanguageClient) -> None:
    assert YAML_LS.exists(), "yaml-language-server is missing: make yaml-language-server"

    @lsp_client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
    def register(params: lsp.RegistrationParams) -> None:
        return None  # accepted: the test client needs nothing more from it

    @lsp_client.feature(lsp.TELEMETRY_EVENT)
    def telemetry(params: Any) -> None:
        return None

    lsp_client.set_configuration(
        {"validate": True, "hover": True, "completion": True, "schemaStore": {"enable": False}},
        section="yaml")
    await lsp_client.initialize_session(lsp.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
        root_uri=ROOT.as_uri(), workspace_folders=[]))
    yield
    await lsp_client.shutdown_session()


def to_yaml(conf: Path, *extra: str) -> str:
    done = subprocess.run([*SVTOOL, "to-yaml", str(conf), *extra], capture_output=True,
                          text=True, timeout=120, check=True)
    return done.stdout


def test_to_yaml_points_at_the_shipped_schema(tmp_path: Path) -> None:
    conf = tmp_path / "web.conf"
    conf.write_text("[program:web]\ncommand=/bin/cat\n")
    first = to_yaml(conf).splitlines()[0]
    assert first == f"# yaml-language-server: $schema={shipped_uri()}"
    url = urlparse(first.split("$schema=", 1)[1])
    assert url.scheme == "file"
    assert Path(unquote(url.path)).read_text() == (ROOT / "schemas" /
                                                   "supervisor.schema.json").read_text()
    chosen = to_yaml(conf, "--schema-url", "../schemas/supervisor.schema.json").splitlines()[0]
    assert chosen == "# yaml-language-server: $schema=../schemas/supervisor.schema.json"


def test_schema_check_outside_a_checkout_names_what_it_compares(tmp_path: Path) -> None:
    done = subprocess.run([*SVTOOL, "schema", "--check"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"{SHIPPED}: the installed package's schema matches the option table\n"
    inside = subprocess.run([*SVTOOL, "schema", "--check"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert (inside.returncode, inside.stderr) == (
        0, "schemas/supervisor.schema.json: matches the option table\n")
    stale = tmp_path / "stale.json"
    stale.write_text("{}\n")
    off = subprocess.run([*SVTOOL, "schema", "--check", "-o", str(stale)], capture_output=True,
                         text=True, timeout=120)
    assert off.returncode == 1 and off.stderr.startswith(f"{stale}: differs from")


async def diagnostics(client: LanguageClient, path: Path, text: str) -> list[lsp.Diagnostic]:
    uri = path.as_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=uri, language_id="yaml", version=1, text=text)))

    async def arrived() -> list[lsp.Diagnostic]:
        while True:
            params = await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
            if params.uri == uri:
                return list(params.diagnostics)

    return await asyncio.wait_for(arrived(), WAIT)


BROKEN = """\
programs:
  web:
    command: /bin/cat
    autostart: maybe
    startsecs: soon
    stopsignals: TERM
"""


@pytest.mark.asyncio
async def test_yaml_language_server_checks_against_the_shipped_schema(
        yaml_client: LanguageClient, tmp_path: Path) -> None:
    conf = tmp_path / "web.conf"
    conf.write_text("[program:web]\ncommand=/bin/cat\nautostart=false\n\n"
                    "[group:site]\nprograms=web\n")
    good = to_yaml(conf)
    assert await diagnostics(yaml_client, tmp_path / "good.yaml", good) == []
    head = good.splitlines()[0] + "\n"
    found = await diagnostics(yaml_client, tmp_path / "broken.yaml", head + BROKEN)
    assert sorted(d.range.start.line for d in found) == [4, 5, 6]
    # and without the $schema= line the server has nothing to check against
    assert await diagnostics(yaml_client, tmp_path / "plain.yaml", BROKEN) == []


# How `autostart:` is written, how YAML 1.1 (PyYAML, from-yaml) and YAML 1.2 (editors) read it.
SPELLINGS = [("yes", True, "yes"), ("on", True, "on"), ('"yes"', "yes", "yes"),
             ("off", False, "off"), ('"No"', "No", "No")]


def validate(value: Any) -> list[str]:
    doc = {"programs": {"web": {"command": "/bin/cat", "autostart": value}}}
    return [e.message for e in jsonschema.Draft202012Validator(build_schema()).iter_errors(doc)]


@pytest.mark.parametrize(("written", "as_11", "as_12"), SPELLINGS)
def test_from_yaml_and_the_schema_agree(tmp_path: Path, written: str, as_11: Any,
                                        as_12: str) -> None:
    text = f"programs:\n  web:\n    command: /bin/cat\n    autostart: {written}\n"
    assert yaml.safe_load(text)["programs"]["web"]["autostart"] == as_11
    assert validate(as_11) == [] and validate(as_12) == []  # valid however it is read
    ini = tmp_path / "out.conf"
    ini.write_text(from_yaml_text(text, "in.yaml"))
    (group,) = load(str(ini), fragment=True).model.groups
    row = spec("program", "autostart")
    assert row is not None
    meaning = row.type.convert(as_12)
    assert group.processes[0].autostart is meaning
    # the hover text (the schema's description, the type's doc) names the word
    assert as_12.lower() in row.type.doc


def test_a_word_supervisord_refuses_is_refused_by_both() -> None:
    assert validate("maybe") != []
    with pytest.raises(Exception, match="maybe"):
        from_yaml_text("programs:\n  web:\n    command: x\n    autostart: maybe\n", "in.yaml")


@pytest.mark.asyncio
async def test_editor_accepts_each_spelling_and_its_hover_says_what_it_means(
        yaml_client: LanguageClient, tmp_path: Path) -> None:
    head = f"# yaml-language-server: $schema={shipped_uri()}\n"
    for n, (written, _, _) in enumerate(SPELLINGS):
        text = f"{head}programs:\n  web:\n    command: /bin/cat\n    autostart: {written}\n"
        path = tmp_path / f"s{n}.yaml"
        assert await diagnostics(yaml_client, path, text) == [], written
    hover = await yaml_client.text_document_hover_async(lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=(tmp_path / "s0.yaml").as_uri()),
        position=lsp.Position(line=4, character=6)))
    assert hover is not None
    shown = hover.contents.value if isinstance(hover.contents, lsp.MarkupContent) \
        else str(hover.contents)
    row = spec("program", "autostart")
    assert row is not None and row.type.doc in shown.replace("\\", "")
