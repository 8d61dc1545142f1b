"""Regenerate the console screenshots in docs/: `python docs/screenshots.py`.

Starts `svtool run` on a small demo configuration in a temporary directory, opens the console
in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) and saves:
  docs/console-desktop.png   1280x800
  docs/console-narrow.png    390x844
  docs/console-log.png       1280x800, with a process's log open
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

DOCS = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PY = sys.executable


def demo_config(tmp: Path, port: int) -> str:
    def py(code: str) -> str:
        path = tmp / f"{abs(hash(code))}.py"
        path.write_text(textwrap.dedent(code))
        return f"{PY} -u {path}"

    web = py("""
        import random, time
        paths = ["/", "/login", "/api/orders", "/static/app.js", "/api/users/42"]
        while True:
            print(f'127.0.0.1 - - "GET {random.choice(paths)} HTTP/1.1" 200 {random.randint(200, 9000)}')
            time.sleep(0.3)
        """)
    app = py("""
        import time
        n = 0
        while True:
            n += 1
            print(f"INFO worker heartbeat {n}: queue depth {n % 7}")
            time.sleep(0.5)
        """)
    sleeper = py("import time\ntime.sleep(100000)\n")
    once = py("print('report generated')\n")
    return textwrap.dedent(f"""\
        [inet_http_server]
        port=127.0.0.1:{port}
        username=admin
        password=demo

        [supervisord]
        logfile={tmp}/supervisord.log
        pidfile={tmp}/supervisord.pid
        childlogdir={tmp}
        identifier=shop-prod-1

        [program:nginx]
        command={web}

        [program:app]
        command={app}

        [group:web]
        programs=nginx,app

        [program:worker]
        command={sleeper}
        numprocs=3
        process_name=worker_%(process_num)02d

        [program:scheduler]
        command={sleeper}

        [program:report]
        command={once}
        startsecs=0
        autorestart=false

        [program:mailer]
        command=/usr/local/bin/not-installed-mailer
        startretries=0

        [program:backup]
        command={sleeper}
        autostart=false
        """)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
        except urllib.error.HTTPError:
            return  # 401: up and asking for a password
        except OSError:
            time.sleep(0.1)
            continue
        return
    raise SystemExit(f"the demo supervisor never answered at {url}")


def shoot(page: Page, url: str, path: Path, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url)
    page.wait_for_selector('[data-namespec="web:nginx"][data-state="RUNNING"]')
    page.wait_for_timeout(2500)  # let uptimes tick past zero
    page.screenshot(path=str(path))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="svtool-shots-") as name:
        tmp = Path(name)
        port = free_port()
        conf = tmp / "supervisord.conf"
        conf.write_text(demo_config(tmp, port))
        server = subprocess.Popen([PY, "-m", "supervisor_tools", "run", "-n", "-s", "-c",
                                   str(conf)], cwd=tmp)
        try:
            url = f"http://127.0.0.1:{port}/"
            wait_http(url)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                context = browser.new_context(
                    http_credentials={"username": "admin", "password": "demo"},
                    color_scheme="light", device_scale_factor=1)
                page = context.new_page()
                shoot(page, url, DOCS / "console-desktop.png", 1280, 800)
                shoot(page, url, DOCS / "console-narrow.png", 390, 844)
                page.set_viewport_size({"width": 1280, "height": 800})
                page.click('[data-namespec="web:nginx"] button[data-action="log"]')
                page.wait_for_timeout(2500)
                page.screenshot(path=str(DOCS / "console-log.png"))
                browser.close()
        finally:
            server.terminate()
            server.wait(30)
    print("wrote", *(f"docs/console-{k}.png" for k in ("desktop", "narrow", "log")))


if __name__ == "__main__":
    main()
