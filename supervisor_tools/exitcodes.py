"""svtool's exit codes, the same for every command (README, "Exit codes")."""

from __future__ import annotations

OK = 0
# lint findings at or above the failure threshold; options a converter could not express
# (--strict); a --check that found a stale file; a ctl command the supervisor refused
FINDINGS = 1
# bad input or usage: an unreadable or invalid file, a wrong option, an unwritable output
USAGE = 2
