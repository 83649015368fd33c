"""Rates ("10/minute"), the algorithms that enforce them, and a store's decision."""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from enum import StrEnum

_UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
_RATE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(\d+)?\s*([a-z]+)\s*$", re.IGNORECASE)
RATE_HELP = (
    'write rates as "<count>/<period>", e.g. "10/second", "100/minute", "5/10s", '
    '"1000 per hour", "50/day"'
)


class Algorithm(StrEnum):
    """How requests are counted against a rate."""

    FIXED_WINDOW = "fixed_window"
    """Count per calendar window of the period; resets all at once."""
    SLIDING_WINDOW = "sliding_window"
    """Count the requests of the last period (exact log, at most ``limit`` entries per key)."""
    TOKEN_BUCKET = "token_bucket"
    """A bucket of ``limit`` tokens refilled evenly over the period; allows bursts."""


@dataclass(frozen=True)
class Rate:
    """``limit`` requests per ``period`` seconds."""

    limit: int
    period: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """Parse ``"10/minute"``-style text; ValueError saying what is wrong otherwise."""
        match = _RATE.match(text) if isinstance(text, str) else None
        unit = _unit_seconds(match.group(3)) if match else None
        if match is None or unit is None:
            raise ValueError(f"rate limit {text!r} is not a rate; {RATE_HELP}")
        limit, multiplier = int(match.group(1)), int(match.group(2) or 1)
        if limit < 1 or multiplier < 1:
            raise ValueError(f"rate limit {text!r} must allow at least 1 request per period")
        return cls(limit=limit, period=unit * multiplier)

    def __str__(self) -> str:
        return f"{self.limit}/{self.period}s"


def _unit_seconds(word: str) -> int | None:
    word = word.lower()
    if word not in _UNITS and len(word) > 3 and word.endswith("s"):
        word = word[:-1]  # plural: "minutes", "secs"
    return _UNITS.get(word)


_LIMIT_HEADERS: dict[int, tuple[bytes, bytes]] = {}
"""The ``RateLimit-Limit`` header of each configured limit (limits come from code)."""


@dataclass(slots=True)  # PERF: benchmarks "batteries" column: one per request, not frozen
class Decision:
    """What a store answered for one request."""

    allowed: bool
    limit: int
    remaining: int
    reset: float
    """Seconds until the quota is whole again (the window ends / the bucket is full)."""
    retry_after: float
    """Seconds until a denied request could succeed (0 when allowed)."""

    def headers(self, *, legacy: bool = False) -> dict[str, str]:
        """``RateLimit-*`` headers, plus ``Retry-After`` when denied.

        ``legacy`` adds ``X-RateLimit-Limit``/``-Remaining``/``-Reset`` as slowapi
        sends them (``X-RateLimit-Reset`` is the Unix time the quota is whole again).
        """
        out = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(max(0, math.ceil(self.reset))),
        }
        if legacy:
            out["X-RateLimit-Limit"] = out["RateLimit-Limit"]
            out["X-RateLimit-Remaining"] = out["RateLimit-Remaining"]
            out["X-RateLimit-Reset"] = str(math.ceil(time.time() + max(0.0, self.reset)))
        if not self.allowed:
            out["Retry-After"] = str(max(1, math.ceil(self.retry_after)))
        return out

    def header_list(self, *, legacy: bool = False) -> list[tuple[bytes, bytes]]:
        """:meth:`headers` as an ASGI header list (lower-case names)."""
        if legacy or not self.allowed:
            return [
                (k.lower().encode(), v.encode()) for k, v in self.headers(legacy=legacy).items()
            ]
        limit = _LIMIT_HEADERS.get(self.limit)
        if limit is None:
            limit = _LIMIT_HEADERS[self.limit] = (b"ratelimit-limit", b"%d" % self.limit)
        reset = math.ceil(self.reset) if self.reset > 0 else 0
        # PERF: benchmarks "batteries" column: the limit's header made once per limit
        return [
            limit,
            (b"ratelimit-remaining", b"%d" % self.remaining),
            (b"ratelimit-reset", b"%d" % reset),
        ]
