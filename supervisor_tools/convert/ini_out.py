"""Write supervisor INI text that supervisord reads back as exactly the values meant.

configparser strips values, cuts inline comments at a `;` or `#` after whitespace and joins
continuation lines, and supervisord %-expands most values; every value written here is checked
by parsing it back with svtool's own parser, so a value that cannot be written is refused
instead of being changed silently.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping

from supervisor_tools.errors import Span, SvtoolError
from supervisor_tools.options.table import spec
from supervisor_tools.syntax.parser import parse

_ENV_KEY = re.compile(r"^[A-Za-z0-9_/.+\-():]+$")
_COMMENT_AFTER_SPACE = re.compile(r"(?<=\s)(?=[;#])")


def escape_percent(text: str, kind: str, option: str) -> str:
    """`text` as a literal for `option`: each `%` doubled once per expansion pass."""
    row = spec(kind, option)
    passes = 1 if row is None else row.expansion.passes
    return text.replace("%", "%" * (2 ** passes))


def quote_words(words: Iterable[str]) -> str:
    """A command line supervisord splits (POSIX shlex) back into exactly `words`."""
    out = []
    for word in words:
        quoted = shlex.quote(word)
        # '' between whitespace and ; or # keeps the word whole for shlex and stops
        # configparser from taking the rest of the line as a comment.
        out.append(_COMMENT_AFTER_SPACE.sub("''", quoted) if quoted.startswith("'") else quoted)
    return " ".join(out)


def environment_text(env: Mapping[str, str], where: Span, kind: str = "program",
                     literal: bool = True) -> str:
    """KEY="value" pairs in supervisord's own environment syntax.

    `literal` values are %-escaped; otherwise they are expressions and written as they are.
    """
    parts = []
    for key, value in env.items():
        if not _ENV_KEY.fullmatch(key):
            raise SvtoolError(f"environment variable name {key!r} cannot be written in "
                              "supervisor's environment syntax", where)
        if value[:1] in "'\"" and value or value[-1:] in ("'", '"'):
            raise SvtoolError(f"environment value {value!r} of {key} starts or ends with a quote, "
                              "which supervisor's environment syntax cannot keep", where)
        quote = '"' if '"' not in value else "'"
        if quote in value:
            raise SvtoolError(f"environment value {value!r} of {key} holds both quote characters",
                              where)
        text = escape_percent(value, kind, "environment") if literal else value
        parts.append(f"{key}={quote}{text}{quote}")
    return ",".join(parts)


def _survives(key: str, text: str) -> bool:
    doc = parse(f"[x]\n{key} = {text}\n")
    if doc.bad_lines() or len(doc.sections) != 1:
        return False
    opts = doc.sections[0].options()
    return len(opts) == 1 and opts[0].key == key and opts[0].value == text


def check_value(section: str, key: str, text: str) -> None:
    """Raise SvtoolError unless `key = text` reads back as exactly `text`."""
    if "\n" in text or "\r" in text or not _survives(key, text):
        raise SvtoolError(f"[{section}] {key}: value {text!r} cannot be written in supervisor's "
                          "INI syntax (line break, surrounding space or an inline comment "
                          "marker)")


def render(sections: Iterable[tuple[str, list[tuple[str, str]]]], header: str = "",
           comments: Mapping[str, str] | None = None) -> str:
    """INI text for (section name, [(key, value text)]) pairs; refuses unwritable values.

    `comments` puts a comment line above a section (by section name).
    """
    chunks = [header] if header else []
    for name, options in sections:
        comment = (comments or {}).get(name)
        lines = [f"; {comment}", f"[{name}]"] if comment else [f"[{name}]"]
        for key, text in options:
            check_value(name, key, text)
            lines.append(f"{key} = {text}" if text else f"{key} =")
        chunks.append("\n".join(lines) + "\n")
    return "\n".join(chunks)
