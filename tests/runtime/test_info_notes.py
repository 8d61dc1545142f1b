"""The note an EXITED process shows while its restart waits."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from supervisor_tools.runtime.rpc.info import restarting_in


def test_whole_seconds_rounded_up() -> None:
    assert restarting_in(2.0) == "restarting in 2 s"
    assert restarting_in(2.01) == "restarting in 3 s"
    assert restarting_in(0.2) == "restarting in 1 s"


@given(st.floats(min_value=-5, max_value=1e6, allow_nan=False))
def test_never_zero_and_never_short(remaining: float) -> None:
    shown = int(restarting_in(remaining).split()[2])
    assert shown >= 1 and shown >= remaining
