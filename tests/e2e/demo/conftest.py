"""Fixtures of the demo service's tests: the service over uvicorn, on each set of backends.

``demo`` is parametrized: ``embedded`` (SQLite file, in-memory rate limits and
cache: what ``make run`` serves) and ``services`` (a PostgreSQL database made
for the test, Redis with a key prefix of the test's own).
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from demo_client import Demo

from support.databases import fresh_postgres_database
from support.redis_keys import unique_prefix

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))


@pytest.fixture(params=["embedded", "services"])
def backend_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of one set of backends (made before, and removed after, the server)."""
    common = {"DEMO_DATA_DIR": str(tmp_path), "DEMO_TOKEN_SECRET": secrets.token_urlsafe(32)}
    if request.param == "embedded":
        yield common
        return
    postgres_dsn = request.getfixturevalue("postgres_dsn")
    redis_url = request.getfixturevalue("redis_url")
    with (
        fresh_postgres_database(postgres_dsn, "velox_demo") as database_url,
        unique_prefix(redis_url, "velox-demo") as prefix,
    ):
        yield common | {
            "VELOX_DB_URL": database_url,
            "VELOX_RATELIMIT_BACKEND": "redis",
            "VELOX_RATELIMIT_REDIS_URL": redis_url,
            "VELOX_RATELIMIT_KEY_PREFIX": f"{prefix}rl:",
            "VELOX_CACHE_BACKEND": "redis",
            "VELOX_CACHE_REDIS_URL": redis_url,
            "VELOX_CACHE_KEY_PREFIX": f"{prefix}cache:",
        }


@pytest.fixture
def demo(
    backend_env: dict[str, str],
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    live_server: Callable[..., str],
) -> Demo:
    """The demo service on uvicorn; stopped before its database and Redis keys are removed."""
    from demo.main import create_app

    for name in ("VELOX_DB_URL", "VELOX_RATELIMIT_BACKEND", "VELOX_CACHE_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    for name, value in backend_env.items():
        monkeypatch.setenv(name, value)
    backend = "services" if "VELOX_DB_URL" in backend_env else "embedded"
    return Demo(live_server(create_app()), backend)
