"""Questions about type annotations that the analysis asks once per parameter."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import types
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from typing import Annotated, Any, ForwardRef, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from starlette.datastructures import UploadFile as StarletteUploadFile

_SEQUENCE_ORIGINS: tuple[type, ...] = (list, set, frozenset, tuple, deque, Sequence)
_UNION_TYPES: tuple[Any, ...] = (Union, types.UnionType)


def is_union(tp: Any) -> bool:
    return get_origin(tp) in _UNION_TYPES


def strip_annotated(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def union_members(tp: Any) -> tuple[Any, ...]:
    tp = strip_annotated(tp)
    if is_union(tp):
        return tuple(strip_annotated(a) for a in get_args(tp))
    return (tp,)


def non_none_members(tp: Any) -> tuple[Any, ...]:
    return tuple(a for a in union_members(tp) if a is not type(None))


def _lenient_issubclass(tp: Any, cls: type | tuple[type, ...]) -> bool:
    return isinstance(tp, type) and issubclass(tp, cls)


def is_model_class(tp: Any) -> bool:
    return _lenient_issubclass(tp, BaseModel)


def is_sequence_type(tp: Any) -> bool:
    """``list[int]``, ``tuple[str, ...]``, ``set[str]``, ``Sequence[int]`` (bare or Optional)."""
    members = non_none_members(tp)
    return bool(members) and all(_is_one_sequence(m) for m in members)


def _is_one_sequence(tp: Any) -> bool:
    origin = get_origin(tp) or tp
    if _lenient_issubclass(origin, (str, bytes, bytearray, memoryview)):
        return False
    return _lenient_issubclass(origin, _SEQUENCE_ORIGINS)


def sequence_item_types(tp: Any) -> tuple[Any, ...]:
    items: list[Any] = []
    for member in non_none_members(tp):
        args = [a for a in get_args(member) if a is not Ellipsis]
        items.extend(strip_annotated(a) for a in args) if args else items.append(Any)
    return tuple(items)


def is_scalar_type(tp: Any) -> bool:
    """A type a single query/path/header string can be validated into."""
    tp = strip_annotated(tp)
    if tp is Any or tp is type(None):
        return True
    if is_union(tp):
        return all(is_scalar_type(a) for a in get_args(tp))
    origin = get_origin(tp)
    if origin is Literal:
        return True
    if origin is not None:
        return False
    if _lenient_issubclass(tp, (BaseModel, Mapping, dict)) or dataclasses.is_dataclass(tp):
        return False
    if _lenient_issubclass(tp, (str, bytes, Enum)):
        return True
    return not _lenient_issubclass(tp, _SEQUENCE_ORIGINS)


def is_scalar_sequence_type(tp: Any) -> bool:
    return is_sequence_type(tp) and all(is_scalar_type(t) for t in sequence_item_types(tp))


def is_upload_file_type(tp: Any) -> bool:
    members = non_none_members(tp)
    return bool(members) and all(_lenient_issubclass(m, StarletteUploadFile) for m in members)


def is_upload_file_sequence_type(tp: Any) -> bool:
    return is_sequence_type(tp) and all(is_upload_file_type(t) for t in sequence_item_types(tp))


def is_bytes_like(tp: Any) -> bool:
    members = non_none_members(tp)
    return bool(members) and all(m is bytes for m in members)


def is_bytes_sequence(tp: Any) -> bool:
    return is_sequence_type(tp) and all(t is bytes for t in sequence_item_types(tp))


def typed_signature(call: Callable[..., Any]) -> inspect.Signature:
    """The signature of ``call`` with string annotations resolved in its module."""
    signature = inspect.signature(call, eval_str=False)
    globalns = getattr(_defining_function(call), "__globals__", {})
    params = [
        p.replace(annotation=_resolve(p.annotation, globalns))
        for p in signature.parameters.values()
    ]
    return_annotation = _resolve(signature.return_annotation, globalns)
    return signature.replace(parameters=params, return_annotation=return_annotation)


def _defining_function(call: Any) -> Any:
    """The function whose module holds the names ``call``'s annotations use."""
    target = call
    while isinstance(target, functools.partial):
        target = target.func
    target = inspect.unwrap(target)
    if inspect.isclass(target):
        return target.__init__
    if inspect.ismethod(target):
        return target.__func__
    if not inspect.isroutine(target):
        return inspect.unwrap(type(target).__call__)
    return target


def _resolve(annotation: Any, globalns: dict[str, Any]) -> Any:
    if annotation is inspect.Parameter.empty:
        return annotation
    if isinstance(annotation, ForwardRef):
        annotation = annotation.__forward_arg__
    if isinstance(annotation, str):
        try:
            return eval(annotation, dict(globalns))  # an annotation is an expression to evaluate
        except Exception:
            return annotation
    return annotation
