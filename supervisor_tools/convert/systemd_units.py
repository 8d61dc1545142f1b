"""A systemd unit as data, unit-name escaping, and its text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NAME_OK = re.compile(r"[A-Za-z0-9:_.\-]")
SECTION_ORDER = ("Unit", "Service", "Socket", "Install")


def escape_name(name: str) -> str:
    """`name` as a unit name part: characters systemd refuses (and `@`) become \\xNN bytes."""
    out = []
    for i, ch in enumerate(name):
        if _NAME_OK.match(ch) and not (i == 0 and ch == "."):
            out.append(ch)
        else:
            out.extend(f"\\x{b:02x}" for b in ch.encode("utf-8"))
    return "".join(out)


def unescape_name(text: str) -> str:
    """The inverse of escape_name."""
    raw = bytearray()
    i = 0
    while i < len(text):
        if text.startswith("\\x", i) and re.match(r"[0-9a-fA-F]{2}", text[i + 2:i + 4]):
            raw.append(int(text[i + 2:i + 4], 16))
            i += 4
        else:
            raw.extend(text[i].encode("utf-8"))
            i += 1
    return raw.decode("utf-8", "replace")


@dataclass(slots=True)
class Unit:
    """One unit file: its name and directives per section, in the order written."""

    name: str
    header: str = ""  # a comment block at the top (without the leading "# ")
    sections: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def add(self, section: str, key: str, value: str) -> None:
        self.sections.setdefault(section, []).append((key, value))

    def get(self, section: str, key: str) -> list[str]:
        return [v for k, v in self.sections.get(section, []) if k == key]

    def text(self) -> str:
        chunks = []
        if self.header:
            chunks.append("".join(f"# {line}\n" if line else "#\n"
                                  for line in self.header.splitlines()))
        names = [s for s in SECTION_ORDER if s in self.sections]
        names += [s for s in self.sections if s not in SECTION_ORDER]
        for name in names:
            body = "".join(f"{k}={v}\n" for k, v in self.sections[name])
            chunks.append(f"[{name}]\n{body}")
        return "\n".join(chunks)
