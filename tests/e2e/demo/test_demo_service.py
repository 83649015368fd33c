"""The inventory demo end to end: CRUD, pagination, auth, rate limits, cache, ops endpoints."""

from __future__ import annotations

import httpx
from demo_client import Demo
from prometheus_client.parser import text_string_to_metric_families


def _supplier(demo: Demo, headers: dict[str, str], name: str = "Acme") -> int:
    answer = httpx.post(
        f"{demo.base}/suppliers",
        json={"name": name, "email": "sales@acme.example"},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def _product(demo: Demo, headers: dict[str, str], supplier: int, sku: str) -> dict[str, object]:
    body = {"sku": sku, "name": f"Part {sku}", "price_cents": 1999, "supplier_id": supplier}
    answer = httpx.post(f"{demo.base}/products", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_crud_and_pagination(demo: Demo) -> None:
    writer = demo.token()
    supplier = _supplier(demo, writer)
    created = [_product(demo, writer, supplier, f"SKU-{n}") for n in range(5)]
    assert str(created[0]["created_at"]).endswith("Z")

    page = httpx.get(f"{demo.base}/products", params={"limit": 2, "offset": 2}).json()
    assert page["total"] == 5
    assert [item["sku"] for item in page["items"]] == ["SKU-2", "SKU-3"]

    first = created[0]["id"]
    changed = httpx.patch(
        f"{demo.base}/products/{first}", json={"price_cents": 2500}, headers=writer
    )
    assert changed.json()["price_cents"] == 2500
    assert httpx.delete(f"{demo.base}/products/{first}", headers=writer).status_code == 204
    missing = httpx.get(f"{demo.base}/products/{first}")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_conflicts_and_bad_input_are_client_errors(demo: Demo) -> None:
    writer = demo.token()
    supplier = _supplier(demo, writer)
    _product(demo, writer, supplier, "DUP-1")
    duplicate = {"sku": "DUP-1", "name": "again", "price_cents": 1, "supplier_id": supplier}
    assert httpx.post(f"{demo.base}/products", json=duplicate, headers=writer).status_code == 409
    orphan = {"sku": "ORPHAN", "name": "x", "price_cents": 1, "supplier_id": 999}
    assert httpx.post(f"{demo.base}/products", json=orphan, headers=writer).status_code == 422
    bad = {"sku": "lower case", "name": "", "price_cents": -1, "supplier_id": supplier}
    assert httpx.post(f"{demo.base}/products", json=bad, headers=writer).status_code == 422
    busy = httpx.delete(f"{demo.base}/suppliers/{supplier}", headers=writer)
    assert busy.status_code == 409


def test_stock_never_goes_below_zero(demo: Demo) -> None:
    writer = demo.token()
    product = _product(demo, writer, _supplier(demo, writer), "STOCK-1")
    url = f"{demo.base}/products/{product['id']}/stock"
    assert httpx.post(url, json={"change": 3, "reason": "delivery"}, headers=writer).is_success
    refused = httpx.post(url, json={"change": -4, "reason": "sale"}, headers=writer)
    assert refused.status_code == 422
    assert "only 3 unit(s)" in refused.json()["detail"]
    moves = httpx.get(url).json()
    assert [(m["change"], m["recorded_by"]) for m in moves["items"]] == [(3, "alice")]
    product_url = f"{demo.base}/products/{product['id']}"
    assert httpx.delete(product_url, headers=writer).status_code == 204  # movements go too
    assert httpx.get(url).status_code == 404


def test_writes_need_a_token_with_the_write_scope(demo: Demo) -> None:
    body = {"name": "Nope", "email": "no@example.com"}
    anonymous = httpx.post(f"{demo.base}/suppliers", json=body)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    reader = httpx.post(f"{demo.base}/suppliers", json=body, headers=demo.token("bob"))
    assert reader.status_code == 403
    wrong = httpx.post(
        f"{demo.base}/token", data={"username": "alice", "password": "not-the-password"}
    )
    assert wrong.status_code == 400
    assert httpx.get(f"{demo.base}/suppliers").json()["total"] == 0


def test_product_reads_are_cached_and_invalidated_by_writes(demo: Demo) -> None:
    writer = demo.token()
    product = _product(demo, writer, _supplier(demo, writer), "CACHE-1")
    url = f"{demo.base}/products/{product['id']}"
    assert httpx.get(url).headers["x-cache"] == "MISS"
    hit = httpx.get(url)
    assert hit.headers["x-cache"] == "HIT"
    assert hit.json()["quantity"] == 0
    stock = {"change": 7, "reason": "delivery"}
    assert httpx.post(f"{url}/stock", json=stock, headers=writer).is_success
    fresh = httpx.get(url)
    assert fresh.headers["x-cache"] == "MISS"
    assert fresh.json()["quantity"] == 7


def test_writes_are_rate_limited_per_user(demo: Demo) -> None:
    writer = demo.token()
    statuses = [
        httpx.post(
            f"{demo.base}/suppliers",
            json={"name": f"S{n}", "email": "s@example.com"},
            headers=writer,
        ).status_code
        for n in range(61)
    ]
    assert statuses[:60] == [201] * 60
    assert statuses[60] == 429
    other = httpx.post(
        f"{demo.base}/suppliers",
        json={"name": "Other", "email": "o@example.com"},
        headers=demo.token("alice"),
    )
    assert other.status_code == 429  # the same user, with a new token, is still limited


def test_health_metrics_and_request_ids(demo: Demo) -> None:
    ready = httpx.get(f"{demo.base}/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == {"ok": True}
    answer = httpx.get(f"{demo.base}/suppliers")
    assert answer.headers["x-request-id"]
    families = {
        f.name for f in text_string_to_metric_families(httpx.get(f"{demo.base}/metrics").text)
    }
    assert {"velox_http_requests", "velox_db_pool_checked_out"} <= families
