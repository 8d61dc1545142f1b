"""systemd values as supervisor expressions: specifiers, `$VAR`, time spans, shell words.

A value is built as segments, literal text and %(name)s expressions kept apart, so that the
option it ends up in can escape the literal parts for its own number of expansion passes.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Collection

from supervisor_tools.convert.systemd_units import unescape_name
from supervisor_tools.ini import percent_literal, protect_comments
from supervisor_tools.options.table import spec

Segment = tuple[bool, str]  # (is_expression, text)

# Directories the system manager's specifiers stand for.
SPECIFIER_DIRS = {"t": "/run", "S": "/var/lib", "C": "/var/cache", "L": "/var/log",
                  "E": "/etc", "T": "/tmp", "V": "/var/tmp"}
PROCESS_NUM: Segment = (True, "%(process_num)s")
COMMAND = spec("program", "command")
_TIME_UNITS = {"us": 1e-6, "usec": 1e-6, "ms": 1e-3, "msec": 1e-3, "s": 1, "sec": 1,
               "second": 1, "seconds": 1, "m": 60, "min": 60, "minute": 60, "minutes": 60,
               "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600, "d": 86400, "day": 86400,
               "days": 86400, "w": 604800, "week": 604800, "weeks": 604800}
_ENV_REF = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_SPLIT_REF = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")


def resolve_specifiers(text: str, unit_name: str, template: bool) -> list[Segment]:
    """`text` with systemd's %-specifiers resolved; raises ValueError for one with no
    supervisor equivalent. In a template, the instance is the process number."""
    base, _, suffix = unit_name.rpartition(".")
    prefix, _, instance_text = base.partition("@")
    instance = [PROCESS_NUM] if template else [(False, instance_text)]
    out: list[Segment] = []
    i = 0
    while i < len(text):
        if text[i] != "%":
            out.append((False, text[i]))
            i += 1
            continue
        s = text[i + 1:i + 2]
        i += 2
        if s == "%":
            out.append((False, "%"))
        elif s in ("i", "I"):
            out.extend(instance)
        elif s in ("p", "P"):
            out.append((False, prefix if s == "p" else unescape_name(prefix)))
        elif s in ("n", "N"):
            tail = "." + suffix if s == "n" else ""
            if template:
                out += [(False, prefix + "@"), *instance, (False, tail)]
            else:
                out.append((False, base + tail))
        elif s == "H":
            out.append((True, "%(host_node_name)s"))
        elif s in SPECIFIER_DIRS:
            out.append((False, SPECIFIER_DIRS[s]))
        else:
            raise ValueError(f"the specifier %{s} has no supervisor equivalent")
    return merge(out)


def merge(segs: list[Segment]) -> list[Segment]:
    """Adjacent literal segments joined, empty ones dropped."""
    out: list[Segment] = []
    for is_expr, text in segs:
        if not text:
            continue
        if out and not is_expr and not out[-1][0]:
            out[-1] = (False, out[-1][1] + text)
        else:
            out.append((is_expr, text))
    return out


def literal(segs: list[Segment]) -> str:
    """The text of segments as written (expressions included as they are)."""
    return "".join(text for _, text in segs)


def option_text(segs: list[Segment], option: str, skip: int = 0) -> str:
    """Segments as the value of `option`, the first `skip` literal characters dropped.

    Literal `%` is doubled once per expansion pass of the option.
    """
    row = spec("program", option)
    out = []
    for is_expr, text in merge(segs):
        if not is_expr and skip:
            cut = min(skip, len(text))
            text, skip = text[cut:], skip - cut
        out.append(text if is_expr else percent_literal(text, row))
    return "".join(out)


def env_refs(segs: list[Segment], defined: Collection[str]) -> tuple[list[Segment], list[str]]:
    """`$$`, `${VAR}` and `$VAR` in literal text: `$`, or %(ENV_VAR)s when the unit defines
    VAR; the names it does not define stay literal and are returned."""
    out: list[Segment] = []
    missing: list[str] = []
    for is_expr, text in merge(segs):
        if is_expr:
            out.append((True, text))
            continue
        pos = 0
        for m in _ENV_REF.finditer(text):
            out.append((False, text[pos:m.start()]))
            name = m.group(1) or m.group(2)
            if name is None:
                out.append((False, "$"))
            elif name in defined:
                out.append((True, f"%(ENV_{name})s"))
            else:
                missing.append(name)
                out.append((False, m.group(0)))
            pos = m.end()
        out.append((False, text[pos:]))
    return merge(out), missing


def is_split_reference(word: str) -> bool:
    """`$VAR` as a whole word: systemd splits its value at whitespace (`${VAR}` it does not)."""
    return _SPLIT_REF.fullmatch(word) is not None


def shell_word(segs: list[Segment], split_value: bool = False) -> str:
    """One word of a supervisord command: POSIX shell quoting, `%` escaped, expressions kept.

    A value to split at whitespace (`$VAR` alone) is left unquoted, as supervisord splits the
    command after expanding it.
    """
    segs = merge(segs)
    if split_value and len(segs) == 1 and segs[0][0]:
        return segs[0][1]
    if all(not is_expr for is_expr, _ in segs):
        quoted = shlex.quote(literal(segs))
        if quoted.startswith("'"):
            quoted = protect_comments(quoted)
        return percent_literal(quoted, COMMAND)
    body = "".join(text if is_expr else percent_literal(text.replace("'", "'\"'\"'"), COMMAND)
                   for is_expr, text in segs)
    return "'" + protect_comments(body) + "'"


def parse_timespan(text: str) -> float:
    """Seconds in a systemd time span ("10", "1min 30s", "500ms"); raises ValueError."""
    text = text.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    total = 0.0
    pos = 0
    for m in re.finditer(r"\s*(\d+(?:\.\d+)?)\s*([a-z]+)", text):
        if m.start() != pos or m.group(2) not in _TIME_UNITS:
            raise ValueError(f"not a time span: {text!r}")
        total += float(m.group(1)) * _TIME_UNITS[m.group(2)]
        pos = m.end()
    if pos != len(text) or pos == 0:
        raise ValueError(f"not a time span: {text!r}")
    return total
