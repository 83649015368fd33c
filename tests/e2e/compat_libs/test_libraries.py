"""Libraries built on FastAPI's internals, unchanged, served by veloxapi through its alias."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest


@pytest.fixture(scope="module")
def pagination(library_server: Callable[[str], str]) -> str:
    return library_server("pagination_app")


@pytest.fixture(scope="module")
def jsonrpc(library_server: Callable[[str], str]) -> str:
    return library_server("jsonrpc_app")


@pytest.fixture(scope="module")
def injectable(library_server: Callable[[str], str]) -> str:
    return library_server("injectable_app")


def test_pagination_pages_a_route_with_its_own_parameters(pagination: str) -> None:
    page = httpx.get(pagination + "/users", params={"page": 2, "size": 3}).json()
    assert [u["id"] for u in page["items"]] == [4, 5, 6]
    assert (page["total"], page["page"], page["size"], page["pages"]) == (7, 2, 3, 3)
    empty = httpx.get(pagination + "/users", params={"active": "false"}).json()
    assert (empty["items"], empty["total"]) == ([], 0)


def test_pagination_rejects_bad_page_parameters(pagination: str) -> None:
    response = httpx.get(pagination + "/users", params={"size": 0})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "size"]


def test_pagination_on_an_included_router_and_in_openapi(pagination: str) -> None:
    page = httpx.get(pagination + "/teams/odd/members", params={"limit": 2, "offset": 1}).json()
    assert [u["id"] for u in page["items"]] == [3, 5]
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)
    spec = httpx.get(pagination + "/openapi.json").json()
    names = {p["name"] for p in spec["paths"]["/users"]["get"]["parameters"]}
    assert names == {"active", "page", "size"}


def _call(url: str, method: str, params: dict[str, object], **headers: str) -> httpx.Response:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    return httpx.post(url + "/api/v1/jsonrpc", json=body, headers=headers)


def test_jsonrpc_calls_methods_with_their_parameters(jsonrpc: str) -> None:
    assert _call(jsonrpc, "echo", {"data": "hello"}).json() == {
        "jsonrpc": "2.0",
        "id": 1,
        "result": "hello",
    }
    added = _call(jsonrpc, "add", {"a": 2, "b": 3}, **{"x-user": "ann"}).json()
    assert added["result"] == {"total": 5, "by": "ann"}


def test_jsonrpc_reports_errors_in_its_envelope(jsonrpc: str) -> None:
    denied = _call(jsonrpc, "add", {"a": 2, "b": 3}).json()
    assert denied["error"]["code"] == 4001
    invalid = _call(jsonrpc, "add", {"a": "two", "b": 3}, **{"x-user": "ann"}).json()
    assert invalid["error"]["code"] == -32602
    assert invalid["error"]["data"]["errors"][0]["loc"] == ["a"]
    missing = _call(jsonrpc, "nope", {}).json()
    assert missing["error"]["code"] == -32601


def test_jsonrpc_openapi_describes_each_method(jsonrpc: str) -> None:
    spec = httpx.get(jsonrpc + "/openapi.json").json()
    assert {"/api/v1/jsonrpc/echo", "/api/v1/jsonrpc/add"} <= set(spec["paths"])
    add = spec["paths"]["/api/v1/jsonrpc/add"]["post"]
    assert [(p["name"], p["in"]) for p in add["parameters"]] == [("x-user", "header")]


def test_injectable_resolves_dependencies_outside_a_route(injectable: str) -> None:
    assert httpx.get(injectable + "/lookup/b").json() == {"value": "row:2"}
    assert httpx.get(injectable + "/count").json() == {"count": 2}
    events = httpx.get(injectable + "/events").json()
    assert events.count("open") == 2
