"""The options a route takes from the routers and inclusions above it, merged in one place.

An application's router, an ``APIRouter``, an ``include_router()`` call and a
route each give some of the same options: a path prefix, tags, dependencies,
responses, callbacks, ``deprecated``, ``include_in_schema``, a default
response class, a unique-id function, strict content types, dependency
overrides and body and form limits. :class:`RouteOptions` holds one level's;
``outer.then(inner)`` is the one rule for putting a level inside another,
used for a route added to a router, a router included into another, nested
inclusions and a route seen through an inclusion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from starlette.routing import BaseRoute

from veloxapi._request_limits import FormLimits, merged_form_limits
from veloxapi.datastructures import DefaultPlaceholder

_UNSET: Any = DefaultPlaceholder(None)
"""An option this level does not set (``Default(...)`` placeholders count as unset too)."""


def value_or_default(first: Any, *others: Any) -> Any:
    """The first value that is not a ``Default(...)`` placeholder, else ``first``."""
    for value in (first, *others):
        if not isinstance(value, DefaultPlaceholder):
            return value
    return first


def first_limit(*limits: int | None) -> int | None:
    """The most specific body limit given (the first that is not None)."""
    return next((limit for limit in limits if limit is not None), None)


@dataclass(frozen=True)
class RouteOptions:
    """One level's options; a level that leaves an option alone passes the outer one on."""

    prefix: str = ""
    tags: Sequence[str | Enum] = ()
    dependencies: Sequence[Any] = ()
    responses: dict[int | str, dict[str, Any]] = field(default_factory=dict)
    callbacks: Sequence[BaseRoute] = ()
    deprecated: bool | None = None
    include_in_schema: bool = True
    response_class: Any = _UNSET
    generate_unique_id_function: Any = _UNSET
    strict_content_type: Any = _UNSET
    dependency_overrides_provider: Any = None
    max_body_size: int | None = None
    form_limits: FormLimits | None = None

    def then(self, inner: RouteOptions) -> RouteOptions:
        """``inner`` placed inside this level: prefixes, tags, dependencies and callbacks
        add up outer first; responses merge, the inner one winning; deprecated if either
        says so, in the schema only if both allow it; the inner level's class, unique-id
        function, strictness and limits win where it sets them (form limits key by key);
        dependency overrides come from the outermost level that has them."""
        return RouteOptions(
            prefix=self.prefix + inner.prefix,
            tags=[*self.tags, *inner.tags],
            dependencies=[*self.dependencies, *inner.dependencies],
            responses={**self.responses, **inner.responses},
            callbacks=[*self.callbacks, *inner.callbacks],
            deprecated=inner.deprecated or self.deprecated,
            include_in_schema=self.include_in_schema and inner.include_in_schema,
            response_class=value_or_default(inner.response_class, self.response_class),
            generate_unique_id_function=value_or_default(
                inner.generate_unique_id_function, self.generate_unique_id_function
            ),
            strict_content_type=value_or_default(
                inner.strict_content_type, self.strict_content_type
            ),
            dependency_overrides_provider=self.dependency_overrides_provider
            if self.dependency_overrides_provider is not None
            else inner.dependency_overrides_provider,
            max_body_size=first_limit(inner.max_body_size, self.max_body_size),
            form_limits=merged_form_limits(self.form_limits, inner.form_limits),
        )


def options_of_router(router: Any) -> RouteOptions:
    """What ``router`` (an ``APIRouter``) gives the routes added to it."""
    return RouteOptions(
        prefix=router.prefix,
        tags=router.tags,
        dependencies=router.dependencies,
        responses=router.responses,
        callbacks=router.callbacks,
        deprecated=router.deprecated,
        include_in_schema=router.include_in_schema,
        response_class=router.default_response_class,
        generate_unique_id_function=router.generate_unique_id_function,
        strict_content_type=router.strict_content_type,
        dependency_overrides_provider=router.dependency_overrides_provider,
        max_body_size=router.max_body_size,
        form_limits=router.form_limits,
    )


def defaults_of_router(router: Any) -> RouteOptions:
    """Only the defaults ``router`` gives a route that does not set them (response class,
    unique-id function, strictness): for routes placed in its list by hand."""
    return RouteOptions(
        response_class=router.default_response_class,
        generate_unique_id_function=router.generate_unique_id_function,
        strict_content_type=router.strict_content_type,
    )


def options_of_route(route: Any) -> RouteOptions:
    """The options an ``APIRoute`` was given (its router's already merged in)."""
    return RouteOptions(
        prefix=route.path,
        tags=route.tags,
        dependencies=route.dependencies,
        responses=route.responses,
        callbacks=route.callbacks or [],
        deprecated=route.deprecated,
        include_in_schema=route.include_in_schema,
        response_class=route.response_class,
        generate_unique_id_function=route.generate_unique_id_function,
        strict_content_type=route.strict_content_type,
        max_body_size=route.max_body_size,
        form_limits=route.form_limits,
    )
