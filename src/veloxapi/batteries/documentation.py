"""The batteries in the OpenAPI document: 401/403 on protected routes, 429 on limited ones.

:func:`document_batteries` wraps ``app.openapi`` (the hook FastAPI documents
for extending the schema) once per app; every battery that changes what a
route can answer calls it at install time. After the generator has built the
document, each operation gets, unless the route declared that status itself:

* ``401`` and ``403`` when the operation has a security requirement;
* ``429`` (with ``Retry-After`` and ``RateLimit-*`` headers) when a
  ``RateLimit`` dependency guards the route, on the route or its routers;
* with the errors battery installed, the errors battery's body shape (plain or
  RFC 9457 ``application/problem+json``) as the content of those responses and
  of the validation error (422).

Apps without these batteries keep FastAPI's document unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from veloxapi.routing import iter_route_contexts

STATE_KEY = "veloxapi_openapi_batteries"
ERROR_SCHEMA = "BatteryError"
_REF = "#/components/schemas/"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PLAIN_ERROR = {
    "title": ERROR_SCHEMA,
    "type": "object",
    "properties": {
        "detail": {"title": "Detail"},
        "status": {"title": "Status", "type": "integer"},
        "code": {"title": "Code", "type": "string"},
        "request_id": {"title": "Request Id", "type": "string"},
    },
    "required": ["detail", "status", "code", "request_id"],
}
_PROBLEM = {
    "title": ERROR_SCHEMA,
    "type": "object",
    "description": "RFC 9457 problem details, with the error code and request id.",
    "properties": {
        "type": {"title": "Type", "type": "string"},
        "title": {"title": "Title", "type": "string"},
        "status": {"title": "Status", "type": "integer"},
        "detail": {"title": "Detail", "type": "string"},
        "errors": {"title": "Errors", "type": "array", "items": {}},
        "instance": {"title": "Instance", "type": "string"},
        "code": {"title": "Code", "type": "string"},
        "request_id": {"title": "Request Id", "type": "string"},
    },
    "required": ["type", "title", "status", "instance", "code", "request_id"],
}
_DETAIL_ONLY = {
    "type": "object",
    "properties": {"detail": {"title": "Detail", "type": "string"}},
    "required": ["detail"],
}
_RATE_HEADERS = {
    name: {"description": text, "schema": {"type": "integer"}}
    for name, text in (
        ("Retry-After", "Seconds until a request may succeed."),
        ("RateLimit-Limit", "Requests allowed per window."),
        ("RateLimit-Remaining", "Requests left in the window."),
        ("RateLimit-Reset", "Seconds until the quota is whole again."),
    )
}


def _calls(dependant: Any) -> Iterator[Any]:
    for child in getattr(dependant, "dependencies", ()):
        yield getattr(child, "call", None)
        yield from _calls(child)


def _limited(route: Any) -> bool:
    from veloxapi.batteries.ratelimit.limiter import RateLimit

    return any(isinstance(call, RateLimit) for call in _calls(getattr(route, "dependant", None)))


def _error_settings(app: Any) -> Any:
    """The errors battery's settings when it is installed on ``app``, else ``None``."""
    renderer = getattr(getattr(app, "state", None), "veloxapi_errors", None)
    return getattr(renderer, "settings", None)


def _error_content(app: Any, schema: dict[str, Any]) -> dict[str, Any]:
    settings = _error_settings(app)
    if settings is None:
        return {"application/json": {"schema": _DETAIL_ONLY}}
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_SCHEMA] = _PROBLEM if settings.problem_json else _PLAIN_ERROR
    media = "application/problem+json" if settings.problem_json else "application/json"
    return {media: {"schema": {"$ref": _REF + ERROR_SCHEMA}}}


def _operations(schema: dict[str, Any], route: Any) -> Iterator[dict[str, Any]]:
    path_item = schema.get("paths", {}).get(getattr(route, "path_format", None), {})
    for method in getattr(route, "methods", None) or ():
        operation = path_item.get(method.lower())
        if isinstance(operation, dict):
            yield operation


def _add(operation: dict[str, Any], status: str, description: str, content: Any) -> None:
    responses = operation.setdefault("responses", {})
    if status not in responses:
        responses[status] = {"description": description, "content": content}


def annotate(app: Any, schema: dict[str, Any]) -> None:
    """Add the batteries' responses to ``schema`` (the document of ``app``) in place."""
    content = _error_content(app, schema)
    with_errors = _error_settings(app) is not None
    for route in iter_route_contexts(getattr(app, "routes", ())):
        limited = _limited(route)
        for operation in _operations(schema, route):
            if operation.get("security"):
                _add(operation, "401", "Not authenticated", content)
                _add(operation, "403", "Not allowed", content)
            if limited:
                _add(operation, "429", "Too many requests", content)
                operation["responses"]["429"].setdefault("headers", _RATE_HEADERS)
            if with_errors and "422" in operation.get("responses", {}):
                operation["responses"]["422"]["content"] = content


def document_batteries(app: Any) -> None:
    """Make ``app.openapi()`` document the batteries (idempotent; apps with ``openapi``)."""
    state = getattr(app, "state", None)
    original: Callable[[], dict[str, Any]] | None = getattr(app, "openapi", None)
    if state is None or original is None or getattr(state, STATE_KEY, False):
        return
    setattr(state, STATE_KEY, True)
    done: list[int] = []

    def openapi() -> dict[str, Any]:
        schema = original()
        if id(schema) not in done:
            annotate(app, schema)
            done[:] = [id(schema)]
        return schema

    app.openapi = openapi
