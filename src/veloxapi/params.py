"""Parameter declarations as data.

``Query``, ``Path``, ``Header``, ``Cookie``, ``Body``, ``Form`` and ``File`` are
Pydantic ``FieldInfo`` subclasses: they carry the validation constraints and
the OpenAPI metadata of one endpoint parameter, plus where the value comes
from. ``Depends`` and ``Security`` describe dependencies. Nothing here runs per
request; the engine reads these objects once, when a route is compiled.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

from pydantic import AliasChoices, AliasPath
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from veloxapi._engine.run.concurrency_limit import ConcurrencyLimit
from veloxapi.exceptions import FastAPIDeprecationWarning

_Unset: Any = PydanticUndefined


class ParamTypes(Enum):
    query = "query"
    header = "header"
    path = "path"
    cookie = "cookie"


# Pydantic ``Field()`` options without a named parameter here, passed through as they are.
_FIELD_OPTIONS = frozenset(
    {
        "validate_default",
        "union_mode",
        "coerce_numbers_to_str",
        "fail_fast",
        "frozen",
        "repr",
        "exclude",
        "field_title_generator",
    }
)


def _merge_extra(json_schema_extra: Any, extra: dict[str, Any]) -> Any:
    """The declaration's ``json_schema_extra`` (``_Unset`` when not given, unlike None)."""
    if not extra:
        return json_schema_extra
    warnings.warn(
        "Passing extra keyword arguments to a parameter is deprecated; "
        "put them in json_schema_extra instead. Got: " + ", ".join(sorted(extra)),
        FastAPIDeprecationWarning,
        stacklevel=4,
    )
    given = json_schema_extra if isinstance(json_schema_extra, dict) else {}
    return {**given, **extra}


class _Declared(FieldInfo):  # type: ignore[misc]  # FieldInfo is final for type checkers; FastAPI's params extend it too
    """Shared keyword handling of every parameter declaration."""

    def __init__(
        self,
        default: Any = PydanticUndefined,
        *,
        default_factory: Callable[[], Any] | None = _Unset,
        annotation: Any | None = None,
        alias: str | None = _Unset,
        alias_priority: int | None = _Unset,
        validation_alias: str | AliasPath | AliasChoices | None = _Unset,
        serialization_alias: str | None = _Unset,
        title: str | None = _Unset,
        description: str | None = _Unset,
        gt: float | None = _Unset,
        ge: float | None = _Unset,
        lt: float | None = _Unset,
        le: float | None = _Unset,
        min_length: int | None = _Unset,
        max_length: int | None = _Unset,
        pattern: str | None = _Unset,
        regex: str | None = None,
        discriminator: str | None = _Unset,
        strict: bool | None = _Unset,
        multiple_of: float | None = _Unset,
        allow_inf_nan: bool | None = _Unset,
        max_digits: int | None = _Unset,
        decimal_places: int | None = _Unset,
        examples: list[Any] | None = _Unset,
        example: Any = _Unset,
        openapi_examples: dict[str, Any] | None = None,
        deprecated: bool | str | None = _Unset,
        include_in_schema: bool = True,
        json_schema_extra: dict[str, Any] | Callable[[dict[str, Any]], None] | None = _Unset,
        **extra: Any,
    ) -> None:
        if example is not _Unset:
            warnings.warn(
                "`example` is deprecated; use `examples` (JSON Schema) or "
                "`openapi_examples` (OpenAPI) instead.",
                FastAPIDeprecationWarning,
                stacklevel=3,
            )
        if regex is not None:  # explicitly given: the deprecated spelling of ``pattern``
            warnings.warn(
                "`regex` is deprecated; use `pattern` instead.",
                FastAPIDeprecationWarning,
                stacklevel=3,
            )
        self.example = example
        self.include_in_schema = include_in_schema
        self.openapi_examples = openapi_examples
        kwargs: dict[str, Any] = {
            "default": default,
            "default_factory": default_factory,
            "alias": alias,
            "title": title,
            "description": description,
            "gt": gt,
            "ge": ge,
            "lt": lt,
            "le": le,
            "min_length": min_length,
            "max_length": max_length,
            "discriminator": discriminator,
            "multiple_of": multiple_of,
            "allow_inf_nan": allow_inf_nan,
            "max_digits": max_digits,
            "decimal_places": decimal_places,
            "examples": examples,
            "deprecated": deprecated,
        }
        if default_factory is not _Unset and default is not PydanticUndefined:
            raise TypeError(
                "A parameter cannot have both `default` and `default_factory`; pass only one."
            )
        if default_factory is _Unset:
            kwargs.pop("default_factory")
        if annotation is not None:
            kwargs["annotation"] = annotation
        for name, value in (
            ("alias_priority", alias_priority),
            ("strict", strict),
        ):
            if value is not _Unset:
                kwargs[name] = value
        kwargs["validation_alias"] = validation_alias
        kwargs["serialization_alias"] = serialization_alias
        kwargs["pattern"] = regex if pattern is _Unset and regex is not None else pattern
        options = {k: extra.pop(k) for k in list(extra) if k in _FIELD_OPTIONS}
        kwargs.update(options)
        kwargs["json_schema_extra"] = _merge_extra(json_schema_extra, extra)
        super().__init__(**{k: v for k, v in kwargs.items() if v is not _Unset})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.default})"


