"""Event listeners written for supervisord (supervisor.childutils, superlance) against both servers.

Every test runs once per server command (svtool run and the real supervisord 4.3.0), so the
assertions describe supervisord's behaviour.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.e2e.conftest import BIN, PY, SLEEPER_CMD, Supervisor, pyfile

RECORDER = """\
    import json, sys
    from supervisor import childutils
    while True:
        headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
        with open(sys.argv[1], "a") as f:
            f.write(json.dumps([headers, payload]) + "\\n")
        childutils.listener.ok(sys.stdout)
    """


def received(path: Path) -> list[tuple[dict[str, str], str]]:
    if not path.exists():
        return []
    events: list[tuple[dict[str, str], str]] = []
    for line in path.read_text().splitlines():
        headers, payload = json.loads(line)
        events.append((headers, payload))
    return events


def named(events: list[tuple[dict[str, str], str]], name: str) -> list[str]:
    return [payload for headers, payload in events if headers["eventname"] == name]


def test_childutils_listener_receives_supervisords_events(sup: Supervisor) -> None:
    out = sup.tmp / "events.jsonl"
    talker = pyfile(sup.tmp, "talker", """\
        import sys, time
        print("hello out")
        print("<!--XSUPERVISOR:BEGIN-->comm msg<!--XSUPERVISOR:END-->")
        print("and a line long enough to be logged at once")
        sys.stderr.write("<!--XSUPERVISOR:BEGIN-->err msg<!--XSUPERVISOR:END-->\\n")
        sys.stderr.write("an error line, long enough to be logged at once\\n")
        sys.stderr.flush()
        time.sleep(1000)
        """)
    sup.start(f"""
        [eventlistener:lis]
        command={pyfile(sup.tmp, "lis", RECORDER)} {out}
        events=PROCESS_STATE,TICK_5,PROCESS_LOG,PROCESS_COMMUNICATION,REMOTE_COMMUNICATION
        buffer_size=100
        startsecs=0

        [program:crasher]
        command={PY} -c "import sys; sys.exit(3)"
        startretries=1

        [program:talker]
        command={talker}
        stdout_events_enabled=true
        stdout_capture_maxbytes=1KB
        stderr_events_enabled=true
        stderr_capture_maxbytes=1KB
        """)
    sup.wait_state("crasher", "FATAL")
    talker_pid = sup.wait_state("talker", "RUNNING")["pid"]
    assert sup.rpc().supervisor.sendRemoteCommEvent("mytype", "some data") is True

    def everything() -> list[tuple[dict[str, str], str]] | None:
        events = received(out)
        names = {h["eventname"] for h, _ in events}
        want = {"TICK_5", "REMOTE_COMMUNICATION", "PROCESS_COMMUNICATION_STDOUT",
                "PROCESS_STATE_FATAL", "PROCESS_COMMUNICATION_STDERR"}
        return events if want <= names else None

    events = sup.wait(everything, 12, "all event types")
    for headers, payload in events:
        assert headers["ver"] == "3.0" and headers["server"] == "supervisor"
        assert headers["pool"] == "lis" and int(headers["len"]) == len(payload)
    serials = [int(h["serial"]) for h, _ in events]
    assert serials == sorted(serials)
    assert [int(h["poolserial"]) for h, _ in events] == list(range(len(events)))

    crasher = [(h["eventname"], p) for h, p in events
               if h["eventname"].startswith("PROCESS_STATE") and "processname:crasher " in p]
    base = "processname:crasher groupname:crasher from_state:"
    assert crasher == [
        ("PROCESS_STATE_STARTING", base + "STOPPED tries:0"),
        ("PROCESS_STATE_BACKOFF", base + "STARTING tries:1"),
        ("PROCESS_STATE_STARTING", base + "BACKOFF tries:1"),
        ("PROCESS_STATE_BACKOFF", base + "STARTING tries:2"),
        ("PROCESS_STATE_FATAL", base + "BACKOFF"),
    ]
    assert f"processname:talker groupname:talker from_state:STARTING pid:{talker_pid}" in \
        named(events, "PROCESS_STATE_RUNNING")
    assert named(events, "PROCESS_COMMUNICATION_STDOUT") == [
        f"processname:talker groupname:talker pid:{talker_pid}\ncomm msg"]
    logs = named(events, "PROCESS_LOG_STDOUT")
    head = f"processname:talker groupname:talker pid:{talker_pid} channel:stdout\n"
    assert logs and all(p.startswith(head) for p in logs)
    assert "hello out\n" in "".join(p[len(head):] for p in logs)
    assert named(events, "PROCESS_COMMUNICATION_STDERR") == [
        f"processname:talker groupname:talker pid:{talker_pid}\nerr msg"]
    errs = named(events, "PROCESS_LOG_STDERR")
    ehead = f"processname:talker groupname:talker pid:{talker_pid} channel:stderr\n"
    assert errs and all(p.startswith(ehead) for p in errs)
    assert "an error line" in "".join(errs)
    assert named(events, "REMOTE_COMMUNICATION") == ["type:mytype\nsome data"]
    tick = named(events, "TICK_5")[0]
    assert tick.startswith("when:") and int(tick[5:]) % 5 == 0
    # the capture tokens and message stay out of the talker's log
    log = sup.rpc().supervisor.readProcessStdoutLog("talker", 0, 0)
    assert "hello out" in log and "XSUPERVISOR" not in log and "comm msg" not in log


def test_superlance_crashmail_mails_on_a_crash(sup: Supervisor) -> None:
    mail = sup.tmp / "mail.txt"
    sendmail = sup.tmp / "sendmail"
    sendmail.write_text(f"#!{PY}\nimport sys\nopen({str(mail)!r}, 'a').write(sys.stdin.read())\n")
    sendmail.chmod(0o755)
    sup.start(f"""
        [eventlistener:crashmail]
        command={BIN / "crashmail"} -a -m ops@example.com -s {sendmail}
        events=PROCESS_STATE

        [program:steady]
        command={SLEEPER_CMD}

        [program:flaky]
        command={PY} -c "import time; time.sleep(1.5); raise SystemExit(7)"
        autorestart=false
        """)
    sup.wait_state("crashmail", "RUNNING")
    steady = sup.wait_state("steady", "RUNNING")["pid"]
    flaky = sup.wait_state("flaky", "RUNNING")["pid"]
    sup.wait_state("flaky", "EXITED")
    text = sup.wait(lambda: mail.exists() and "exited unexpectedly" in mail.read_text()
                    and mail.read_text(), 10, "crashmail to call sendmail")
    assert "To: ops@example.com" in text
    assert f"Process flaky in group flaky exited unexpectedly (pid {flaky}) from state " \
           "RUNNING" in text
    assert "steady" not in text
    assert sup.info("steady")["pid"] == steady


def test_overflow_drops_the_oldest_events_and_logs_it(sup: Supervisor) -> None:
    ready = sup.tmp / "ready"
    stuck = pyfile(sup.tmp, "stuck", f"""\
        import sys, time
        sys.stdout.write("READY\\n")
        sys.stdout.flush()
        open({str(ready)!r}, "w").close()
        time.sleep(1000)  # never answers
        """)
    sup.start(f"""
        [eventlistener:stuck]
        command={stuck}
        events=REMOTE_COMMUNICATION
        buffer_size=2
        startsecs=0

        [program:steady]
        command={SLEEPER_CMD}
        """)
    steady = sup.wait_state("steady", "RUNNING")["pid"]
    sup.wait_state("stuck", "RUNNING")
    sup.wait(ready.exists, 10, "the listener to say READY")
    time.sleep(0.5)
    rpc = sup.rpc()
    for i in range(6):
        began = time.monotonic()
        assert rpc.supervisor.sendRemoteCommEvent("n", str(i)) is True
        assert time.monotonic() - began < 2  # a stuck listener holds nothing up
    expected = [f"pool stuck event buffer overflowed, discarding event {n}" for n in (1, 2, 3)]
    sup.wait(lambda: all(line in sup.log() for line in expected), 10, "overflow log lines")
    assert "discarding event 4" not in sup.log() and "discarding event 0" not in sup.log()
    assert [ln for ln in sup.log().splitlines() if "overflowed" in ln][0].split()[2] == "ERRO"
    assert sup.info("steady")["pid"] == steady and sup.state("steady") == "RUNNING"
    assert sup.state("stuck") == "RUNNING"


def test_crashed_listener_is_restarted_and_gets_the_event_again(sup: Supervisor) -> None:
    seen = sup.tmp / "seen.txt"
    fragile = pyfile(sup.tmp, "fragile", f"""\
        import os, sys
        from supervisor import childutils
        while True:
            headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
            with open({str(seen)!r}, "a") as f:
                f.write(headers["serial"] + " " + payload.replace("\\n", "|") + "\\n")
            if not os.path.exists({str(seen)!r} + ".crashed"):
                open({str(seen)!r} + ".crashed", "w").close()
                os._exit(1)  # dies while handling the event
            childutils.listener.ok(sys.stdout)
        """)
    sup.start(f"""
        [eventlistener:fragile]
        command={fragile}
        events=REMOTE_COMMUNICATION
        startsecs=0

        [program:steady]
        command={SLEEPER_CMD}
        """)
    steady = sup.wait_state("steady", "RUNNING")["pid"]
    first = sup.wait_state("fragile", "RUNNING")["pid"]
    out = sup.ctl("status")
    lines = {ln.split()[0]: ln.split()[1] for ln in out.stdout.splitlines()}
    assert lines == {"fragile": "RUNNING", "steady": "RUNNING"}
    sup.rpc().supervisor.sendRemoteCommEvent("t", "payload")
    lines2 = sup.wait(lambda: seen.exists() and len(seen.read_text().splitlines()) >= 2
                      and seen.read_text().splitlines(), 15, "the event to be delivered again")
    assert lines2[0] == lines2[1] and lines2[0].endswith("type:t|payload")
    info: dict[str, Any] = sup.wait_state("fragile", "RUNNING")
    assert info["pid"] != first
    assert sup.info("steady")["pid"] == steady and sup.state("steady") == "RUNNING"
    # the listener's stdout (the protocol) goes to its stdout log, as in supervisord
    assert "READY\n" in sup.rpc().supervisor.readProcessStdoutLog("fragile", 0, 0)
    # a pool's listeners are stopped and started like any process
    assert sup.ctl("stop", "fragile").stdout.strip() == "fragile: stopped"
    assert sup.state("fragile") == "STOPPED"
    assert sup.ctl("start", "fragile").stdout.strip() == "fragile: started"
    assert sup.state("fragile") == "RUNNING"
