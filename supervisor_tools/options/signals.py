"""Signal names and numbers, read as supervisord 4.3.0 reads them: the one table of them.

A config's stopsignal, the runtime's Policy and a signal asked for over XML-RPC all become
numbers here.
"""

from __future__ import annotations

import signal

from supervisor_tools.options.conversion import ConversionError

# Every value of every attribute of the signal module whose name starts with SIG, as
# supervisord computes its list of valid signal numbers (SIG_DFL = 0 makes 0 valid).
SIGNAL_NUMBERS = frozenset(int(getattr(signal, k)) for k in dir(signal) if k.startswith("SIG"))


def signal_name(num: int) -> str:
    """Canonical name without "SIG" ("TERM"), or the number as text if it names no signal."""
    try:
        return signal.Signals(num).name[3:]
    except ValueError:
        return str(num)


def signal_number(name: str) -> int:
    """The number of a canonical name produced by signal_name."""
    return int(name) if name.isdigit() else int(getattr(signal, "SIG" + name))


def signal_label(num: int) -> str:
    """How logs and messages name a signal: SIGTERM, or "signal 99" for a number without one."""
    try:
        return signal.Signals(num).name
    except ValueError:
        return f"signal {num}"


def parse_signal(text: str) -> int:
    """A signal name (TERM, SIGTERM, any case) or number, as supervisord's signal_number reads
    it, for a config value as for a signal asked for over XML-RPC. Raises ConversionError."""
    try:
        num = int(text)
    except ValueError:
        name = text.strip().upper()
        if not name.startswith("SIG"):
            name = "SIG" + name
        attr = getattr(signal, name, None)
        if attr is None or not isinstance(attr, int):
            raise ConversionError(f"value {text!r} is not a valid signal name") from None
        num = int(attr)
    if num not in SIGNAL_NUMBERS:
        raise ConversionError(f"value {text!r} is not a valid signal number")
    return num
