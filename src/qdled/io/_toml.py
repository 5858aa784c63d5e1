"""Loading TOML files into pydantic models with one-line errors, and a tiny TOML writer.

The writer covers what stack and recipe files use (tables, arrays of tables, strings,
numbers, booleans); it exists because ``tomllib`` only reads.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from qdled.errors import InputError

M = TypeVar("M", bound=BaseModel)


def _named_loc(loc: tuple, data: Any) -> str:
    """``layers.3.n`` -> ``layers.3.n (QD)``: an entry of an array of tables is also named by its ``name`` key."""
    node, name = data, None
    for x in loc:
        if isinstance(node, dict):
            node = node.get(x)
        elif isinstance(node, (list, tuple)) and isinstance(x, int) and 0 <= x < len(node):
            node = node[x]
        else:
            node = None
        if isinstance(x, int) and isinstance(node, dict) and isinstance(node.get("name"), str):
            name = node["name"][:64]
    text = ".".join(str(x) for x in loc)
    return f"{text} ({name})" if name else text


def _format_validation(exc: ValidationError, source: str, data: Any = None) -> str:
    parts = []
    for e in exc.errors():
        loc = _named_loc(tuple(e.get("loc", ())), data)
        msg = e.get("msg", "invalid").removeprefix("Value error, ")  # our own validators' messages, as written
        inp = e.get("input")
        shown = repr(inp) if len(repr(inp)) <= 80 else repr(inp)[:60] + f"... ({len(repr(inp))} characters)"
        got = f" (got {shown})" if inp is not None and not isinstance(inp, (dict, list)) else ""
        parts.append(f"{loc}: {msg}{got}" if loc else f"{msg}{got}")
    return f"{source}: " + "; ".join(parts)


def parse_model(model: type[M], data: dict[str, Any], source: str) -> M:
    """Validate ``data`` as ``model``; errors become one :class:`InputError` line naming the field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(_format_validation(exc, source, data)) from None


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"cannot write non-finite number {v!r} to TOML")
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a valid TOML basic string (escapes)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else _value(k)  # TOML bare keys are ASCII only


def dumps(data: dict[str, Any]) -> str:
    """Serialise nested dicts: scalars and inline tables first, then tables and arrays of tables."""
    lines: list[str] = []
    _dump_table(data, [], lines)
    return "\n".join(lines).strip() + "\n"


def _dump_table(data: dict[str, Any], prefix: list[str], lines: list[str]) -> None:
    def is_table_array(v: Any) -> bool:
        return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)

    for k, v in data.items():
        if v is None or isinstance(v, dict) or is_table_array(v):
            continue
        lines.append(f"{_key(k)} = {_value(v)}")
    for k, v in data.items():
        name = ".".join(_key(x) for x in [*prefix, k])
        if isinstance(v, dict):
            lines += ["", f"[{name}]"]
            _dump_table(v, [*prefix, k], lines)
        elif is_table_array(v):
            for item in v:
                lines += ["", f"[[{name}]]"]
                _dump_table(item, [*prefix, k], lines)
