"""Annotation predicates FastAPI keeps in ``fastapi._compat.shared``.

Libraries built on FastAPI import these to ask the questions FastAPI asks of a
parameter's type: is it a sequence, a scalar, bytes, an upload, a Pydantic v1
model. They answer from the annotation alone and never raise for generic aliases.
"""

from __future__ import annotations

import types
import warnings
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import is_dataclass
from typing import Annotated, Any, TypeGuard, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.version import VERSION as PYDANTIC_VERSION
from starlette.datastructures import UploadFile

_T = TypeVar("_T")

PYDANTIC_VERSION_MINOR_TUPLE: tuple[int, ...] = tuple(
    int(part) for part in PYDANTIC_VERSION.split(".")[:2]
)
"""The installed Pydantic's ``(major, minor)``."""

sequence_types: tuple[type[Any], ...] = (list, set, frozenset, tuple, Sequence, deque)
"""Containers whose values arrive as repeated keys (``?q=1&q=2``)."""

_UNION_ORIGINS = (Union, types.UnionType)


def lenient_issubclass(cls: Any, class_or_tuple: type[_T] | tuple[type[_T], ...] | None) -> bool:
    """``issubclass`` that answers False, rather than raising, for non-classes and aliases."""
    if not isinstance(cls, type) or class_or_tuple is None:
        return False
    try:
        return issubclass(cls, class_or_tuple)
    except TypeError:  # a parameterised generic such as list[int] posing as a class
        return False


def _members(annotation: Any) -> tuple[Any, ...] | None:
    """The members of a union, or None for anything else."""
    return get_args(annotation) if get_origin(annotation) in _UNION_ORIGINS else None


def _is_plain_sequence(annotation: Any) -> bool:
    if lenient_issubclass(annotation, (str, bytes)):
        return False
    return lenient_issubclass(annotation, sequence_types)


def field_annotation_is_sequence(annotation: Any) -> bool:
    """A list/set/tuple/deque-like annotation, or a union with one in it."""
    if get_origin(annotation) is Annotated:
        return field_annotation_is_sequence(get_args(annotation)[0])
    members = _members(annotation)
    if members is not None:
        return any(field_annotation_is_sequence(m) for m in members)
    return _is_plain_sequence(annotation) or _is_plain_sequence(get_origin(annotation))


def value_is_sequence(value: Any) -> bool:
    """A sequence value that is not text or bytes."""
    return isinstance(value, sequence_types) and not isinstance(value, str | bytes)


def _is_complex(annotation: Any) -> bool:
    return (
        lenient_issubclass(annotation, (BaseModel, Mapping, UploadFile))
        or _is_plain_sequence(annotation)
        or is_dataclass(annotation)
    )


def field_annotation_is_complex(annotation: Any) -> bool:
    """A model, mapping, upload, dataclass or sequence (or a union with one in it)."""
    members = _members(annotation)
    if members is not None:
        return any(field_annotation_is_complex(m) for m in members)
    if get_origin(annotation) is Annotated:
        return field_annotation_is_complex(get_args(annotation)[0])
    origin = get_origin(annotation)
    return (
        _is_complex(annotation)
        or _is_complex(origin)
        or hasattr(origin, "__pydantic_core_schema__")
        or hasattr(origin, "__get_pydantic_core_schema__")
    )


def field_annotation_is_scalar(annotation: Any) -> bool:
    """Anything that is not complex (``...`` counts, for ``tuple[int, ...]``)."""
    return annotation is Ellipsis or not field_annotation_is_complex(annotation)


def field_annotation_is_scalar_sequence(annotation: Any) -> bool:
    """A sequence of scalars, or a union of such sequences and scalars."""
    if get_origin(annotation) is Annotated:
        return field_annotation_is_scalar_sequence(get_args(annotation)[0])
    members = _members(annotation)
    if members is not None:
        found = False
        for member in members:
            if field_annotation_is_scalar_sequence(member):
                found = True
            elif not field_annotation_is_scalar(member):
                return False
        return found
    return field_annotation_is_sequence(annotation) and all(
        field_annotation_is_scalar(arg) for arg in get_args(annotation)
    )


def _is_or_has(annotation: Any, cls: type[Any]) -> bool:
    if lenient_issubclass(annotation, cls):
        return True
    members = _members(annotation)
    return members is not None and any(lenient_issubclass(m, cls) for m in members)


def is_bytes_or_nonable_bytes_annotation(annotation: Any) -> bool:
    """``bytes`` or a union with ``bytes`` in it."""
    return _is_or_has(annotation, bytes)


def is_uploadfile_or_nonable_uploadfile_annotation(annotation: Any) -> bool:
    """``UploadFile`` or a union with ``UploadFile`` in it."""
    return _is_or_has(annotation, UploadFile)


def _sequence_of(annotation: Any, item_test: Any) -> bool:
    members = _members(annotation)
    if members is not None:
        return any(_sequence_of(m, item_test) for m in members)
    return field_annotation_is_sequence(annotation) and all(
        item_test(arg) for arg in get_args(annotation)
    )


def is_bytes_sequence_annotation(annotation: Any) -> bool:
    """A sequence of bytes, or a union with one in it."""
    return _sequence_of(annotation, is_bytes_or_nonable_bytes_annotation)


def is_uploadfile_sequence_annotation(annotation: Any) -> bool:
    """A sequence of uploads, or a union with one in it."""
    return _sequence_of(annotation, is_uploadfile_or_nonable_uploadfile_annotation)


def _v1_base() -> type[Any] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            from pydantic import v1
    except ImportError:  # pragma: no cover - a Pydantic without the v1 shim
        return None
    return v1.BaseModel


def is_pydantic_v1_model_instance(obj: Any) -> bool:
    """An instance of a ``pydantic.v1`` model."""
    base = _v1_base()
    return base is not None and isinstance(obj, base)


def is_pydantic_v1_model_class(cls: Any) -> TypeGuard[type[Any]]:
    """A ``pydantic.v1`` model class."""
    base = _v1_base()
    return base is not None and lenient_issubclass(cls, base)


def annotation_is_pydantic_v1(annotation: Any) -> bool:
    """A ``pydantic.v1`` model, or a union or sequence with one in it."""
    if is_pydantic_v1_model_class(annotation):
        return True
    members = _members(annotation)
    if members is not None and any(is_pydantic_v1_model_class(m) for m in members):
        return True
    if field_annotation_is_sequence(annotation):
        return any(annotation_is_pydantic_v1(arg) for arg in get_args(annotation))
    return False
