"""The OpenAPI document tells the truth about RFC 9457 error bodies.

With ``problem_json`` on, every 4xx/5xx the battery renders is sent as
``application/problem+json`` in the problem shape (a validation error's list
moves under ``errors``). The generated document still says
``application/json`` and FastAPI's ``{"detail": ...}`` schemas, so clients
generated from it, and schema checkers, would be told the wrong thing. This
rewrites each documented error response of the document once, when it is
first built, through the app's ``openapi()`` (the method FastAPI documents for
customising the document). Only documented error responses that have a body
are rewritten.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PROBLEM_MEDIA_TYPE = "application/problem+json"
_SCHEMA_NAME = "BatteryError"  # the name batteries.documentation gives the battery's body
_REF = f"#/components/schemas/{_SCHEMA_NAME}"


def problem_schema() -> dict[str, Any]:
    """JSON Schema of the battery's RFC 9457 body (``errors`` lists validation errors)."""
    text = {"type": "string"}
    return {
        "title": _SCHEMA_NAME,
        "type": "object",
        "description": "RFC 9457 problem details, with the error code and request id.",
        "properties": {
            "type": {**text, "title": "Type"},
            "title": {**text, "title": "Title"},
            "status": {"type": "integer", "title": "Status"},
            "detail": {**text, "title": "Detail"},
            "errors": {"type": "array", "title": "Errors", "items": {}},
            "instance": {**text, "title": "Instance"},
            "code": {**text, "title": "Code"},
            "request_id": {**text, "title": "Request Id"},
        },
        "required": ["type", "title", "status", "instance", "code", "request_id"],
    }


def _is_error(status: str) -> bool:
    return status[:1] in ("4", "5")


def rewrite_error_responses(document: dict[str, Any]) -> None:
    """Document every 4xx/5xx response of ``document`` as a problem, in place."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas[_SCHEMA_NAME] = problem_schema()
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                if _is_error(str(status)) and "content" in response:
                    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": _REF}}}


def document_problem_responses(app: Any) -> None:
    """Make ``app.openapi()`` return the rewritten document (apps without one are left be)."""
    build: Callable[[], dict[str, Any]] | None = getattr(app, "openapi", None)
    if build is None or not hasattr(app, "openapi_schema"):
        return

    def openapi() -> dict[str, Any]:
        document = build()
        rewrite_error_responses(document)  # idempotent: a cached document is left as it is
        return document

    app.openapi = openapi
