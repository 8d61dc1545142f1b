"""minfds/minprocs: raising the supervisor's own limits, or refusing to start."""

from __future__ import annotations

import subprocess
import sys

import pytest

from supervisor_tools.errors import SvtoolError
from supervisor_tools.runtime.limits import raise_limit

# Run in a child: raising a limit changes the process for good.
CHILD = """
import resource, sys
from supervisor_tools.runtime.limits import raise_limit
res = {"minfds": resource.RLIMIT_NOFILE, "minprocs": resource.RLIMIT_NPROC}[sys.argv[1]]
hard = resource.getrlimit(res)[1]
resource.setrlimit(res, (100, hard))
print(raise_limit(sys.argv[1], 150), resource.getrlimit(res)[0], raise_limit(sys.argv[1], 120))
"""


@pytest.mark.parametrize(("option", "name"), [("minfds", "RLIMIT_NOFILE"),
                                              ("minprocs", "RLIMIT_NPROC")])
def test_a_low_soft_limit_is_raised(option: str, name: str) -> None:
    out = subprocess.run([sys.executable, "-c", CHILD, option], capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["Increased", name, "limit", "to", "150", "150", "None"]


def test_an_impossible_limit_stops_the_start_up() -> None:
    # More open files than the kernel allows anyone (fs.nr_open), even root.
    with pytest.raises(SvtoolError, match="minfds=1099511627776 needs RLIMIT_NOFILE"):
        raise_limit("minfds", 1 << 40)
