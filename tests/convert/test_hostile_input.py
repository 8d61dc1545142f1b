"""Bad input never gives a traceback: every failure is an SvtoolError with a position."""

from __future__ import annotations

import os
import tempfile

from hypothesis import event, given, settings
from hypothesis import strategies as st

from supervisor_tools.convert.systemd_in import from_systemd
from supervisor_tools.convert.yaml_in import from_yaml_text
from supervisor_tools.errors import SvtoolError

# Lines that look like unit files, with the characters that make parsing interesting.
unit_line = st.one_of(
    st.sampled_from(["[Unit]", "[Service]", "[Install]", "", "# c", "; c", "\\"]),
    st.builds(lambda k, v: f"{k}={v}",
              st.sampled_from(["ExecStart", "Environment", "User", "Restart", "KillSignal",
                               "TimeoutStopSec", "StandardOutput", "WorkingDirectory", "UMask",
                               "StartLimitBurst", "After", "WantedBy", "Bogus"]),
              st.text(st.sampled_from(list("ab /%$\\\"'-@+!:;=0x{}iIn~")), max_size=20)),
    st.text(max_size=15),
)
yaml_text = st.one_of(
    st.text(max_size=60),
    st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
                 lambda inner: st.one_of(st.lists(inner, max_size=3),
                                         st.dictionaries(st.sampled_from(
                                             ["programs", "groups", "supervisord", "web",
                                              "command", "numprocs", "environment", "x"]),
                                             inner, max_size=3)),
                 max_leaves=12).map(repr),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(unit_line, max_size=12), st.sampled_from(["a.service", "w@.service",
                                                            "g.target"]))
def test_from_systemd_fails_only_with_positioned_errors(lines: list[str], name: str) -> None:
    with tempfile.TemporaryDirectory(prefix="svtool-hostile-") as tmp:
        path = os.path.join(tmp, name)
        with open(path, "w", encoding="utf-8", errors="surrogatepass") as fh:
            fh.write("\n".join(lines))
        try:
            from_systemd([path])
        except SvtoolError as exc:
            assert exc.span is not None or str(exc)
            assert str(exc)


@settings(max_examples=150, deadline=None)
@given(yaml_text)
def test_from_yaml_fails_only_with_positioned_errors(text: str) -> None:
    try:
        from_yaml_text(text, "h.yaml")
    except SvtoolError as exc:
        assert str(exc).startswith("h.yaml:")


nasty = st.text(st.sampled_from(list("ab /%()$\\\"';#=,:09é\t")), max_size=12)
# Mostly loadable values with hostile text inside, so the converters see them.
ini_options = st.fixed_dictionaries({}, optional={
    "command": st.one_of(nasty.map(lambda v: f"/bin/echo {v}"), nasty),
    "directory": nasty.map(lambda v: f"/srv/{v}"),
    "user": nasty,
    "environment": nasty.map(lambda v: 'K="' + v.replace('"', "") + '"'),
    "stdout_logfile": st.one_of(nasty.map(lambda v: f"/var/log/{v}"), st.just("NONE")),
    "stderr_logfile": nasty.map(lambda v: f"/var/log/{v}"),
    "process_name": nasty.map(lambda v: f"%(program_name)s_%(process_num)s{v}"),
    "numprocs": st.sampled_from(["1", "2", "3"]),
    "stopsignal": st.sampled_from(["TERM", "0", "RTMIN", "9"]),
    "exitcodes": st.sampled_from(["0", "1,2", "255"]),
    "serverurl": nasty,
    "priority": st.sampled_from(["-5", "0", "999"]),
})


@settings(max_examples=150, deadline=None)
@given(ini_options)
def test_converters_of_any_loadable_config_fail_only_with_positioned_errors(
        options: dict[str, str]) -> None:
    from supervisor_tools.convert.source import load_for_conversion
    from supervisor_tools.convert.systemd_out import SystemdOptions, to_systemd
    from supervisor_tools.convert.yaml_out import to_yaml

    options.setdefault("command", "/bin/true")
    text = "[program:p]\n" + "".join(f"{k} = {v}\n" for k, v in options.items())
    with tempfile.TemporaryDirectory(prefix="svtool-hostile-") as tmp:
        path = os.path.join(tmp, "p.conf")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:
            result = load_for_conversion(path)
        except SvtoolError:
            event("the config has errors")
            return
        event("the config loads")
        try:
            to_systemd(result.model, SystemdOptions(which=lambda p: True))
        except SvtoolError as exc:
            assert str(exc).startswith(path)
        yaml_text = to_yaml(result)
        try:
            from_yaml_text(yaml_text, "p.yaml")
        except SvtoolError as exc:  # only values INI cannot hold may be refused
            assert "cannot be written in supervisor's" in str(exc), yaml_text
