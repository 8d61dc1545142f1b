"""Dependencies with real processes and the real supervisorctl 4.3.0: a database-like program
gating its dependant until RUNNING, a migration job gating a web server until it exits, a
FATAL dependency leaving its dependant STOPPED with a reason, and stops dependants first."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from .conftest import SLEEPER_CMD, Supervisor, pyfile


def _lines(sup: Supervisor, *needles: str) -> list[int]:
    """The line numbers of the first main-log line holding each needle."""
    log = sup.log().splitlines()
    out = []
    for needle in needles:
        hits = [i for i, line in enumerate(log) if needle in line]
        assert hits, f"{needle!r} not in the log:\n{sup.log()}"
        out.append(hits[0])
    return out


def test_a_dependant_starts_only_once_the_database_is_running(svtool: Supervisor,
                                                              tmp_path: Path) -> None:
    # The database takes startsecs=2 to count as up; the app checks the database's file is
    # there when it starts and fails otherwise.
    db = pyfile(tmp_path, "db", f"""
        import time
        open({str(tmp_path / 'db.ready')!r}, 'w').close()
        time.sleep(1000)
        """)
    app = pyfile(tmp_path, "app", f"""
        import os, sys, time
        sys.exit(3) if not os.path.exists({str(tmp_path / 'db.ready')!r}) else time.sleep(1000)
        """)
    svtool.start(f"""
        [program:db]
        command={db}
        startsecs=2

        [program:app]
        command={app}
        autostart=false
        dependent_startup=true
        dependent_startup_wait_for=db:running
        startsecs=0
        """)
    status = svtool.wait(lambda: (lambda r: r if "waiting" in r.stdout else None)(
        svtool.ctl("status", "app")), 10, "app to wait")
    assert "STOPPED" in status.stdout
    assert "waiting for db:running: db is STARTING" in status.stdout
    svtool.wait_state("app", "RUNNING", 20)
    running, spawned = _lines(svtool, "success: db entered RUNNING", "spawned: 'app'")
    assert running < spawned
    res = svtool.ctl("status")
    assert res.returncode == 0, res
    assert "app" in res.stdout and "db" in res.stdout


def test_a_migration_job_gates_the_web_server(svtool: Supervisor, tmp_path: Path) -> None:
    migrate = pyfile(tmp_path, "migrate", f"""
        import time
        time.sleep(1)
        open({str(tmp_path / 'migrated')!r}, 'w').close()
        """)
    web = pyfile(tmp_path, "web", f"""
        import os, sys, time
        sys.exit(3) if not os.path.exists({str(tmp_path / 'migrated')!r}) else time.sleep(1000)
        """)
    svtool.start(f"""
        [program:migrate]
        command={migrate}
        startsecs=0
        autorestart=false

        [program:web]
        command={web}
        autostart=false
        startsecs=0
        dependent_startup=true
        dependent_startup_wait_for=migrate:exited
        """)
    info = svtool.wait_state("web", "STOPPED")
    assert "waiting for migrate:exited" in info["description"]
    svtool.wait_state("web", "RUNNING", 20)
    assert svtool.state("migrate") == "EXITED"
    exited, spawned = _lines(svtool, "exited: migrate (exit status 0; expected)",
                             "spawned: 'web'")
    assert exited < spawned


def test_a_fatal_dependency_leaves_the_dependant_stopped_with_a_reason(
        svtool: Supervisor, tmp_path: Path) -> None:
    svtool.start(f"""
        [program:broken]
        command=/bin/false
        startretries=0

        [program:api]
        command={SLEEPER_CMD}
        dependent_startup=true
        dependent_startup_wait_for=broken:running
        """)
    svtool.wait_state("broken", "FATAL")
    info = svtool.wait(lambda: (lambda i: i if "cannot start" in i["description"] else None)(
        svtool.info("api")), 10, "api to be blocked")
    assert info["statename"] == "STOPPED"
    assert info["description"] == "cannot start: broken:running: broken is FATAL"
    res = svtool.ctl("status", "api")
    assert "STOPPED" in res.stdout and "broken is FATAL" in res.stdout
    began = time.monotonic()
    res = svtool.ctl("start", "api")  # answers at once, no hang
    assert time.monotonic() - began < 10
    assert res.stdout.strip() == "api: ERROR (spawn error)"
    assert res.returncode != 0
    assert svtool.state("api") == "STOPPED"
    # svtool's own client prints the reason the fault carries, and shows it in status
    ours = subprocess.run([sys.executable, "-m", "supervisor_tools", "ctl", "-c",
                           str(svtool.conf), "start", "api"], capture_output=True, text=True,
                          timeout=60)
    assert "cannot start: broken:running: broken is FATAL" in ours.stdout + ours.stderr
    assert ours.returncode != 0
    ours = subprocess.run([sys.executable, "-m", "supervisor_tools", "ctl", "-c",
                           str(svtool.conf), "status"], capture_output=True, text=True,
                          timeout=60)
    assert "cannot start: broken:running: broken is FATAL" in ours.stdout


def test_start_on_a_waiting_program_waits_for_it_and_stop_calls_it_off(
        svtool: Supervisor, tmp_path: Path) -> None:
    svtool.start(f"""
        [program:db]
        command={SLEEPER_CMD}
        autostart=false
        startsecs=1

        [program:app]
        command={SLEEPER_CMD}
        autostart=false
        startsecs=0
        dependent_startup=true
        dependent_startup_wait_for=db:running
        """)
    # db will not start by itself: the start request fails at once with the reason shown
    res = svtool.ctl("start", "app")
    assert res.stdout.strip() == "app: ERROR (spawn error)"
    assert svtool.info("app")["description"] == \
        "cannot start: db:running: db is STOPPED and not set to start"
    res = svtool.ctl("stop", "app")  # no longer waits
    assert res.stdout.strip() == "app: stopped", res
    assert svtool.info("app")["description"] == "Not started"
    # with db starting, `start app` returns once app is RUNNING
    svtool.ctl("start", "db", check=True)
    res = svtool.ctl("start", "app")
    assert res.stdout.strip() == "app: started", res
    assert svtool.state("db") == "RUNNING"


def test_stop_all_and_shutdown_stop_dependants_first(svtool: Supervisor,
                                                     tmp_path: Path) -> None:
    # Each process notes when SIGTERM reached it and when it exited; the front takes a while
    # to stop, and the middle must not be signalled before it has.
    def tier(name: str, linger: float) -> str:
        return pyfile(tmp_path, name, f"""
            import signal, sys, time
            def bye(*_):
                with open({str(tmp_path / 'events')!r}, 'a') as f:
                    f.write(f'term {name} {{time.time()}}\\n')
                time.sleep({linger})
                with open({str(tmp_path / 'events')!r}, 'a') as f:
                    f.write(f'exit {name} {{time.time()}}\\n')
                sys.exit(0)
            signal.signal(signal.SIGTERM, bye)
            while True:
                time.sleep(1)
            """)
    svtool.start(f"""
        [program:store]
        command={tier('store', 0)}
        startsecs=0
        priority=900

        [program:middle]
        command={tier('middle', 0)}
        startsecs=0
        priority=1
        dependent_startup=true
        dependent_startup_wait_for=store:running

        [program:front]
        command={tier('front', 1)}
        startsecs=0
        priority=2
        depends_on=middle
        """)
    for name in ("store", "middle", "front"):
        svtool.wait_state(name, "RUNNING", 20)
    spawned = _lines(svtool, "spawned: 'store'", "spawned: 'middle'", "spawned: 'front'")
    assert spawned == sorted(spawned)
    res = svtool.ctl("stop", "all")
    assert res.returncode == 0, res
    assert sorted(res.stdout.split("\n")[:3]) == ["front: stopped", "middle: stopped",
                                                  "store: stopped"]
    events = [line.split() for line in (tmp_path / "events").read_text().splitlines()]
    order = [f"{e[0]} {e[1]}" for e in sorted(events, key=lambda e: float(e[2]))]
    assert order == ["term front", "exit front", "term middle", "exit middle",
                     "term store", "exit store"]
    # start all brings them back in dependency order; shutdown stops them in reverse again
    (tmp_path / "events").unlink()
    res = svtool.ctl("start", "all")
    assert res.returncode == 0, res
    for name in ("store", "middle", "front"):
        assert svtool.state(name) == "RUNNING"
    svtool.ctl("shutdown", check=True)
    assert svtool.proc is not None
    svtool.proc.wait(30)
    events = [line.split() for line in (tmp_path / "events").read_text().splitlines()]
    order = [f"{e[0]} {e[1]}" for e in sorted(events, key=lambda e: float(e[2]))]
    assert order == ["term front", "exit front", "term middle", "exit middle",
                     "term store", "exit store"]


def test_restart_all_with_a_waiting_program_reports_no_error(svtool: Supervisor,
                                                            tmp_path: Path) -> None:
    # app is released a loop pass before it is spawned: the start request must not take that
    # moment for an abnormal termination
    job = pyfile(tmp_path, "job", "import time; time.sleep(0.5)")
    svtool.start(f"""
        [program:job]
        command={job}
        startsecs=0
        autorestart=false

        [program:db]
        command={SLEEPER_CMD}
        startsecs=1

        [program:app]
        command={SLEEPER_CMD}
        startsecs=0
        dependent_startup=true
        dependent_startup_wait_for=db:running job:exited
        """)
    svtool.wait_state("app", "RUNNING", 20)
    res = svtool.ctl("restart", "all")
    assert "ERROR" not in res.stdout, res.stdout
    assert "app: started" in res.stdout
    for name in ("db", "app"):
        assert svtool.state(name) == "RUNNING"


def test_update_adds_programs_with_dependencies(svtool: Supervisor, tmp_path: Path) -> None:
    svtool.start(f"""
        [program:db]
        command={SLEEPER_CMD}
        startsecs=0
        """)
    svtool.wait_state("db", "RUNNING")
    svtool.write(f"""
        [program:db]
        command={SLEEPER_CMD}
        startsecs=0

        [program:api]
        command={SLEEPER_CMD}
        startsecs=0
        dependent_startup=true
        dependent_startup_wait_for=cache:running db:running

        [program:cache]
        command={SLEEPER_CMD}
        startsecs=1
        """)
    res = svtool.ctl("update")
    assert res.returncode == 0, res
    svtool.wait_state("api", "RUNNING", 20)
    running, spawned = _lines(svtool, "success: cache entered RUNNING", "spawned: 'api'")
    assert running < spawned


def test_reload_starts_in_dependency_order_again(svtool: Supervisor, tmp_path: Path) -> None:
    svtool.start(f"""
        [program:db]
        command={SLEEPER_CMD}
        startsecs=1

        [program:app]
        command={SLEEPER_CMD}
        startsecs=0
        dependent_startup=true
        dependent_startup_wait_for=db:running
        """)
    svtool.wait_state("app", "RUNNING", 20)
    before = svtool.log().count("spawned: 'app'")
    res = svtool.ctl("reload")
    assert res.returncode == 0, res
    svtool.wait(lambda: svtool.log().count("spawned: 'app'") > before, 30, "app respawned")
    svtool.wait_state("app", "RUNNING", 20)
    log = svtool.log().splitlines()
    restarted = max(i for i, line in enumerate(log) if "supervisord restarted" in line)
    running = [i for i, line in enumerate(log)
               if "success: db entered RUNNING" in line and i > restarted]
    spawned = [i for i, line in enumerate(log) if "spawned: 'app'" in line and i > restarted]
    assert running and spawned and running[0] < spawned[0]
