"""Start-up with dependencies: 500 programs in chains of depth 10 against the same 500 without.

Each run launches `svtool run` on a fresh config and polls getAllProcessInfo until every
process is RUNNING; the figure is launch -> all RUNNING, the median of --repeat runs. In a
chained config, 50 chains of 10 programs each wait for the previous one to be RUNNING
(`dependent_startup_wait_for=prev:running`), so a program starts only after the one before it
has. Three configs are run, interleaved:

- plain: `/bin/sleep` with startsecs=0, no dependencies (RUNNING comes with the spawn);
- notify: every program has `sd_notify=true` and is a small child that sends READY=1 over its
  NOTIFY_SOCKET at once and then execs `/bin/sleep`, no dependencies;
- notify, chained: the same children in chains, so each level waits for the one before it to
  be *ready*.

The child is `python -S` importing only the `_socket` extension (about 7 ms of CPU against 13
ms for `import socket`, and 1 ms for `/bin/sleep` alone): its start-up is most of what the
notify runs cost, and it is the same in both notify configs. Prints the medians and the ratio
of the chained runs to each flat one (the goal: at most 2 against notify without dependencies).
With --plain-chains the old comparison (plain children in chains, startsecs=0) runs as well.

usage: python bench/runtime/deps_bench.py [--n 500] [--depth 10] [--repeat 3] [--plain-chains]
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

CHILD = """\
import os, _socket
addr = os.environ.get('NOTIFY_SOCKET')
if addr:
    s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_DGRAM)
    s.sendto(b'READY=1', chr(0) + addr[1:] if addr[0] == '@' else addr)
os.execv('/bin/sleep', ['sleep', '1000'])
"""


def config(tmp: Path, n: int, depth: int, chained: bool, notify: bool) -> Path:
    lines = [f"[unix_http_server]\nfile={tmp}/s.sock\n",
             f"[supervisord]\nlogfile={tmp}/main.log\npidfile={tmp}/sd.pid\n"
             f"childlogdir={tmp}\nloglevel=warn\n",
             "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = "
             "supervisor.rpcinterface:make_main_rpcinterface\n"]
    width = n // depth
    if notify:
        (tmp / "child.py").write_text(CHILD)
        program = f"command={sys.executable} -S {tmp}/child.py\nsd_notify=true\n"
    else:
        program = "command=/bin/sleep 1000\nstartsecs=0\n"
    for i in range(n):
        level, column = divmod(i, width)
        lines.append(f"[program:p{level}_{column}]\n{program}"
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


def one_run(n: int, depth: int, chained: bool, notify: bool) -> float:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        conf = config(tmp, n, depth, chained, notify)
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
    ap.add_argument("--plain-chains", action="store_true",
                    help="also run plain children (startsecs=0) in chains")
    args = ap.parse_args()
    variants = {"plain, no dependencies": (False, False),
                "sd_notify, no dependencies": (False, True),
                f"sd_notify, chains of depth {args.depth}": (True, True)}
    if args.plain_chains:
        variants[f"plain, chains of depth {args.depth}"] = (True, False)
    runs: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.repeat):  # interleaved, so a busy moment weighs on every variant
        for name, (chained, notify) in variants.items():
            runs[name].append(one_run(args.n, args.depth, chained, notify))
    median = {name: statistics.median(xs) for name, xs in runs.items()}
    for name, xs in runs.items():
        print(f"{args.n} programs, {name}: launch -> all RUNNING {median[name]:.3f} s "
              f"(runs: {', '.join(f'{x:.3f}' for x in xs)})")
    chain = median[f"sd_notify, chains of depth {args.depth}"]
    print(f"ratio sd_notify chained / sd_notify flat: "
          f"{chain / median['sd_notify, no dependencies']:.2f} (goal <= 2)")
    print(f"ratio sd_notify chained / plain flat: {chain / median['plain, no dependencies']:.2f}")
    if args.plain_chains:
        plain_chain = median[f"plain, chains of depth {args.depth}"]
        print(f"ratio plain chained / plain flat: "
              f"{plain_chain / median['plain, no dependencies']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
