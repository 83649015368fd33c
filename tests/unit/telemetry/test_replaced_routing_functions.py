"""Integrations replacing routing.solve_dependencies or run_endpoint_function see requests."""

from __future__ import annotations

from typing import Annotated, Any

import pytest

from veloxapi import Depends, FastAPI, WebSocket, routing
from veloxapi.testclient import TestClient


def _prefix() -> str:
    return "item"


def test_replacements_installed_before_the_first_request_are_called(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = FastAPI()

    @app.get("/items/{item_id}")
    async def read_item(item_id: int, prefix: Annotated[str, Depends(_prefix)]) -> str:
        return f"{prefix}-{item_id}"

    @app.websocket("/ws/{item_id}")
    async def echo(websocket: WebSocket, item_id: int) -> None:
        await websocket.accept()
        await websocket.send_text(str(item_id))
        await websocket.close()

    seen: list[Any] = []
    solve, run = routing.solve_dependencies, routing.run_endpoint_function

    async def traced_solve(*, request: Any, **kwargs: Any) -> Any:
        solved = await solve(request=request, **kwargs)
        seen.append(("solved", request.url.path, dict(solved.values), len(solved.errors)))
        return solved

    async def traced_run(*, dependant: Any, values: dict[str, Any], **kwargs: Any) -> Any:
        seen.append(("run", dependant.call.__name__))
        return await run(dependant=dependant, values=values, **kwargs)

    monkeypatch.setattr(routing, "solve_dependencies", traced_solve)
    monkeypatch.setattr(routing, "run_endpoint_function", traced_run)
    client = TestClient(app)
    assert client.get("/items/3").json() == "item-3"
    assert client.get("/items/x").status_code == 422
    with client.websocket_connect("/ws/5") as websocket:
        assert websocket.receive_text() == "5"
    assert seen[:3] == [
        ("solved", "/items/3", {"item_id": 3, "prefix": "item"}, 0),
        ("run", "read_item"),
        ("solved", "/items/x", {}, 1),
    ]
    kind, path, values, errors = seen[3]
    assert (kind, path, values["item_id"], errors) == ("solved", "/ws/5", 5, 0)
    assert isinstance(values["websocket"], WebSocket)
    assert len(seen) == 4  # the WebSocket endpoint is not run through run_endpoint_function


def test_without_replacements_the_plan_runs_directly() -> None:
    app = FastAPI()

    @app.get("/")
    async def root() -> str:
        return "ok"

    assert TestClient(app).get("/").json() == "ok"
    route = next(r for r in app.routes if getattr(r, "path", "") == "/")
    assert route.current_plan().observer is None
