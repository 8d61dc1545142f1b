"""Dependencies in to-systemd: After= and Requires= per condition, and the reported losses."""

from __future__ import annotations

from supervisor_tools.convert.source import load_for_conversion
from supervisor_tools.convert.systemd_out import SystemdOptions, to_systemd

from .helpers import FIXTURES, REPO


def test_waits_become_after_and_requires() -> None:
    path = FIXTURES / "configs" / "dependencies.conf"
    result = load_for_conversion(str(path.relative_to(REPO)))
    conv = to_systemd(result.model, SystemdOptions(which=lambda p: True))
    web = conv.units["web.service"]
    # a group stands for its members; migrate:exited needs migrate up too
    assert "After=db.service cache.service migrate.service\n" in web
    assert "Requires=db.service cache.service migrate.service\n" in web
    # started by its waits although autostart=false, as svtool run starts it
    assert "WantedBy=multi-user.target" in web
    # depends_on is order only
    assert "After=web.service\n" in conv.units["cron.service"]
    assert "Requires=" not in conv.units["cron.service"]
    # a wait for FATAL cannot be written: nothing, and reported
    assert "web.service" not in conv.units["fallback.service"]
    lost = [(x.span.line, x.message) for x in conv.lost]
    assert (23, "[program:web] dependent_startup_wait_for: migrate:exited: After= waits for "
                "the exit only when that unit is Type=oneshot") in lost
    assert any(line == 24 and "dependent_startup_inherit_priority" in m for line, m in lost)
    assert (29, "[program:fallback] dependent_startup_wait_for: web:fatal: systemd has "
                "OnFailure= on the failing unit instead of a wait on it") in lost
