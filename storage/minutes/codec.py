"""Dataclasses of the minutes model to plain JSON values and back.

The lead stores the secretary's edited draft as JSON and gets it back from the browser, so
`decode` trusts nothing: wrong types are refused with the path of the bad value
("Minutes.items[1].votes[0].options[2].count": expected an integer), unknown keys are ignored
(a newer browser may send more), and missing keys take the field's default.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from datetime import date, time
from enum import Enum
from typing import Any, TypeVar, get_args, get_origin

from storage.minutes.errors import InvalidMinutes

T = TypeVar("T")


def encode(value: Any) -> Any:
    """A dataclass (or anything inside one) as JSON-ready dicts, lists, strings and numbers."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | time):
        # ISO, minutes only for clock times: "2026-11-29", "08:00"
        return value.isoformat(timespec="minutes") if isinstance(value, time) else value.isoformat()
    return value


def decode(cls: type[T], data: Any, path: str = "") -> T:
    """`data` (parsed JSON) as an instance of the dataclass `cls`."""
    value: T = _decode(cls, data, path or cls.__name__)
    return value


def _decode(kind: Any, data: Any, path: str) -> Any:
    origin = get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return _decode_optional(kind, data, path)
    if origin is list:
        if not isinstance(data, list):
            raise _wrong(path, "một danh sách", "a list")
        (inner,) = get_args(kind)
        return [_decode(inner, v, f"{path}[{i}]") for i, v in enumerate(data)]
    if dataclasses.is_dataclass(kind):
        return _decode_dataclass(kind, data, path)
    return _decode_scalar(kind, data, path)


def _decode_optional(kind: Any, data: Any, path: str) -> Any:
    options = [a for a in get_args(kind) if a is not type(None)]
    if data is None:
        return None
    if len(options) != 1:
        raise TypeError(f"{path}: only `X | None` unions are supported")
    return _decode(options[0], data, path)


def _decode_dataclass(cls: Any, data: Any, path: str) -> Any:
    if not isinstance(data, dict):
        raise _wrong(path, "một đối tượng", "an object")
    hints = _hints(cls)
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            values[f.name] = _decode(hints[f.name], data[f.name], f"{path}.{f.name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise InvalidMinutes(path=f"{path}.{f.name}", vi="thiếu", en="missing")
    # __post_init__ checks (a secret vote with names…) raise InvalidMinutes themselves.
    return cls(**values)


def _decode_scalar(kind: Any, data: Any, path: str) -> Any:
    if isinstance(kind, type) and issubclass(kind, Enum):
        try:
            return kind(data)
        except ValueError:
            choices = ", ".join(str(m.value) for m in kind)
            raise _wrong(path, f"một trong: {choices}", f"one of: {choices}") from None
    if kind is bool:
        if not isinstance(data, bool):
            raise _wrong(path, "true hoặc false", "true or false")
        return data
    if kind is int:
        # bool is an int in Python, not in JSON's meaning
        if not isinstance(data, int) or isinstance(data, bool):
            raise _wrong(path, "một số nguyên", "an integer")
        return data
    if kind is str:
        if not isinstance(data, str):
            raise _wrong(path, "một chuỗi", "a string")
        return data
    if kind in (date, time):
        return _decode_iso(kind, data, path)
    raise TypeError(f"{path}: cannot decode {kind!r}")


def _decode_iso(kind: type[date] | type[time], data: Any, path: str) -> date | time:
    vi, en = ("ngày dạng", "a date like") if kind is date else ("giờ dạng", "a time like")
    example = "2026-11-29" if kind is date else "08:30"
    if not isinstance(data, str):
        raise _wrong(path, f"{vi} {example}", f"{en} {example}")
    try:
        return kind.fromisoformat(data)
    except ValueError:
        raise _wrong(path, f"{vi} {example}", f"{en} {example}") from None


def _wrong(path: str, vi: str, en: str) -> InvalidMinutes:
    return InvalidMinutes(path=path, vi=f"cần {vi}", en=f"expected {en}")


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    # The model uses `from __future__ import annotations`: field types are strings until resolved.
    return typing.get_type_hints(cls)
