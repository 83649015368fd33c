"""Deprecation (RFC 9745), Sunset (RFC 8594) and Link headers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from veloxapi.batteries import ConfigurationError
from veloxapi.batteries.deprecation import deprecation_headers


def test_all_headers() -> None:
    headers = deprecation_headers(
        deprecated_at=date(2026, 1, 1),
        sunset=date(2026, 12, 31),
        link="https://example.com/migrate",
        sunset_link="https://example.com/sunset-policy",
    )
    assert headers == {
        "Deprecation": "@1767225600",
        "Sunset": "Thu, 31 Dec 2026 00:00:00 GMT",
        "Link": (
            '<https://example.com/migrate>; rel="deprecation", '
            '<https://example.com/sunset-policy>; rel="sunset"'
        ),
    }


def test_only_deprecation() -> None:
    moment = datetime(2026, 6, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert deprecation_headers(deprecated_at=moment) == {"Deprecation": "@1780315200"}


def test_sunset_in_other_timezone_is_sent_in_gmt() -> None:
    headers = deprecation_headers(
        deprecated_at=date(2026, 1, 1),
        sunset=datetime(2027, 1, 1, 1, 30, tzinfo=timezone(timedelta(hours=1))),
    )
    assert headers["Sunset"] == "Fri, 01 Jan 2027 00:30:00 GMT"


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="has no timezone"):
        deprecation_headers(deprecated_at=datetime(2026, 1, 1))


def test_sunset_before_deprecation_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="is before deprecated_at"):
        deprecation_headers(deprecated_at=datetime(2026, 1, 2, tzinfo=UTC), sunset=date(2026, 1, 1))


def test_link_must_be_a_uri() -> None:
    with pytest.raises(ConfigurationError, match="is not a URI"):
        deprecation_headers(deprecated_at=date(2026, 1, 1), link="see the docs")
