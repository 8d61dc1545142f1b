"""Config loading: svtool against supervisor 4.3.0's own loader, side by side in one run.

Generates conf.d trees of 250/500/1000/2000 included files (about 20 lines each) and times:
  (a) supervisor 4.3.0: `ServerOptions().realize(["-c", main])` in a fresh interpreter
      (the loader alone, timed inside that process, and the whole process);
  (b) `svtool show --json main` as a cold process;
  (c) `svtool lint main` as a cold process (every rule, includes resolved);
  (d) `svtool lint conf.d/` as a cold process (the fragments, each checked in the context of
      the supervisord.conf above them that includes them, as pre-commit lints changed files);
  (e) svtool's `load()` in this process.
Then the cold start of `svtool lint one.conf` (median of 21 runs).
svtool is run through its installed `svtool` script when there is one beside this Python.

Usage: python bench/load_bench.py [--sizes 250,500,1000,2000] [--runs 3]
Goals: svtool at least 10x faster than supervisord's loader at 1000 files, linear growth,
cold `svtool lint one.conf` under 150 ms.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
_SCRIPT = Path(PY).parent / "svtool"
SVTOOL = [str(_SCRIPT)] if _SCRIPT.exists() else [PY, "-m", "supervisor_tools"]

SUPERVISOR_LOAD = """
import sys, time
from supervisor.options import ServerOptions
t = time.perf_counter()
ServerOptions().realize(["-c", sys.argv[1]])
print(time.perf_counter() - t)
"""

PROGRAM = """; {name}: generated for the load benchmark
; owner: team-{team}
[program:{name}]
command = /usr/bin/python3 -m worker --queue {name} --concurrency 4
directory = /srv/app
process_name = %(program_name)s
numprocs = 1
priority = {priority}
autostart = true
autorestart = unexpected
startsecs = 5
startretries = 3
exitcodes = 0
stopsignal = TERM
stopwaitsecs = 30
stopasgroup = true
redirect_stderr = true
stdout_logfile = {logdir}/{name}.log
stdout_logfile_maxbytes = 50MB
environment = QUEUE="{name}",APP_ENV="production"
"""


def make_tree(base: Path, n: int) -> Path:
    root = base / f"tree-{n}"
    confd = root / "conf.d"
    logs = root / "logs"
    confd.mkdir(parents=True)
    logs.mkdir()
    main = root / "supervisord.conf"
    main.write_text(f"""[supervisord]
logfile = {logs}/supervisord.log
pidfile = {root}/supervisord.pid
childlogdir = {logs}

[unix_http_server]
file = {root}/supervisor.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl = unix://{root}/supervisor.sock

[include]
files = conf.d/*.conf
""")
    for i in range(n):
        name = f"worker{i:05d}"
        (confd / f"{name}.conf").write_text(PROGRAM.format(name=name, team=i % 7,
                                                           priority=100 + i % 50, logdir=logs))
    return main


def timed(cmd: list[str]) -> tuple[float, str]:
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed, proc.stdout


def best(values: list[float]) -> float:
    return min(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="250,500,1000,2000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "supervisor_tools")], check=True)
    sys.path.insert(0, str(ROOT))
    from supervisor_tools.model import load

    rows = []
    # not under /tmp: svtool lint would (rightly) warn about every log file there
    scratch = ROOT / "bench-results"
    scratch.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="svtool-bench-", dir=scratch) as tmp:
        for n in sizes:
            main_conf = str(make_tree(Path(tmp), n))
            sv_loader, sv_proc, show, lint, confd, inproc = [], [], [], [], [], []
            for _ in range(args.runs):
                wall, out = timed([PY, "-c", SUPERVISOR_LOAD, main_conf])
                sv_loader.append(float(out.strip().splitlines()[-1]))
                sv_proc.append(wall)
                show.append(timed([*SVTOOL, "show", "--json", main_conf])[0])
                lint.append(timed([*SVTOOL, "lint", "-q", "--no-config", main_conf])[0])
                confd.append(timed([*SVTOOL, "lint", "-q", "--no-config",
                                    str(Path(main_conf).parent / "conf.d")])[0])
                gc.collect()  # earlier trees must not slow the collector down
                t = time.perf_counter()
                result = load(main_conf)
                inproc.append(time.perf_counter() - t)
                assert result.ok, result.errors[:3]
                del result
            rows.append((n, best(sv_loader), best(sv_proc), best(show), best(lint),
                         best(inproc), best(confd)))
        one = Path(tmp) / "one.conf"
        one.write_text("[program:web]\ncommand = /usr/bin/web\n")
        cold = [timed([*SVTOOL, "lint", "--no-config", str(one)])[0] for _ in range(21)]

    print(f"best of {args.runs} runs; times in seconds")
    print(f"{'files':>6} {'supervisord':>12} {'(process)':>10} {'show --json':>12} "
          f"{'lint':>8} {'lint conf.d':>12} {'load()':>8} {'sd/load()':>10} "
          f"{'sd proc/show':>13} {'sd proc/lint':>13} {'sd proc/conf.d':>15}")
    for n, sd, sdp, show_t, lint_t, load_t, confd_t in rows:
        print(f"{n:>6} {sd:>12.3f} {sdp:>10.3f} {show_t:>12.3f} {lint_t:>8.3f} "
              f"{confd_t:>12.3f} {load_t:>8.3f} {sd / load_t:>9.1f}x {sdp / show_t:>12.1f}x "
              f"{sdp / lint_t:>12.1f}x {sdp / confd_t:>14.1f}x")
    first, last = rows[0], rows[-1]
    growth = (last[5] / last[0]) / (first[5] / first[0])
    lint_growth = (last[4] / last[0]) / (first[4] / first[0])
    print(f"growth per file from {first[0]} to {last[0]} files: load() {growth:.2f}x, "
          f"lint process {lint_growth:.2f}x (1.0 = linear)")
    print(f"cold `svtool lint one.conf`: median {statistics.median(cold) * 1000:.0f} ms, "
          f"min {min(cold) * 1000:.0f} ms")
    at_1000 = [r for r in rows if r[0] == 1000]
    if at_1000:
        n, sd, sdp, show_t, lint_t, load_t, confd_t = at_1000[0]
        print(f"at 1000 files: supervisord loader / svtool load() = {sd / load_t:.1f}x; "
              f"supervisord process / svtool lint process = {sdp / lint_t:.1f}x "
              f"(conf.d as fragments: {sdp / confd_t:.1f}x); goal >= 10x")


if __name__ == "__main__":
    main()
