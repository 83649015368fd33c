"""A pool timeout is answered 503 with Retry-After, in the shape of the app's HTTP errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from veloxapi import VeloxAPI
from veloxapi.batteries.db import DatabaseSettings
from veloxapi.testclient import TestClient


def _app(tmp_path: Path, **batteries: object) -> VeloxAPI:
    settings = DatabaseSettings(
        url=f"sqlite+aiosqlite:///{tmp_path / 'busy.sqlite3'}", retry_after=7
    )
    app = VeloxAPI(batteries={"db": settings, **batteries})

    @app.get("/async")
    async def pool_exhausted_async() -> None:
        raise PoolTimeoutError("QueuePool limit of size 1 overflow 0 reached")

    @app.get("/sync")
    def pool_exhausted_sync() -> None:
        raise PoolTimeoutError("QueuePool limit of size 1 overflow 0 reached")

    return app


@pytest.mark.parametrize("path", ["/async", "/sync"])
def test_plain_body(tmp_path: Path, path: str) -> None:
    answer = TestClient(_app(tmp_path)).get(path)
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "7"
    assert answer.json() == {"detail": "The database is busy; retry shortly."}


def test_errors_battery_body(tmp_path: Path) -> None:
    answer = TestClient(_app(tmp_path, errors=True)).get("/async")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "7"
    body = answer.json()
    assert (body["status"], body["detail"]) == (503, "The database is busy; retry shortly.")
    assert "QueuePool" not in answer.text
