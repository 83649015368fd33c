"""Deprecation, Sunset and Link response headers for routes on their way out.

* ``Deprecation: @1767225600`` (RFC 9745): when the route was or will be deprecated.
* ``Sunset: Thu, 31 Dec 2026 00:00:00 GMT`` (RFC 8594): when it stops answering.
* ``Link: <https://...>; rel="deprecation"`` (RFC 9745) to the migration notes, and
  ``rel="sunset"`` (RFC 8594) to the sunset policy.

:func:`deprecation_headers` computes the headers; :func:`deprecated_route`
wraps them in a dependency for a route's ``dependencies=[...]``::

    @app.get("/v1/items", deprecated=True, dependencies=[
        deprecated_route(deprecated_at=date(2026, 1, 1), sunset=date(2026, 12, 31),
                         link="https://example.com/migrate-to-v2"),
    ])

As a battery (``augment_app(app, deprecation=True)``, ``VELOX_DEPRECATION_*``),
every route declared ``deprecated=True`` (on the route or its router) answers
with the configured headers; a route that sets its own ``Deprecation`` header
(through :func:`deprecated_route`) keeps it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from email.utils import format_datetime
from typing import Any

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from veloxapi._engine.route.router_index import served_route
from veloxapi.batteries._asgi import HeaderList, SendWatcher, add_missing
from veloxapi.batteries.settings import BatterySettings, ConfigurationError

_URI = re.compile(r"[^\s<>\"]+")
When = date | datetime


def _as_utc(name: str, value: When) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ConfigurationError(
                [f"{name}={value!r} has no timezone; pass an aware datetime (tzinfo=UTC)"]
            )
        return value.astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _link(name: str, url: str, rel: str) -> str:
    if not _URI.fullmatch(url):
        raise ConfigurationError([f"{name}={url!r} is not a URI (no spaces, quotes or <>)"])
    return f'<{url}>; rel="{rel}"'


def deprecation_headers(
    *,
    deprecated_at: When,
    sunset: When | None = None,
    link: str | None = None,
    sunset_link: str | None = None,
) -> dict[str, str]:
    """The Deprecation, Sunset and Link headers, checked once, ready to send."""
    deprecated = _as_utc("deprecated_at", deprecated_at)
    headers = {"Deprecation": f"@{int(deprecated.timestamp())}"}
    if sunset is not None:
        ends = _as_utc("sunset", sunset)
        if ends < deprecated:
            raise ConfigurationError(
                [f"sunset={sunset!r} is before deprecated_at={deprecated_at!r}; swap them"]
            )
        headers["Sunset"] = format_datetime(ends, usegmt=True)
    links = [_link("link", link, "deprecation")] if link else []
    if sunset_link:
        links.append(_link("sunset_link", sunset_link, "sunset"))
    if links:
        headers["Link"] = ", ".join(links)
    return headers


def deprecation_dependency(headers: dict[str, str]) -> Callable[[Response], None]:
    """A dependency function adding ``headers`` to the route's response."""

    def add_deprecation_headers(response: Response) -> None:
        for name, value in headers.items():
            if name == "Link" and "link" in response.headers:
                response.headers["Link"] = f"{response.headers['link']}, {value}"
            else:
                response.headers[name] = value

    return add_deprecation_headers


def deprecated_route(
    *,
    deprecated_at: When,
    sunset: When | None = None,
    link: str | None = None,
    sunset_link: str | None = None,
) -> Any:
    """``Depends(...)`` that marks a route's responses as deprecated (see module doc).

    The headers reach responses built from the endpoint's return value; an
    endpoint that returns a ``Response`` itself should add
    :func:`deprecation_headers` to it.
    """
    from veloxapi.param_functions import Depends

    headers = deprecation_headers(
        deprecated_at=deprecated_at, sunset=sunset, link=link, sunset_link=sunset_link
    )
    return Depends(deprecation_dependency(headers))


class DeprecationSettings(BatterySettings):
    """``VELOX_DEPRECATION_*``: the headers for routes declared ``deprecated=True``."""

    model_config = SettingsConfigDict(env_prefix="VELOX_DEPRECATION_")

    deprecated_at: date | datetime
    """When the deprecated routes were (or will be) deprecated; a date or aware datetime."""
    sunset: date | datetime | None = None
    link: str | None = None
    """Migration notes (``Link: <...>; rel="deprecation"``)."""
    sunset_link: str | None = None

    @model_validator(mode="after")
    def _headers_build(self) -> DeprecationSettings:
        try:
            self.headers()
        except ConfigurationError as exc:
            raise ValueError("; ".join(exc.problems)) from None
        return self

    def headers(self) -> dict[str, str]:
        return deprecation_headers(
            deprecated_at=self.deprecated_at,
            sunset=self.sunset,
            link=self.link,
            sunset_link=self.sunset_link,
        )


def encode_headers(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


class DeprecationMiddleware:
    """Pure ASGI: adds the deprecation headers to responses of deprecated routes.

    ``augment_app`` does not add it: the batteries' outer layer
    (:mod:`veloxapi.batteries.layer`) adds the same headers.
    """

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = encode_headers(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        def add_headers(headers: HeaderList) -> None:
            if getattr(served_route(scope), "deprecated", False):
                add_missing(headers, self.headers)

        await self.app(scope, receive, SendWatcher(send, add_headers))


def install_deprecation(app: Any, settings: DeprecationSettings) -> dict[str, str]:
    """Add the headers to the responses of deprecated routes (in the batteries' outer
    layer); the handle is the headers deprecated routes get."""
    from veloxapi.batteries.layer import outer_layer

    headers = settings.headers()
    outer_layer(app).deprecation = encode_headers(headers)
    return headers
