"""Type aliases shared by the public API."""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias, TypeVar

from pydantic import BaseModel

DecoratedCallable = TypeVar("DecoratedCallable", bound=Callable[..., Any])
"""A function returned unchanged by a registering decorator such as ``@app.get``."""

UnionType: TypeAlias = types.UnionType
"""The type of ``X | Y`` annotations."""

ModelNameMap: TypeAlias = dict[type[BaseModel] | type[Any], str]
"""Model classes to the names they get under ``components/schemas``."""

IncEx: TypeAlias = set[int] | set[str] | Mapping[int, "IncEx | bool"] | Mapping[str, "IncEx | bool"]
"""Fields to include or exclude when dumping a model (Pydantic's ``IncEx``)."""

DependencyCacheKey: TypeAlias = tuple[Callable[..., Any] | None, tuple[str, ...], str]
"""How solved dependencies are keyed within a request: the callable, the OAuth2 scopes
that tell its calls apart, and its cleanup scope (``""`` when it has none)."""

__all__ = ["DecoratedCallable", "DependencyCacheKey", "IncEx", "ModelNameMap", "UnionType"]
