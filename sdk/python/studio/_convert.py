"""Turns JSON from the wire into the generated dataclasses, following their type annotations."""

from __future__ import annotations

import dataclasses
import functools
import keyword
import typing
from typing import Any, Dict

__all__ = ["from_wire", "wire_name"]


def wire_name(name: str) -> str:
    """The wire name of a Python name: ``from_`` -> ``from`` (a keyword cannot be a keyword argument)."""
    return name[:-1] if name.endswith("_") and keyword.iskeyword(name[:-1]) else name


@functools.lru_cache(maxsize=None)
def _fields(cls: type) -> Dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {field.name: hints[field.name] for field in dataclasses.fields(cls)}


def from_wire(annotation: Any, value: Any) -> Any:
    """``value`` as ``annotation`` describes it; fields the model does not know (a newer server) are ignored."""
    if value is None:
        return None
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        if not isinstance(value, dict):
            return value
        known = {name: from_wire(hint, value.get(wire_name(name))) for name, hint in _fields(annotation).items()}
        return annotation(**known)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is list and isinstance(value, list):
        return [from_wire(args[0] if args else Any, item) for item in value]
    if origin is dict and isinstance(value, dict):
        return {key: from_wire(args[1] if len(args) == 2 else Any, item) for key, item in value.items()}
    if origin is typing.Union:
        members = [arg for arg in args if arg is not type(None)]
        return from_wire(members[0], value) if len(members) == 1 else value
    return value
