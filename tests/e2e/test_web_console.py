"""The web console in a real browser: headless Chromium (Debian's package) driven by Playwright.

Where Chromium or Playwright is missing these tests fail, saying what to install; they are
never skipped. The browser is Debian's /usr/bin/chromium; Playwright only brings its driver.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import terminate

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
INSTALL_HINT = ("install Debian's chromium package (apt-get install -y chromium) and the "
                "Python playwright package (pip install playwright; its driver is enough, "
                "never `playwright install`)")
USER, PASSWORD = "admin", "s3cret"
EVIL = "x<b>evil<i>"
PAYLOAD = "<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>"
TIMEOUT_MS = 15000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def script(tmp: Path, name: str, code: str) -> str:
    path = tmp / f"{name}.py"
    path.write_text(textwrap.dedent(code))
    return f"{sys.executable} -u {path}"


class Server:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        ticker = script(tmp, "ticker", """
            import sys, time
            n = 0
            while True:
                n += 1
                print(f"tick {n}")
                print(f"err {n}", file=sys.stderr)
                time.sleep(0.2)
            """)
        sleeper = script(tmp, "sleeper", "import time\ntime.sleep(100000)\n")
        evil = script(tmp, "evil", f"""
            import time
            print({PAYLOAD!r})
            time.sleep(100000)
            """)
        self.conf = tmp / "supervisord.conf"
        self.conf.write_text(textwrap.dedent(f"""\
            [inet_http_server]
            port=127.0.0.1:{self.port}
            username={USER}
            password={PASSWORD}

            [supervisord]
            logfile={tmp}/main.log
            pidfile={tmp}/supervisord.pid
            childlogdir={tmp}

            [program:ticker]
            command={ticker}

            [program:sleeper]
            command={sleeper}
            startsecs=0
            stopwaitsecs=5

            [program:pool]
            command={sleeper}
            numprocs=2
            process_name=pool_%(process_num)d
            startsecs=0

            [program:{EVIL}]
            command={evil}
            startsecs=0
            """))
        self.out = tmp / "server.out"
        with open(self.out, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "supervisor_tools", "run", "-n", "-c", str(self.conf)],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=tmp)
        deadline = time.monotonic() + 20
        while True:
            try:
                if all(i["statename"] == "RUNNING" for i in self.rpc().getAllProcessInfo()):
                    break
            except (OSError, xmlrpc.client.Error):
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"svtool run did not come up: {self.out.read_text()}")
            time.sleep(0.1)

    def rpc(self) -> Any:
        proxy = xmlrpc.client.ServerProxy(
            f"http://{USER}:{PASSWORD}@127.0.0.1:{self.port}/RPC2")
        return proxy.supervisor

    def state(self, name: str) -> str:
        return str(self.rpc().getProcessInfo(name)["statename"])

    def stop(self) -> None:
        terminate(self.proc)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("web"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        pytest.fail(f"cannot drive a browser: Python Playwright is missing ({exc}); "
                    f"{INSTALL_HINT}", pytrace=False)
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"cannot drive a browser: {CHROMIUM} does not exist; {INSTALL_HINT}",
                    pytrace=False)
    pw = sync_playwright().start()
    try:
        # launch() gives every run a fresh temporary profile (user-data dir).
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Error as exc:
        pw.stop()
        pytest.fail(f"cannot start {CHROMIUM} headless: {exc}; {INSTALL_HINT}", pytrace=False)
    yield chromium
    chromium.close()
    pw.stop()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    # Without the page's CSP, so the test's own probes can run and the escaping checks below
    # do not lean on the CSP to stop injected markup: the page must not create it at all.
    context = browser.new_context(http_credentials={"username": USER, "password": PASSWORD},
                                  viewport={"width": 1280, "height": 800}, bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    response = pg.goto(server.url)
    assert response is not None and response.status == 200
    pg.wait_for_selector('[data-namespec="ticker"][data-state="RUNNING"]')
    yield pg
    context.close()
    assert not errors, errors


def row(name: str) -> str:
    return f'.proc[data-namespec="{name}"]'


def test_stop_and_start_a_process_by_clicking(page: Any, server: Server) -> None:
    page.click(f'{row("sleeper")} button[data-action="stop"]')
    page.wait_for_selector(f'{row("sleeper")}[data-state="STOPPED"]')
    assert page.text_content(f'{row("sleeper")} .state') == "STOPPED"
    assert server.state("sleeper") == "STOPPED"
    assert page.is_disabled(f'{row("sleeper")} button[data-action="stop"]')
    page.click(f'{row("sleeper")} button[data-action="start"]')
    page.wait_for_selector(f'{row("sleeper")}[data-state="RUNNING"]')
    assert server.state("sleeper") == "RUNNING"
    pid = server.rpc().getProcessInfo("sleeper")["pid"]
    page.wait_for_function(
        f"document.querySelector('{row('sleeper')} .pid').textContent === 'pid {pid}'")
    page.click(f'{row("sleeper")} button[data-action="restart"]')
    page.wait_for_selector('.toast.ok:has-text("restart sleeper: done")')
    assert server.state("sleeper") == "RUNNING"
    assert server.rpc().getProcessInfo("sleeper")["pid"] != pid


def test_group_actions(page: Any, server: Server) -> None:
    card = '.card[data-group="pool"]'
    page.click(f'{card} .groupactions button[data-action="stop"]')
    page.wait_for_selector(f'{row("pool:pool_0")}[data-state="STOPPED"]')
    page.wait_for_selector(f'{row("pool:pool_1")}[data-state="STOPPED"]')
    assert page.text_content(f"{card} .count") == "0 of 2 running"
    page.click(f'{card} .groupactions button[data-action="start"]')
    page.wait_for_selector(f'{row("pool:pool_0")}[data-state="RUNNING"]')
    page.wait_for_selector(f'{row("pool:pool_1")}[data-state="RUNNING"]')
    assert {server.state("pool:pool_0"), server.state("pool:pool_1")} == {"RUNNING"}


def test_log_view_follows_new_output(page: Any, server: Server) -> None:
    page.click(f'{row("ticker")} button[data-action="log"]')
    page.wait_for_function("document.getElementById('logbody').textContent.includes('tick')")
    first = page.text_content("#logbody")
    last = max(int(line.split()[1]) for line in first.splitlines() if line.startswith("tick"))
    # Lines written after the view opened arrive without reloading anything.
    page.wait_for_function(
        f"document.getElementById('logbody').textContent.includes('tick {last + 3}\\n')")
    assert "err " not in page.text_content("#logbody")
    page.click('#logtabs button[data-channel="stderr"]')
    page.wait_for_function(
        "document.getElementById('logbody').textContent.includes('err ')")
    assert "tick " not in page.text_content("#logbody")
    page.click("#logclose")
    assert page.is_hidden("#logpanel")
    page.click("#mainlog-button")
    page.wait_for_function(
        "document.getElementById('logbody').textContent.includes('supervisord started')")
    # Something that happens now shows up in the open supervisor log.
    server.rpc().stopProcess("pool:pool_1")
    page.wait_for_function(
        "document.getElementById('logbody').textContent.includes('stopped: pool_1')")
    server.rpc().startProcess("pool:pool_1")


def test_wrong_password_is_refused(browser: Any, server: Server) -> None:
    from playwright.sync_api import Error

    for creds in ({"username": USER, "password": "wrong"}, {"username": "root", "password": ""},
                  None):
        context = browser.new_context(http_credentials=creds)
        try:
            pg = context.new_page()
            try:
                response = pg.goto(server.url)
            except Error as exc:  # Chromium gives up after the server refused the password
                assert "ERR_INVALID_AUTH_CREDENTIALS" in str(exc)
            else:
                assert response is not None and response.status == 401
                assert "svtool" not in response.text()
        finally:
            context.close()
    for path in ("", "api/status", "console.js", "api/mainlog"):
        for header in ({}, {"Authorization": "Basic " + base64.b64encode(
                f"{USER}:wrong".encode()).decode()}):
            with pytest.raises(urllib.error.HTTPError) as info:
                urllib.request.urlopen(urllib.request.Request(server.url + path,
                                                              headers=header), timeout=5)
            assert info.value.code == 401


def test_post_without_csrf_token_is_refused(page: Any, server: Server) -> None:
    pid = server.rpc().getProcessInfo("sleeper")["pid"]
    body = json.dumps({"action": "stop", "scope": "process", "name": "sleeper"})
    statuses = page.evaluate("""async (body) => {
        const out = [];
        for (const headers of [{}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": ""}]) {
            headers["Content-Type"] = "application/json";
            const r = await fetch("api/action", {method: "POST", headers, body});
            out.push(r.status);
        }
        out.push((await fetch("api/action?action=stop&scope=process&name=sleeper")).status);
        return out;
    }""", body)
    assert statuses == [403, 403, 403, 405]
    info = server.rpc().getProcessInfo("sleeper")
    assert info["statename"] == "RUNNING" and info["pid"] == pid
    # The same request outside the browser, with the password but no token, is refused too.
    auth = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    req = urllib.request.Request(server.url + "api/action", data=body.encode(), method="POST",
                                 headers={"Authorization": f"Basic {auth}",
                                          "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)
    assert err.value.code == 403
    assert server.state("sleeper") == "RUNNING"


def test_html_in_names_and_output_stays_text(page: Any, server: Server) -> None:
    evil = row(EVIL)
    assert page.text_content(f"{evil} .procname") == EVIL
    assert page.eval_on_selector(f"{evil} .procname", "n => n.children.length") == 0
    page.click(f'{evil} button[data-action="log"]')
    page.wait_for_function(
        "document.getElementById('logbody').textContent.includes('<script>')")
    assert PAYLOAD in page.text_content("#logbody")
    assert page.eval_on_selector("#logbody", "n => n.children.length") == 0
    assert page.text_content("#logtitle") == EVIL
    assert page.evaluate("window.__pwned") is None
    assert page.eval_on_selector_all("body script, body img", "ns => ns.length") == 0
