"""The guides' example apps behave as the guides say."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from veloxapi.testclient import TestClient

EXAMPLES = Path(__file__).parents[3] / "docs" / "guides" / "examples"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_routing_prefix_tags_and_404() -> None:
    client = TestClient(load("routing_example").app)
    assert client.get("/books/").json() == ["Dune", "Solaris"]
    assert client.get("/books/2").json() == {"title": "Solaris"}
    assert client.get("/books/9").status_code == 404
    assert client.get("/books/abc").status_code == 422
    created = client.post("/books/", params={"title": "Ubik"})
    assert created.status_code == 201
    assert client.get(f"/books/{created.json()['id']}").json() == {"title": "Ubik"}
    schema = client.get("/openapi.json").json()
    assert schema["paths"]["/books/{book_id}"]["get"]["tags"] == ["books"]


def test_validation_constraints_and_error_locations() -> None:
    client = TestClient(load("validation_example").app)
    ok = client.get("/stock/abc", params={"warehouse": "north"}, headers={"X-Tenant": "acme"})
    assert ok.json() == {"sku": "abc", "warehouse": "north", "tenant": "acme"}
    too_long = client.get("/stock/abc", params={"warehouse": "far-too-long"})
    assert too_long.status_code == 422
    assert too_long.json()["detail"][0]["loc"] == ["query", "warehouse"]
    bad = client.post("/orders", json={"order": {"sku": "abcd", "quantity": 0}})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "order", "quantity"]
    good = client.post("/orders", json={"order": {"sku": "abcd", "quantity": 2}, "note": "hi"})
    assert good.json() == {"sku": "abcd", "quantity": 2, "note": "hi"}


def test_dependencies_cache_and_cleanup() -> None:
    module = load("dependencies_example")
    client = TestClient(module.app)
    body = client.get("/items", params={"offset": 5}).json()
    assert body == {"offset": 5, "limit": 10, "conn": "conn-0", "repo": "repo(conn-0)"}
    assert module.opened == ["conn-0"]
    assert module.closed == ["conn-0"]
    assert client.get("/items", params={"limit": 0}).status_code == 422


def test_security_401_403_and_scopes() -> None:
    client = TestClient(load("security_example").app)
    missing = client.get("/me")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert client.get("/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    bob = {"Authorization": "Bearer bob-token"}
    assert client.get("/me", headers=bob).json() == {"user": "bob"}
    denied = client.post("/items", headers=bob)
    assert denied.status_code == 403
    assert denied.headers["www-authenticate"] == 'Bearer scope="items:write"'
    alice = {"Authorization": "Bearer alice-token"}
    assert client.post("/items", headers=alice).json() == {"created_by": "alice"}


def test_openapi_metadata_and_hidden_routes() -> None:
    client = TestClient(load("openapi_example").app)
    schema = client.get("/openapi.json").json()
    info = {"title": "Weather", "summary": "Forecasts by city", "version": "2.1.0"}
    assert schema["info"] == info
    operation = schema["paths"]["/forecasts/{city}"]["get"]
    assert operation["summary"] == "Tomorrow's forecast"
    assert operation["responses"]["404"]["description"] == "Unknown city"
    assert "/internal/reload" not in schema["paths"]
    assert client.get("/internal/reload").json() == {"reloaded": True}
    assert client.get("/docs").status_code == 200
