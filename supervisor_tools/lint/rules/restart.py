"""Rules about svtool's extensions: keys plain supervisord ignores (for configs that must run
on it), and restart-policy and container-mode settings that contradict each other."""

from __future__ import annotations

from supervisor_tools.errors import Severity
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Report, rule
from supervisor_tools.lint.rules.process import explicit_span, programs
from supervisor_tools.model.model import ProcessConfig
from supervisor_tools.options.numbers import format_number
from supervisor_tools.options.table import UNLIMITED, spec

W = Severity.WARNING
BACKOFF_KEYS = ("backoffincrement", "backoffmultiplier", "maxbackoff")


@rule("SV260", "svtool-extension", Severity.ERROR,
      "an svtool extension key or value, in a config that must run on plain supervisord",
      group="supervisord")
def svtool_extension(ctx: Context, report: Report) -> None:
    """supervisord 4.3.0 ignores keys it does not know, so a config with svtool's extensions
    (restart policy, container mode, readiness, dependencies...) loads there, but runs
    differently: the key does nothing. A few of supervisord's own keys take a value that only
    svtool reads as meant: `startretries = -1` retries for ever under svtool, and gives up after
    the first failure under supervisord.

    Every option row of svtool's option table says whether it is an extension (and which
    values of a supervisord key are), so the rule knows every extension key, whichever part of
    svtool adds it. In the opt-in group "supervisord", selected by `--target supervisord` or
    `target = "supervisord"` in the settings: for a config that must behave the same on plain
    supervisord 4.3.0.

    Failing:

        [program:web]
        command = /usr/bin/web
        maxbackoff = 60

    Passing:

        [program:web]
        command = /usr/bin/web
        startretries = 10
    """
    for ref, opt in ctx.options():
        assert ref.kind is not None
        row = spec(ref.kind, opt.key)
        if row is None:
            continue
        name = ref.section.name
        if row.extension:
            report(opt.key_span, f"[{name}] {opt.key} is an svtool extension: supervisord 4.3.0 "
                                 "ignores it")
        elif row.extension_values:
            try:
                value = row.type.convert(opt.value.strip(), host=False)
            except ValueError:
                continue
            if value in row.extension_values:
                report(opt.value_span, f"[{name}] {opt.key}={opt.value.strip()} means something "
                                       "else to supervisord 4.3.0 (svtool extension)")


@rule("SV261", "restart-policy-contradiction", W,
      "restart-policy or exit_on_end settings that have no effect or defeat each other",
      options=(*BACKOFF_KEYS, "backoffreset", "startretries", "exit_on_end"))
def restart_policy_contradiction(ctx: Context, report: Report) -> None:
    """svtool's restart policy (docs/restart.md) is read together with supervisord's keys, and
    some combinations cannot do what they say:

    - backoff keys when nothing ever waits: `startretries = 0` gives up at the first failed
      start, and without `backoffreset` an exit after RUNNING restarts at once;
    - `backoffreset` with `autorestart = false` (nothing restarts after RUNNING), or no longer
      than `startsecs` (every process that reached RUNNING has been up that long already);
    - `backoffmultiplier` above 1 with `backoffincrement = 0`: every wait is 0;
    - `maxbackoff` below `backoffincrement`: every wait is the cap;
    - `startretries = -1` without `maxbackoff`: the waits grow without limit (a day of
      failures waits hours between tries);
    - `exit_on_end` with `autorestart = true` and `startretries = -1`: the process never ends
      for good, so the supervisor never exits because of it.

    Failing:

        [program:web]
        command = /usr/bin/web
        startretries = -1

    Passing:

        [program:web]
        command = /usr/bin/web
        startretries = -1
        maxbackoff = 60
    """
    for prog in programs(ctx):
        for key, message in contradictions(prog.proc):
            span = explicit_span(ctx, prog, key)
            if span is not None:
                report(span, f"[{prog.name}] {message}")


def contradictions(p: ProcessConfig) -> list[tuple[str, str]]:
    """(option, message) for each contradiction in one program's restart settings."""
    out: list[tuple[str, str]] = []

    def say(key: str, message: str) -> None:
        out.append((key, message))

    if p.startretries == 0 and p.backoffreset <= 0:
        for key in BACKOFF_KEYS:
            say(key, f"{key} has no effect: startretries=0 never retries and without "
                     "backoffreset an exit after RUNNING restarts at once")
    if p.backoffreset > 0 and p.autorestart is False:
        say("backoffreset", "backoffreset has no effect with autorestart=false")
    elif 0 < p.backoffreset <= p.startsecs:
        say("backoffreset", f"backoffreset={format_number(p.backoffreset)} has no effect: "
                            f"a process is up startsecs={p.startsecs} s before RUNNING")
    if p.backoffmultiplier > 1 and p.backoffincrement == 0:
        say("backoffmultiplier", "backoffmultiplier has no effect: backoffincrement=0 makes "
                                 "every wait 0")
    if 0 < p.maxbackoff < p.backoffincrement:
        say("maxbackoff", f"maxbackoff={format_number(p.maxbackoff)} is below "
                          f"backoffincrement={format_number(p.backoffincrement)}: every "
                          "wait is the cap")
    if p.startretries == UNLIMITED and p.maxbackoff <= 0 and p.backoffincrement > 0:
        say("startretries", "startretries=-1 retries for ever without maxbackoff: the "
                            "waits grow without limit")
    if p.exit_on_end and p.autorestart is True and p.startretries == UNLIMITED:
        say("exit_on_end", "exit_on_end never acts: with autorestart=true and "
                           "startretries=-1 the process never ends for good")
    return out
