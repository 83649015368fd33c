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
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from email.utils import format_datetime
from typing import Any

from starlette.responses import Response

from veloxapi.batteries.settings import ConfigurationError

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
