"""The operations batteries on a VeloxAPI application served by uvicorn."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import httpx
import pytest
from ops_e2e_helpers import Server, base_env, uvicorn_server
from prometheus_client.parser import text_string_to_metric_families

from veloxapi.batteries.security_headers import API_CSP, DOCS_CSP

FACTORY = "ops_apps:velox_app"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log_path = tmp_path_factory.mktemp("velox") / "server.log"
    with uvicorn_server(FACTORY, log_path, base_env()) as running:
        yield running


def test_request_id_logs_and_metrics_use_the_route_template(server: Server) -> None:
    response = httpx.get(f"{server.url}/items/42", headers={"X-Request-ID": "velox-42"})
    assert response.json() == {"id": 42}
    assert response.headers["x-request-id"] == "velox-42"
    time.sleep(0.2)  # let the server flush its log lines
    records = [json.loads(line) for line in server.log.splitlines() if line.startswith("{")]
    mine = [r for r in records if r.get("request_id") == "velox-42"]
    assert [r["logger"] for r in mine] == ["ops.app", "veloxapi.access"]
    assert mine[1]["route"] == "/items/{item_id}"
    assert mine[1]["status"] == 200

    metrics = httpx.get(f"{server.url}/metrics").text
    routes = {
        sample.labels["route"]
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "velox_http_requests_total"
    }
    assert "/items/{item_id}" in routes
    assert "/items/42" not in routes


def test_operations_routes_stay_out_of_openapi(server: Server) -> None:
    paths = httpx.get(f"{server.url}/openapi.json").json()["paths"]
    assert set(paths) == {"/items/{item_id}", "/v1/items"}
    assert paths["/v1/items"]["get"]["deprecated"] is True


def test_version_comes_from_the_app(server: Server) -> None:
    assert httpx.get(f"{server.url}/version").json() == {"version": "4.5.6"}


def test_deprecated_route_headers(server: Server) -> None:
    response = httpx.get(f"{server.url}/v1/items")
    assert response.json() == [1, 2]
    assert response.headers["deprecation"] == "@1767225600"
    assert response.headers["sunset"] == "Fri, 01 Jan 2027 00:00:00 GMT"
    assert response.headers["link"] == '<https://example.com/migrate>; rel="deprecation"'
    assert "deprecation" not in httpx.get(f"{server.url}/items/1").headers


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_everything_from_this_origin(server: Server, page: str) -> None:
    response = httpx.get(f"{server.url}{page}")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == DOCS_CSP
    references = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert references, "the docs page should load its viewer"
    for reference in references:
        assert reference.startswith("/"), f"{reference} is not same-origin"
        assert httpx.get(f"{server.url}{reference}").status_code == 200
    inline_scripts = re.findall(r"<script>(.+?)</script>", response.text, re.DOTALL)
    inline_styles = re.findall(r"<style>(.+?)</style>", response.text, re.DOTALL)
    # What the docs CSP must allow, and only on these pages: inline start-up code.
    assert inline_scripts or inline_styles
    if inline_scripts:
        assert "script-src 'self' 'unsafe-inline'" in DOCS_CSP
    if inline_styles:
        assert "style-src 'self' 'unsafe-inline'" in DOCS_CSP


def test_api_responses_keep_the_strict_policy(server: Server) -> None:
    headers = httpx.get(f"{server.url}/items/1").headers
    assert headers["content-security-policy"] == API_CSP
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
