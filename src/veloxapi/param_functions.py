"""The functions endpoints use to declare parameters: ``Query()``, ``Depends()``, ...

Each returns the matching declaration object from :mod:`veloxapi.params`.
They take the same keyword arguments as Pydantic's ``Field`` (constraints,
aliases, title, description, examples, ...) plus the framework's own
(``include_in_schema``, ``openapi_examples``, ``convert_underscores``,
``embed``, ``media_type``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic_core import PydanticUndefined

from veloxapi import params


def Path(default: Any = ..., **kwargs: Any) -> Any:
    """A path parameter (always required)."""
    return params.Path(default, **kwargs)


def Query(default: Any = PydanticUndefined, **kwargs: Any) -> Any:
    """A query-string parameter."""
    return params.Query(default, **kwargs)


def Header(
    default: Any = PydanticUndefined, *, convert_underscores: bool = True, **kwargs: Any
) -> Any:
    """A request header; ``user_agent`` reads ``User-Agent`` (``convert_underscores=False``
    reads it as written)."""
    return params.Header(default, convert_underscores=convert_underscores, **kwargs)


def Cookie(default: Any = PydanticUndefined, **kwargs: Any) -> Any:
    """A cookie."""
    return params.Cookie(default, **kwargs)


def Body(
    default: Any = PydanticUndefined,
    *,
    embed: bool | None = None,
    media_type: str = "application/json",
    **kwargs: Any,
) -> Any:
    """A JSON body parameter; ``embed=True`` nests it under its name."""
    return params.Body(default, embed=embed, media_type=media_type, **kwargs)


def Form(
    default: Any = PydanticUndefined,
    *,
    media_type: str = "application/x-www-form-urlencoded",
    **kwargs: Any,
) -> Any:
    """A form field (url-encoded or multipart)."""
    return params.Form(default, media_type=media_type, **kwargs)


def File(
    default: Any = PydanticUndefined, *, media_type: str = "multipart/form-data", **kwargs: Any
) -> Any:
    """An uploaded file (multipart)."""
    return params.File(default, media_type=media_type, **kwargs)


def Depends(
    dependency: Callable[..., Any] | None = None,
    *,
    use_cache: bool = True,
    scope: Literal["function", "request"] | None = None,
    max_concurrency: int | None = None,
) -> Any:
    """Inject the result of ``dependency`` (cached per request unless ``use_cache=False``).

    ``max_concurrency`` caps how many requests run this declaration at once; the
    rest wait (without holding a worker thread) until a run, cleanup included, ends.
    """
    return params.Depends(
        dependency=dependency, use_cache=use_cache, scope=scope, max_concurrency=max_concurrency
    )


def Security(
    dependency: Callable[..., Any] | None = None,
    *,
    scopes: Sequence[str] | None = None,
    use_cache: bool = True,
) -> Any:
    """Like ``Depends``, also declaring the OAuth2 ``scopes`` the operation requires."""
    return params.Security(dependency=dependency, scopes=scopes, use_cache=use_cache)


__all__ = ["Body", "Cookie", "Depends", "File", "Form", "Header", "Path", "Query", "Security"]
