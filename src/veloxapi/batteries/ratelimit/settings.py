"""``RateLimitSettings``: the ``VELOX_RATELIMIT_*`` environment variables."""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator
from pydantic_settings import SettingsConfigDict

from veloxapi.batteries._stores import StoreSettings
from veloxapi.batteries.ratelimit.keys import parse_networks
from veloxapi.batteries.ratelimit.rates import Algorithm, Rate
from veloxapi.batteries.settings import CsvList


class RateLimitSettings(StoreSettings):
    """How requests are limited; lists may be given comma-separated in the environment."""

    model_config = SettingsConfigDict(env_prefix="VELOX_RATELIMIT_")

    key_prefix: str = "velox:rl:"
    algorithm: Algorithm = Algorithm.FIXED_WINDOW
    default_limits: CsvList = ()
    """Global limits applied to every HTTP request by the middleware, e.g. ``1000/hour``."""
    key: Literal["ip", "api_key", "subject"] = "ip"
    """Who a request counts against, unless a policy passes its own key function."""
    api_key_header: str = "X-API-Key"
    trusted_proxies: CsvList = ()
    """Peers (IPs or CIDR ranges) whose ``X-Forwarded-For`` / ``Forwarded`` are believed."""
    on_store_error: Literal["open", "closed"] = "open"
    """On a store outage: ``open`` lets requests through and warns; ``closed`` answers 503."""
    exempt_paths: CsvList = ()
    """Path prefixes the global limits skip, e.g. ``/health``."""
    headers: bool = True
    """Send ``RateLimit-*`` headers on allowed responses too (429s always carry them)."""
    legacy_headers: bool = False
    """Also send ``X-RateLimit-Limit``/``-Remaining``/``-Reset`` (slowapi's names;
    the reset is a Unix time), for clients written against slowapi."""

    @field_validator("default_limits")
    @classmethod
    def _rates_parse(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for text in value:
            Rate.parse(text)
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_parse(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        parse_networks(value)
        return value
