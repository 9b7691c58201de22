"""Frozen dataclasses (EventMention, Mention, Place, OverrideRow) to JSON and back, as the store keeps them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import math
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(obj: Any) -> str:
    """A frozen dataclass (EventMention, Mention, Place) as compact JSON."""
    return json.dumps(dataclasses.asdict(obj), default=_json_default, ensure_ascii=False, separators=(",", ":"))


Converter = Callable[[Any], Any]


@functools.cache
def _converter(tp: Any) -> Converter | None:
    """How to turn the JSON of a non-null value of type ``tp`` back into it (None: as it is)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):  # X | None: nulls never reach a converter
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        return _converter(options[0]) if len(options) == 1 else None
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return lambda v: _decoder(tp)(v)
    if tp is dt.date:
        return dt.date.fromisoformat
    if origin is tuple:
        inner = _converter(typing.get_args(tp)[0])
        return tuple if inner is None else (lambda v: tuple(inner(x) for x in v))
    return None  # str, int, float, bool: JSON keeps them as they were


@functools.cache
def _decoder(cls: type) -> Converter:
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    plan = [(f.name, _converter(hints[f.name])) for f in fields]
    required = frozenset(
        f.name for f in fields if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )

    def decode(data: Mapping[str, Any]) -> Any:
        missing = required - data.keys()
        if missing:
            raise KeyError(f"{cls.__name__} needs {', '.join(sorted(missing))}")
        return cls(**{name: (data[name] if convert is None or data[name] is None else convert(data[name]))
                      for name, convert in plan if name in data})

    return decode


def from_json_dict(cls: type, data: Mapping[str, Any]) -> Any:
    """Rebuild a dataclass written by :func:`to_json` (nested dataclasses, dates, tuples).

    Keys the class does not know are ignored; a missing required one raises KeyError.
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"expected a JSON object for {cls.__name__}, got {type(data).__name__}")
    return _decoder(cls)(data)


def plain_value(value: Any) -> Any:
    """A pandas or numpy scalar as the plain Python value (None for missing ones).

    >>> import numpy as np
    >>> plain_value(pd.NA) is None, plain_value(np.int64(3))
    (True, 3)
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value
