"""The database battery over a real uvicorn server, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from db_e2e_app import build_app

from veloxapi.batteries.db import DatabaseSettings, database_for

Serve = Callable[..., str]
_WAIT = 10.0


def _settings(url: str, **overrides: Any) -> DatabaseSettings:
    return DatabaseSettings(url=url, **overrides)


def _count(base: str) -> int:
    return int(httpx.get(f"{base}/items/count").json()["count"])


def _wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + _WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {_WAIT}s")
        time.sleep(0.02)


def test_commit_on_success(live_server: Serve, database_url: str) -> None:
    base = live_server(build_app(_settings(database_url)))
    answer = httpx.post(f"{base}/items", params={"name": "kept"})
    assert answer.status_code == 200
    assert answer.json()["created_at"].endswith("+00:00")
    assert _count(base) == 1


@pytest.mark.parametrize("fail, status", [("error", 500), ("http", 409)])
def test_rollback_when_the_endpoint_raises(
    live_server: Serve, database_url: str, fail: str, status: int
) -> None:
    base = live_server(build_app(_settings(database_url)))
    answer = httpx.post(f"{base}/items", params={"name": "lost", "fail": fail})
    assert answer.status_code == status
    assert _count(base) == 0


def test_http_errors_can_be_configured_to_commit(live_server: Serve, database_url: str) -> None:
    base = live_server(build_app(_settings(database_url, rollback_on_http_error=False)))
    assert httpx.post(f"{base}/items", params={"name": "x", "fail": "http"}).status_code == 409
    assert httpx.post(f"{base}/items", params={"name": "y", "fail": "error"}).status_code == 500
    assert _count(base) == 1


def test_without_commit_on_success_only_explicit_commits_persist(
    live_server: Serve, database_url: str
) -> None:
    base = live_server(build_app(_settings(database_url, commit_on_success=False)))
    assert httpx.post(f"{base}/items", params={"name": "dropped"}).status_code == 200
    assert httpx.post(f"{base}/items/committed-by-endpoint", params={"name": "k"}).is_success
    assert _count(base) == 1


def test_sync_session_in_def_endpoint(live_server: Serve, database_url: str) -> None:
    base = live_server(build_app(_settings(database_url)))
    answer = httpx.post(f"{base}/items/sync", params={"name": "threaded"})
    assert answer.status_code == 200
    assert answer.json()["id"] >= 1
    assert _count(base) == 1


def test_session_is_closed_after_a_streaming_response(
    live_server: Serve, database_url: str
) -> None:
    app = build_app(_settings(database_url))
    base = live_server(app)
    for name in ("a", "b"):
        httpx.post(f"{base}/items", params={"name": name})
    streamed = httpx.get(f"{base}/stream")
    assert streamed.text == "a\nb\n"  # the session was open while the body was produced
    _wait_until(lambda: database_for(app).engine.pool.checkedout() == 0)  # type: ignore[attr-defined]
    assert httpx.get(f"{base}/last-session-closed").json() == {"closed": True}


def test_background_task_gets_the_open_session_then_it_is_closed(
    live_server: Serve, database_url: str
) -> None:
    app = build_app(_settings(database_url))
    base = live_server(app)
    assert httpx.post(f"{base}/items/background", params={"name": "later"}).is_success
    _wait_until(lambda: _count(base) == 1)  # the task's own commit persisted
    assert app.state.background_saw_closed is False
    assert httpx.get(f"{base}/last-session-closed").json() == {"closed": True}


@pytest.mark.parametrize(
    "hold, query, engine",
    [("/hold", "/items/count", "async"), ("/hold-sync", "/items/sync/count", "sync")],
)
def test_exhausted_pool_answers_503_with_retry_after(
    live_server: Serve, database_url: str, hold: str, query: str, engine: str
) -> None:
    settings = _settings(database_url, pool_size=1, max_overflow=0, pool_timeout=0.5, retry_after=3)
    app = build_app(settings)
    base = live_server(app)
    database = database_for(app)
    holder = threading.Thread(
        target=httpx.get,
        args=(f"{base}{hold}",),
        kwargs={"params": {"seconds": 3}, "timeout": _WAIT},
    )
    holder.start()
    try:
        _wait_until(lambda: _checked_out(database, engine) == 1)
        busy = httpx.get(f"{base}{query}", timeout=_WAIT)
        assert busy.status_code == 503
        assert busy.headers["retry-after"] == "3"
        assert busy.json() == {"detail": "The database is busy; retry shortly."}
    finally:
        holder.join()
    assert httpx.get(f"{base}{query}").status_code == 200


def _checked_out(database: Any, engine: str) -> int:
    """Connections lent by the engine's pool (the sync engine is made on first use, any thread)."""
    pool = (database.engine if engine == "async" else database.sync_engine).pool
    return int(pool.checkedout())


def test_readiness_checks_the_database(live_server: Serve, database_url: str) -> None:
    base = live_server(build_app(_settings(database_url), health=True))
    ready = httpx.get(f"{base}/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == {"ok": True}
