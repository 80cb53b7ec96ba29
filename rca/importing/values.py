"""How a record's value is named in an error message: its JSON type, and a long value cut short."""

from collections.abc import Mapping
from typing import Any


def json_kind(value: Any) -> str:
    """The JSON name of a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def shown(value: str, limit: int = 40) -> str:
    """A value quoted in a message, cut so that an oversized one does not flood the rejects file."""
    return value if len(value) <= limit else value[:limit] + "..."
