"""``jsonable_encoder``: turn any Python value into JSON-compatible data.

The result is made only of ``dict``, ``list``, ``str``, ``int``, ``float``,
``bool`` and ``None``, ready for ``json.dumps``. Pydantic models are dumped in
JSON mode with the include/exclude options; dataclasses, mappings, sequences
and plain objects are walked recursively; well-known scalar types (dates,
decimals, UUIDs, paths, IP addresses, ...) have fixed encodings; any other type
Pydantic knows how to serialize (URLs, colors, secrets, ...) is serialized by
Pydantic.

Lookups go by exact type first (one dict access), then by ``isinstance`` for
subclasses, so common values never walk a chain of checks.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import sys
from collections import deque
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import Enum
from ipaddress import (
    IPv4Address,
    IPv4Interface,
    IPv4Network,
    IPv6Address,
    IPv6Interface,
    IPv6Network,
)
from pathlib import PurePath
from re import Pattern
from types import GeneratorType
from typing import Any, NamedTuple
from uuid import UUID

from pydantic import BaseModel, TypeAdapter
from pydantic_core import PydanticSerializationError, PydanticUndefined

from veloxapi.exceptions import PydanticV1NotSupportedError
from veloxapi.types import IncEx

Encoder = Callable[[Any], Any]


def _isoformat(value: datetime.date | datetime.time) -> str:
    return value.isoformat()


def decimal_encoder(value: Decimal) -> int | float:
    """A whole decimal (non-negative exponent) becomes an int, any other a float.

    ``Decimal("1.0")`` -> ``1.0``, ``Decimal("1")`` -> ``1``, ``Decimal("1E2")`` -> ``100``.
    """
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0:
        return int(value)
    return float(value)


ENCODERS_BY_TYPE: dict[type[Any], Encoder] = {
    bytes: lambda value: value.decode(),
    datetime.date: _isoformat,
    datetime.datetime: _isoformat,
    datetime.time: _isoformat,
    datetime.timedelta: lambda value: value.total_seconds(),
    Decimal: decimal_encoder,
    IPv4Address: str,
    IPv4Interface: str,
    IPv4Network: str,
    IPv6Address: str,
    IPv6Interface: str,
    IPv6Network: str,
    PurePath: str,
    Pattern: lambda value: value.pattern,
    UUID: str,
}
"""Encoders of well-known types; subclasses are matched by ``isinstance``."""

_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})
_SEQUENCES = (list, set, frozenset, GeneratorType, tuple, deque)


class _Options(NamedTuple):
    by_alias: bool
    exclude_unset: bool
    exclude_defaults: bool
    exclude_none: bool
    custom_encoder: dict[Any, Encoder]
    sqlalchemy_safe: bool


def jsonable_encoder(
    obj: Any,
    include: IncEx | None = None,
    exclude: IncEx | None = None,
    by_alias: bool = True,
    exclude_unset: bool = False,
    exclude_defaults: bool = False,
    exclude_none: bool = False,
    custom_encoder: dict[Any, Callable[[Any], Any]] | None = None,
    sqlalchemy_safe: bool = True,
) -> Any:
    """Convert ``obj`` into data that ``json.dumps`` accepts.

    ``include``/``exclude`` select the fields of a model, dataclass or object,
    or the keys of a mapping: of ``obj`` itself, or of each item when ``obj`` is
    a sequence; nested values are encoded whole. ``custom_encoder`` maps types
    to functions and takes precedence over the built-in encodings. With
    ``sqlalchemy_safe``, mapping keys starting with ``_sa`` are dropped.
    """
    options = _Options(
        by_alias,
        exclude_unset,
        exclude_defaults,
        exclude_none,
        custom_encoder or {},
        sqlalchemy_safe,
    )
    return _encode(obj, include, exclude, options)


def _encode(obj: Any, include: IncEx | None, exclude: IncEx | None, options: _Options) -> Any:
    if options.custom_encoder:
        custom = _find_encoder(type(obj), options.custom_encoder)
        if custom is not None:
            return custom(obj)
    # PERF: exact-type checks answer most values without the isinstance chain of
    # _encode_by_kind (2.3x faster on 100 dicts of six mixed fields, timeit).
    cls = type(obj)
    if cls in _JSON_SCALARS:
        return obj
    if cls is dict:
        return _encode_mapping(obj, include, exclude, options)
    if cls is list or cls is tuple:
        return [_encode(item, include, exclude, options) for item in obj]
    encoder = ENCODERS_BY_TYPE.get(cls)
    if encoder is not None:
        return _encode_result(encoder(obj), options)
    return _encode_by_kind(obj, include, exclude, options)


def _encode_by_kind(
    obj: Any, include: IncEx | None, exclude: IncEx | None, options: _Options
) -> Any:
    """Values whose exact type is not a known one: models, subclasses, objects."""
    if isinstance(obj, BaseModel):
        return _encode_model(obj, include, exclude, options)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return _encode(dataclasses.asdict(obj), include, exclude, options)
    if isinstance(obj, Enum):
        return _encode(obj.value, None, None, options)
    if isinstance(obj, str | int | float):
        return obj
    if obj is PydanticUndefined:
        return None
    if isinstance(obj, Mapping):
        return _encode_mapping(obj, include, exclude, options)
    if isinstance(obj, _SEQUENCES):
        return [_encode(item, include, exclude, options) for item in obj]
    encoder = _find_encoder(type(obj), ENCODERS_BY_TYPE) or _find_encoder(
        obj.__class__, ENCODERS_BY_TYPE
    )  # an object can claim a class it doesn't derive from (C types, proxies)
    if encoder is not None:
        return _encode_result(encoder(obj), options)
    return _encode_other(obj, include, exclude, options)


def _encode_result(value: Any, options: _Options) -> Any:
    """An encoder's output; built-in encoders return JSON scalars, others may not."""
    return value if type(value) in _JSON_SCALARS else _encode(value, None, None, options)


