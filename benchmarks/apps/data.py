"""Request payloads and canned data shared by every benchmark app and by the scenarios.

Plain Python values only (no framework, no Pydantic), so the orchestrator can import
this module to build requests and expected responses without any third-party package.
"""

from typing import Any

ITEM_TAGS = ["bench"]

TOKENS: dict[str, dict[str, Any]] = {
    "token-abc": {"id": 7, "name": "Grace Hopper", "scopes": ["items:read", "items:write"]},
}

ORDER: dict[str, Any] = {
    "order_id": 1001,
    "customer": {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "address": {"street": "12 Analytical Way", "city": "London", "zip_code": "10115"},
    },
    "lines": [{"sku": f"SKU-{n}", "quantity": n + 1, "unit_price": 9.5 + n} for n in range(5)],
    "note": "leave at the door",
}

PLAIN: dict[str, Any] = {"message": "Hello, World!", "status": "ok", "count": 3}

PRODUCTS: list[dict[str, Any]] = [
    {
        "id": n,
        "name": f"product-{n}",
        "price": round(1.25 * n, 2),
        "in_stock": n % 3 != 0,
        "tags": [{"id": n * 10 + t, "label": f"tag-{t}"} for t in range(3)],
        "dimensions": {"width": 1.5, "height": 2.0 + n % 7, "depth": 0.5},
    }
    for n in range(300)
]

MANY_ROUTES = 500

UPLOAD_SIZE = 1024 * 1024
UPLOAD_FILENAME = "blob.bin"


def item_response(item_id: int, limit: int, q: str) -> dict[str, Any]:
    """The body every app returns for GET /items/{item_id}."""
    return {
        "item_id": item_id,
        "name": f"item-{item_id}",
        "limit": limit,
        "q": q,
        "tags": [*ITEM_TAGS, q],
    }


def route_response(route: int, item_id: int, verbose: bool) -> dict[str, Any]:
    """The body every app returns for GET /resource{route}/{item_id}."""
    return {"route": route, "item_id": item_id, "verbose": verbose}


def bearer_token(authorization: str | None) -> str | None:
    """The token of an 'Authorization: Bearer <token>' header, or None."""
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return token
