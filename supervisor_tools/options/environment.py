"""The environment option: supervisord's KEY="value",KEY2=val tokenizer and its value type."""

from __future__ import annotations

import re
from typing import Any

from supervisor_tools.options.conversion import ConversionError
from supervisor_tools.options.valuetype import ValueType

# The common case of supervisord's environment tokenizer (a non-POSIX shlex whose word
# characters are ASCII letters, digits and "_/.+-():"): text made only of word characters,
# closed quotes, "=", "," and spaces or tabs. There a token is a word (quotes inside a word are
# part of it), a quoted string with its quotes, or "=" or ","; a regex finds them several times
# faster. Anything else goes through shlex itself.
_ENV_TOKEN_RE = r"""[\w/.+\-():][\w/.+\-():"']*+|"[^"]*"|'[^']*'|[=,]"""
# atomic, as the tokenizer never gives back what a token took
_ENV_PLAIN = re.compile(rf"(?:(?>{_ENV_TOKEN_RE})|[ \t])*+\Z", re.ASCII)
_ENV_TOKEN = re.compile(_ENV_TOKEN_RE, re.ASCII)


def environment_tokens(text: str) -> list[str]:
    """The tokens supervisord's environment tokenizer reads from `text`."""
    if _ENV_PLAIN.match(text):
        return _ENV_TOKEN.findall(text)
    import shlex  # here: the common case above does without it

    lexer = shlex.shlex(text)
    lexer.wordchars += "/.+-():"
    return list(lexer)


def environment_pairs(text: str) -> dict[str, str]:
    """supervisord's KEY=val,KEY2="val 2" tokenizer (a non-POSIX shlex), quirks included."""
    tokens = environment_tokens(text)
    out: dict[str, str] = {}
    i = 0
    while i < len(tokens):
        triple = tokens[i:i + 3]
        if len(triple) != 3 or triple[1] != "=":
            raise ConversionError(f"Unexpected end of key/value pairs in value '{text}'")
        out[triple[0]] = triple[2].strip("'\"")
        i += 4
    return out


class EnvironmentType(ValueType):
    name = "environment"
    doc = 'KEY="value",KEY2="value 2" pairs (quote any value that is not a plain word)'
    immutable = False  # a dict

    def convert(self, text: str, host: bool = True) -> dict[str, str]:
        return environment_pairs(text)

    def format(self, value: Any) -> str:
        return ",".join(f'{k}="{v}"' for k, v in value.items())

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "object", "additionalProperties": {"type": "string"}},
                          {"type": "string"}]}
