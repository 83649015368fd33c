from __future__ import annotations

import pytest

from veloxapi.batteries.ratelimit import Decision, Rate


@pytest.mark.parametrize(
    ("text", "limit", "period"),
    [
        ("10/second", 10, 1),
        ("10/s", 10, 1),
        ("100/minute", 100, 60),
        ("100 per minutes", 100, 60),
        ("5/10s", 5, 10),
        ("5 / 2 mins", 5, 120),
        ("1000/hour", 1000, 3600),
        ("50/day", 50, 86400),
        ("3/Hours", 3, 3600),
    ],
)
def test_parse(text: str, limit: int, period: int) -> None:
    assert Rate.parse(text) == Rate(limit=limit, period=period)


@pytest.mark.parametrize("text", ["10", "ten/minute", "10/ms", "10/fortnight", "0/minute", "5/0s"])
def test_parse_rejects_with_the_value_and_a_hint(text: str) -> None:
    with pytest.raises(ValueError, match="rate limit") as info:
        Rate.parse(text)
    assert repr(text) in str(info.value)


def test_decision_headers() -> None:
    allowed = Decision(True, 10, 3, 12.2, 0.0)
    assert allowed.headers() == {
        "RateLimit-Limit": "10",
        "RateLimit-Remaining": "3",
        "RateLimit-Reset": "13",
    }
    denied = Decision(False, 10, 0, 0.2, 0.2)
    assert denied.headers()["Retry-After"] == "1"
    assert denied.headers()["RateLimit-Remaining"] == "0"