class Param(_Declared):  # type: ignore[misc]  # FieldInfo is final for type checkers; FastAPI's params extend it too
    """A parameter read from the path, query, headers or cookies."""

    in_: ParamTypes = ParamTypes.query


class Path(Param):  # type: ignore[misc]  # FieldInfo is final for type checkers; FastAPI's params extend it too
    in_ = ParamTypes.path

    def __init__(self, default: Any = ..., **kwargs: Any) -> None:
        if default is not ... and default is not PydanticUndefined:
            raise AssertionError("Path parameters cannot have a default value")
        super().__init__(PydanticUndefined, **kwargs)


class Query(Param):  # type: ignore[misc]  # FieldInfo is final for type checkers; FastAPI's params extend it too
    in_ = ParamTypes.query


class Header(Param):  # type: ignore[misc]  # FieldInfo is final for type checkers; FastAPI's params extend it too
    in_ = ParamTypes.header

    def __init__(
        self, default: Any = PydanticUndefined, *, convert_underscores: bool = True, **kwargs: Any
    ) -> None:
        self.convert_underscores = convert_underscores
        super().__init__(default, **kwargs)


class Cookie(Param):  # type: ignore[misc]  # FieldInfo is final for type checkers; FastAPI's params extend it too
    in_ = ParamTypes.cookie


class Body(_Declared):  # type: ignore[misc]  # FieldInfo is final for type checkers; FastAPI's params extend it too
    """A parameter read from the request body."""

    def __init__(
        self,
        default: Any = PydanticUndefined,
        *,
        embed: bool | None = None,
        media_type: str = "application/json",
        **kwargs: Any,
    ) -> None:
        self.embed = embed
        self.media_type = media_type
        super().__init__(default, **kwargs)


class Form(Body):  # type: ignore[misc]  # FieldInfo is final for type checkers; FastAPI's params extend it too
    def __init__(
        self,
        default: Any = PydanticUndefined,
        *,
        media_type: str = "application/x-www-form-urlencoded",
        **kwargs: Any,
    ) -> None:
        kwargs.pop("embed", None)
        super().__init__(default, embed=True, media_type=media_type, **kwargs)


class File(Form):  # type: ignore[misc]  # FieldInfo is final for type checkers; FastAPI's params extend it too
    def __init__(
        self,
        default: Any = PydanticUndefined,
        *,
        media_type: str = "multipart/form-data",
        **kwargs: Any,
    ) -> None:
        super().__init__(default, media_type=media_type, **kwargs)


@dataclass(frozen=True, eq=False)  # identity: two declarations never share a limit
class Depends:
    """A dependency: a callable whose result is injected into the parameter.

    ``scope`` controls when the exit code of a ``yield`` dependency runs:
    ``"function"`` right after the endpoint returns, ``"request"`` (the
    default) after the response has been sent.
    """

    dependency: Callable[..., Any] | None = None
    use_cache: bool = True
    scope: Literal["function", "request"] | None = None
    max_concurrency: int | None = None
    # carried over by dataclasses.replace(): a copy with the same limit shares its slots
    _concurrency: ConcurrencyLimit | None = field(
        default=None, repr=False, compare=False, kw_only=True
    )

    def __post_init__(self) -> None:
        limit = self._concurrency
        if self.max_concurrency is None:
            limit = None
        elif limit is None or limit.limit != self.max_concurrency:
            limit = ConcurrencyLimit(self.max_concurrency)
        object.__setattr__(self, "_concurrency", limit)

    def __hash__(self) -> int:
        # Hashed by configuration (tools key caches on declarations), equal only to itself.
        return hash(
            (
                type(self),
                self.dependency,
                self.use_cache,
                self.scope,
                self.max_concurrency,
                tuple(getattr(self, "scopes", None) or ()),
            )
        )

    def __repr__(self) -> str:
        attr = getattr(self.dependency, "__name__", type(self.dependency).__name__)
        cache = "" if self.use_cache else ", use_cache=False"
        return f"{type(self).__name__}({attr}{cache})"


@dataclass(frozen=True, eq=False)
class Security(Depends):
    """A dependency that also declares the OAuth2 scopes it requires."""

    scopes: Sequence[str] | None = field(default=None)

    def __post_init__(self) -> None:
        super().__post_init__()


__all__ = [
    "Body",
    "Cookie",
    "Depends",
    "File",
    "Form",
    "Header",
    "Param",
    "ParamTypes",
    "Path",
    "Query",
    "Security",
]
