"""Fixtures for the operations e2e tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ops_e2e_helpers import PrivateRedis, require_redis_server


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    redis = PrivateRedis(require_redis_server())
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()
