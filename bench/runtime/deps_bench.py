"""Start-up with dependencies: 500 programs in chains of depth 10 against the same 500 without.

Each run launches `svtool run` on a fresh config and polls getAllProcessInfo until every
process is RUNNING; the figure is launch -> all RUNNING, the median of --repeat runs. In the
chained config, 50 chains of 10 programs each wait for the previous one to be RUNNING
(`dependent_startup_wait_for=prev:running`), so a program starts only after the one before it
has; every program has startsecs=0, so RUNNING comes with the spawn and the time measured is the
scheduler's, not a timer's. Prints both medians and their ratio (the goal: at most 2).

usage: python bench/runtime/deps_bench.py [--n 500] [--depth 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import xmlrpc.client
from pathlib import Path

from supervisor.xmlrpc import SupervisorTransport


def config(tmp: Path, n: int, depth: int, chained: bool) -> Path:
    lines = [f"[unix_http_server]\nfile={tmp}/s.sock\n",
             f"[supervisord]\nlogfile={tmp}/main.log\npidfile={tmp}/sd.pid\n"
             f"childlogdir={tmp}\nloglevel=warn\n",
             "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = "
             "supervisor.rpcinterface:make_main_rpcinterface\n"]
    width = n // depth
    for i in range(n):
        level, column = divmod(i, width)
        lines.append(f"[program:p{level}_{column}]\ncommand=/bin/sleep 1000\nstartsecs=0\n"
                     "stdout_logfile=NONE\nstderr_logfile=NONE\n")
        if chained and level > 0:
            lines.append(f"dependent_startup=true\n"
                         f"dependent_startup_wait_for=p{level - 1}_{column}:running\n")
    path = tmp / "supervisord.conf"
    path.write_text("\n".join(lines))
    return path


def rpc(sock: Path) -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy("http://127.0.0.1",
                                     SupervisorTransport(None, None, f"unix://{sock}"))


def one_run(n: int, depth: int, chained: bool) -> float:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        conf = config(tmp, n, depth, chained)
        began = time.monotonic()
        server = subprocess.Popen([sys.executable, "-m", "supervisor_tools", "run", "-n", "-c",
                                   str(conf)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, cwd=tmp)
        try:
            while time.monotonic() - began < 60:
                try:  # a fresh connection each time: a refused one leaves its client broken
                    infos = rpc(tmp / "s.sock").supervisor.getAllProcessInfo()
                except (OSError, xmlrpc.client.Error, http.client.HTTPException):
                    infos = []
                if len(infos) == n and all(i["statename"] == "RUNNING" for i in infos):
                    return time.monotonic() - began
                time.sleep(0.02)
            raise SystemExit("not all RUNNING within 60 s")
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError):
                    os.kill(server.pid, signal.SIGKILL)
                server.wait()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--depth", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    flat, chain = [], []
    for _ in range(args.repeat):  # interleaved, so a busy moment weighs on both
        flat.append(one_run(args.n, args.depth, chained=False))
        chain.append(one_run(args.n, args.depth, chained=True))
    f, c = statistics.median(flat), statistics.median(chain)
    print(f"{args.n} programs, no dependencies:        launch -> all RUNNING {f:.3f} s "
          f"(runs: {', '.join(f'{x:.3f}' for x in flat)})")
    print(f"{args.n} programs, chains of depth {args.depth}: launch -> all RUNNING {c:.3f} s "
          f"(runs: {', '.join(f'{x:.3f}' for x in chain)})")
    print(f"ratio chained / flat: {c / f:.2f} (goal <= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
