"""The error a value type raises when it refuses a value, and the kinds of refusal."""

from __future__ import annotations

# Why a conversion failed: the value is wrong wherever it is read, or it names a user, group
# or directory this machine lacks (which only the target machine can judge).
INVALID = "invalid-value"
HOST_USER = "host-user"
HOST_PATH = "host-path"


class ConversionError(ValueError):
    """A value a type refuses; `kind` says why (INVALID, HOST_USER or HOST_PATH)."""

    def __init__(self, message: str, kind: str = INVALID) -> None:
        super().__init__(message)
        self.kind = kind

    def __reduce__(self) -> tuple[type[ConversionError], tuple[str, str]]:
        # keep the kind across pickling (a forked parse sends errors back to its parent)
        return type(self), (str(self), self.kind)
