"""The web console shows what a process told with STATUS= and what a STARTING one waits for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest import Supervisor, pyfile
from .test_web_console import TIMEOUT_MS, browser, free_port  # noqa: F401  (browser: a fixture)

CHILD = """\
import os, socket, sys, time
addr = os.environ['NOTIFY_SOCKET']
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b'READY=1\\nSTATUS=42 jobs queued', '\\0' + addr[1:])
time.sleep(1000)
"""


def test_console_shows_status_and_readiness(browser: Any, svtool: Supervisor,  # noqa: F811
                                            tmp_path: Path) -> None:
    port = free_port()
    svtool.start(f"""
        [inet_http_server]
        port=127.0.0.1:{port}

        [program:queue]
        command={pyfile(tmp_path, "queue", CHILD)}
        sd_notify=true

        [program:late]
        command={pyfile(tmp_path, "late", "import time; time.sleep(1000)")}
        ready_log_line=never printed
        """)
    svtool.wait_state("queue", "RUNNING", 20)
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector('.proc[data-namespec="queue"][data-state="RUNNING"]')
        page.wait_for_function(
            """() => document.querySelector('.proc[data-namespec="queue"]')
                     .textContent.includes('42 jobs queued')""")
        late = page.wait_for_selector('.proc[data-namespec="late"][data-state="STARTING"]')
        assert "waiting for a line matching 'never printed'" in late.text_content()
    finally:
        context.close()