def _find_encoder(cls: type[Any], encoders: Mapping[Any, Encoder]) -> Encoder | None:
    """The encoder registered for ``cls`` itself, else for its nearest base class."""
    encoder = encoders.get(cls)
    if encoder is not None:
        return encoder
    for base in cls.__mro__[1:]:
        encoder = encoders.get(base)
        if encoder is not None:
            return encoder
    return None


def _as_set(fields: IncEx | None) -> Any:
    """Pydantic takes sets or mappings; accept any iterable of names as a set."""
    if fields is None or isinstance(fields, set | Mapping):
        return fields
    return set(fields)


def _encode_model(
    obj: BaseModel, include: IncEx | None, exclude: IncEx | None, options: _Options
) -> Any:
    return obj.model_dump(
        mode="json",
        include=_as_set(include),
        exclude=_as_set(exclude),
        by_alias=options.by_alias,
        exclude_unset=options.exclude_unset,
        exclude_defaults=options.exclude_defaults,
        exclude_none=options.exclude_none,
    )


def _encode_mapping(
    obj: Mapping[Any, Any], include: IncEx | None, exclude: IncEx | None, options: _Options
) -> dict[Any, Any]:
    if include is not None or exclude is not None:
        keys = set(obj) if include is None else set(include)
        keys.difference_update(exclude or ())
        obj = {key: value for key, value in obj.items() if key in keys}
    plain_scalars = not options.custom_encoder
    encoded: dict[Any, Any] = {}
    for key, value in obj.items():
        if options.sqlalchemy_safe and isinstance(key, str) and key.startswith("_sa"):
            continue
        if value is None and options.exclude_none:
            continue
        if plain_scalars and type(value) in _JSON_SCALARS:
            encoded_value = value
        else:
            encoded_value = _encode(value, None, None, options)
        encoded_key = (
            key if plain_scalars and type(key) is str else _encode(key, None, None, options)
        )
        encoded[encoded_key] = encoded_value
    return encoded


def _encode_other(obj: Any, include: IncEx | None, exclude: IncEx | None, options: _Options) -> Any:
    """Types Pydantic can serialize, else the object's items or attributes."""
    if _is_pydantic_v1_model(obj):
        raise PydanticV1NotSupportedError(
            f"{type(obj).__qualname__} is a Pydantic v1 model; veloxapi supports "
            "Pydantic v2 models only. Migrate it to pydantic.BaseModel (v2)."
        )
    if hasattr(type(obj), "__get_pydantic_core_schema__"):
        try:
            return _encode(
                _pydantic_adapter(type(obj)).dump_python(obj, mode="json"), None, None, options
            )
        except PydanticSerializationError:
            pass
    return _encode(_object_fields(obj), include, exclude, options)


_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def _pydantic_adapter(cls: type[Any]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(cls)
    if adapter is None:
        adapter = _ADAPTERS[cls] = TypeAdapter(cls)
    return adapter


def _is_pydantic_v1_model(obj: Any) -> bool:
    v1 = sys.modules.get("pydantic.v1")
    return v1 is not None and isinstance(obj, v1.BaseModel)


def _object_fields(obj: Any) -> dict[Any, Any]:
    """``dict(obj)`` for objects iterating over pairs, else ``vars(obj)``."""
    try:
        return dict(obj)
    except Exception as items_error:
        try:
            fields: dict[Any, Any] = vars(obj)
            return fields
        except Exception as vars_error:
            raise ValueError(
                f"Cannot encode {type(obj).__qualname__} object as JSON: "
                f"dict(obj) failed with {items_error!r} and vars(obj) failed with "
                f"{vars_error!r}. Pass custom_encoder={{{type(obj).__qualname__}: ...}}."
            ) from vars_error


def untyped_json(value: Any) -> str:
    """JSON text of a value streamed without a declared type (an SSE event or JSON line).

    A Pydantic model is dumped with its own serialization settings; anything
    else goes through ``jsonable_encoder``, with non-finite floats (which JSON
    cannot represent) written as ``null``.
    """
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    return json.dumps(_finite(jsonable_encoder(value)), ensure_ascii=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if type(value) is dict:
        return {key: _finite(item) for key, item in value.items()}
    if type(value) is list:
        return [_finite(item) for item in value]
    return value


__all__ = ["ENCODERS_BY_TYPE", "decimal_encoder", "jsonable_encoder"]
