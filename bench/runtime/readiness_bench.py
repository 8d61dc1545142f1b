"""How long N programs take to be RUNNING with sd_notify readiness, against the same N
programs with startsecs=0 (RUNNING at spawn), under `svtool run`.

    .venv/bin/python bench/runtime/readiness_bench.py [N] [WORKDIR]

Each child is the same small Python program: it sends READY=1 to its NOTIFY_SOCKET when it
has one, then execs sleep. The difference between the two runs is what waiting for readiness
costs: the children's own start-up (they must run to say READY=1) and svtool's socket, sender
check and transition.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import textwrap
import time
import xmlrpc.client
from pathlib import Path

from supervisor.xmlrpc import SupervisorTransport

CHILD = textwrap.dedent("""\
    import os, socket
    addr = os.environ.get('NOTIFY_SOCKET')
    if addr:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.sendto(b'READY=1', chr(0) + addr[1:])
    os.execv('/bin/sleep', ['sleep', '100000'])
    """)


def run(n: int, work: Path, notify: bool) -> float:
    work.mkdir(parents=True, exist_ok=True)
    child = work / "child.py"
    child.write_text(CHILD)
    sock = work / "s.sock"
    programs = "".join(
        f"[program:p{i}]\ncommand={sys.executable} -S {child}\n"
        + ("sd_notify=true\n" if notify else "startsecs=0\n")
        + "stdout_logfile=NONE\nstderr_logfile=NONE\n\n" for i in range(n))
    conf = work / "supervisord.conf"
    conf.write_text(f"[unix_http_server]\nfile={sock}\n\n[supervisord]\nlogfile={work}/main.log\n"
                    f"pidfile={work}/sd.pid\nminfds=4096\n\n[rpcinterface:supervisor]\n"
                    "supervisor.rpcinterface_factory=supervisor.rpcinterface:"
                    f"make_main_rpcinterface\n\n{programs}")
    began = time.monotonic()
    server = subprocess.Popen([sys.executable, "-m", "supervisor_tools", "run", "-n", "-c",
                               str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.monotonic() - began < 120:
            try:
                # a new connection each time: one that failed cannot be used again
                infos = xmlrpc.client.ServerProxy("http://127.0.0.1", SupervisorTransport(
                    None, None, f"unix://{sock}")).supervisor.getAllProcessInfo()
            except (OSError, xmlrpc.client.Error, http.client.HTTPException):
                infos = []
            if len(infos) == n and all(i["statename"] == "RUNNING" for i in infos):
                return time.monotonic() - began
            time.sleep(0.05)
        raise SystemExit("not all RUNNING within 120 s")
    finally:
        server.terminate()
        server.wait(60)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    work = Path(sys.argv[2] if len(sys.argv) > 2 else f"/tmp/svtool-readiness-bench-{os.getpid()}")
    plain = run(n, work / "plain", notify=False)
    ready = run(n, work / "notify", notify=True)
    print(f"| {n} programs, launch -> all RUNNING | startsecs=0: {plain:.2f} s "
          f"| sd_notify READY=1: {ready:.2f} s | ratio {ready / plain:.2f} |")


if __name__ == "__main__":
    main()
