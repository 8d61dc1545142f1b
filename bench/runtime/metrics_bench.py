"""What a `/metrics` scrape costs `svtool run` against one `getAllProcessInfo`, 500 processes.

    .venv/bin/python bench/runtime/metrics_bench.py [--n 500] [--rounds 7] [--calls 20]

Starts `svtool run` on a temporary config of N `sleep` programs, waits until all are RUNNING,
then alternates batches of `--calls` requests of each kind over the unix socket and reads the
server's own CPU time around each batch (/proc/PID/schedstat, nanoseconds): the cost to the
server, whatever the client does with the answer. Prints the median per request of each, the
response sizes and the ratio scrape / getAllProcessInfo (below 1: the scrape is cheaper).
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RPC_BODY = (b"<?xml version='1.0'?><methodCall><methodName>supervisor.getAllProcessInfo"
            b"</methodName><params></params></methodCall>")


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str) -> None:
        super().__init__("localhost", timeout=60)
        self.unix_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.unix_path)
        self.sock = sock


def server_cpu_ns(pid: int) -> int:
    """CPU time the server's threads have run, in nanoseconds."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/schedstat") as f:
            total += int(f.read().split()[0])
    return total


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def request(conn: UnixConnection, kind: str) -> bytes:
    if kind == "rpc":
        conn.request("POST", "/RPC2", RPC_BODY, {"Content-Type": "text/xml"})
    else:
        conn.request("GET", "/metrics")
    resp = conn.getresponse()
    body = resp.read()
    assert resp.status == 200, (kind, resp.status, body[:200])
    return body


def write_config(tmp: Path, n: int) -> Path:
    conf = tmp / "supervisord.conf"
    lines = [f"[unix_http_server]\nfile={tmp}/s.sock\n",
             f"[supervisord]\nlogfile={tmp}/main.log\npidfile={tmp}/sd.pid\n"
             f"childlogdir={tmp}\nloglevel=warn\n",
             "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = "
             "supervisor.rpcinterface:make_main_rpcinterface\n"]
    lines += [f"[program:p{i:03d}]\ncommand=/bin/sleep 100000\nstartsecs=0\n"
              f"stdout_logfile=NONE\nstderr_logfile=NONE\n" for i in range(n)]
    conf.write_text("\n".join(lines))
    return conf


def wait_running(sock: str, n: int, timeout: float = 60) -> None:
    """Until getAllProcessInfo says every process is RUNNING (no scrape before the bench)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            conn = UnixConnection(sock)
            body = request(conn, "rpc")
            conn.close()
        except OSError:
            body = b""
        if body.count(b"<name>statename</name><value>RUNNING</value>") == n:
            return
        time.sleep(0.2)
    raise SystemExit("the processes never all ran")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--calls", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        conf = write_config(tmp, args.n)
        server = subprocess.Popen([sys.executable, "-m", "supervisor_tools", "run", "-n", "-c",
                                   str(conf)], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            sock = str(tmp / "s.sock")
            wait_running(sock, args.n)
            conn = UnixConnection(sock)
            rss = {"start": rss_kb(server.pid)}
            sizes = {}
            for kind in ("rpc", "metrics"):
                sizes[kind] = len(request(conn, kind))
                rss[kind] = rss_kb(server.pid)
            per_call: dict[str, list[float]] = {"rpc": [], "metrics": []}
            for _ in range(args.rounds):
                for kind in ("rpc", "metrics"):
                    before = server_cpu_ns(server.pid)
                    for _ in range(args.calls):
                        request(conn, kind)
                    spent = server_cpu_ns(server.pid) - before
                    per_call[kind].append(spent / args.calls / 1e6)
            rss["end"] = rss_kb(server.pid)
            conn.close()
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    rpc = statistics.median(per_call["rpc"])
    metrics = statistics.median(per_call["metrics"])
    print(f"{args.n} processes, {args.rounds} rounds of {args.calls} requests each, "
          f"server CPU per request (median of rounds):")
    print(f"  getAllProcessInfo   {rpc:8.2f} ms   ({sizes['rpc']} bytes)")
    print(f"  /metrics scrape     {metrics:8.2f} ms   ({sizes['metrics']} bytes)")
    mb = {k: v / 1024 for k, v in rss.items()}
    print(f"server RSS, MB: {mb['start']:.1f} all running, {mb['rpc']:.1f} after one "
          f"getAllProcessInfo, {mb['metrics']:.1f} after the first scrape, {mb['end']:.1f} "
          f"at the end")
    print(f"ratio scrape / getAllProcessInfo: {metrics / rpc:.2f}")
    return 0 if metrics < rpc else 1


if __name__ == "__main__":
    sys.exit(main())
