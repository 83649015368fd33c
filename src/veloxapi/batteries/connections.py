"""The connections batteries share, and the checks their URLs get at start-up.

``VELOX_REDIS_URL`` is the one Redis every battery that keeps state in Redis
(rate limits, the response cache, readiness) uses unless it sets its own
``VELOX_<BATTERY>_REDIS_URL``. URLs are checked when the settings are built,
so a typo fails start-up with the variable's name, not every request.
PostgreSQL DSNs written for SQLAlchemy (``postgresql+asyncpg://``) are
accepted and normalised to the plain form drivers take.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

SHARED_REDIS_ENV = "VELOX_REDIS_URL"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
REDIS_SCHEMES = ("redis", "rediss", "unix")
POSTGRES_SCHEMES = ("postgresql", "postgres")


def shared_redis_url() -> str:
    """``VELOX_REDIS_URL``, or the local default ``redis://127.0.0.1:6379/0``."""
    return os.environ.get(SHARED_REDIS_ENV) or DEFAULT_REDIS_URL


def _scheme_and_port(url: str) -> str:
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        raise ValueError(f"the port of this {parts.scheme or 'URL'} URL is not a number") from None
    return parts.scheme.lower()


def check_redis_url(url: str) -> str:
    """``url`` if it is a Redis URL, else ValueError saying which schemes work."""
    scheme = _scheme_and_port(url)
    if scheme not in REDIS_SCHEMES:
        raise ValueError(
            f"scheme {scheme or '(none)'!r} is not Redis; write redis://host:6379/0, "
            "rediss:// (TLS) or unix:///path/to/redis.sock"
        )
    return url


def normalise_postgres_dsn(dsn: str) -> str:
    """``dsn`` as a plain ``postgresql://`` DSN; a SQLAlchemy driver suffix is dropped.

    ``postgresql+asyncpg://u@h/db`` becomes ``postgresql://u@h/db``; anything
    that is not PostgreSQL is a ValueError naming the accepted forms.
    """
    scheme = _scheme_and_port(dsn)
    base, plus, _driver = scheme.partition("+")
    if base not in POSTGRES_SCHEMES:
        raise ValueError(
            f"scheme {scheme or '(none)'!r} is not PostgreSQL; write "
            "postgresql://user:password@host:5432/database (a driver suffix such as "
            "postgresql+asyncpg:// is accepted)"
        )
    return "postgresql" + dsn[len(scheme) :] if plus or base == "postgres" else dsn
