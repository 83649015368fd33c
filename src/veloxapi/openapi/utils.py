"""The OpenAPI 3.1 document of an app: ``get_openapi``.

The document is built in one pass over the routes: each operation is written
with placeholder schemas, then Pydantic generates every JSON Schema at once
(so shared models become one component each), and the whole document is
validated through the OpenAPI models and dumped without ``None`` values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute

from veloxapi._live_include import RouteContext, effective_routes
from veloxapi.openapi._gen_operation import OperationBuilder
from veloxapi.openapi._gen_schemas import SchemaRegistry
from veloxapi.openapi.constants import REF_PREFIX
from veloxapi.openapi.models import OpenAPI

VALIDATION_ERROR_SCHEMAS: dict[str, Any] = {
    "ValidationError": {
        "title": "ValidationError",
        "type": "object",
        "properties": {
            "loc": {
                "title": "Location",
                "type": "array",
                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            },
            "msg": {"title": "Message", "type": "string"},
            "type": {"title": "Error Type", "type": "string"},
            "input": {"title": "Input"},
            "ctx": {"title": "Context", "type": "object"},
        },
        "required": ["loc", "msg", "type"],
    },
    "HTTPValidationError": {
        "title": "HTTPValidationError",
        "type": "object",
        "properties": {
            "detail": {
                "title": "Detail",
                "type": "array",
                "items": {"$ref": REF_PREFIX + "ValidationError"},
            }
        },
    },
}


def get_openapi(
    *,
    title: str,
    version: str,
    openapi_version: str = "3.1.0",
    summary: str | None = None,
    description: str | None = None,
    routes: Sequence[BaseRoute | RouteContext],
    webhooks: Sequence[BaseRoute | RouteContext] | None = None,
    tags: list[dict[str, Any]] | None = None,
    servers: list[dict[str, str | Any]] | None = None,
    terms_of_service: str | None = None,
    contact: dict[str, str | Any] | None = None,
    license_info: dict[str, str | Any] | None = None,
    separate_input_output_schemas: bool = True,
    external_docs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The OpenAPI document describing ``routes`` (and ``webhooks``), as a JSON-ready dict."""
    info: dict[str, Any] = {"title": title, "version": version}
    for key, value in (
        ("summary", summary),
        ("description", description),
        ("termsOfService", terms_of_service),
        ("contact", contact),
        ("license", license_info),
    ):
        if value:
            info[key] = value
    output: dict[str, Any] = {"openapi": openapi_version, "info": info}
    if servers:
        output["servers"] = servers
    registry = SchemaRegistry(separate_input_output_schemas)
    builder = OperationBuilder(registry)
    paths = _paths(routes, builder)
    webhook_paths = _paths(webhooks or [], builder)
    components = _components(registry.generate(), builder)
    if components:
        output["components"] = components
    output["paths"] = paths
    if webhook_paths:
        output["webhooks"] = webhook_paths
    if tags:
        output["tags"] = tags
    if external_docs:
        output["externalDocs"] = external_docs
    document = OpenAPI.model_validate(output)
    return document.model_dump(mode="json", by_alias=True, exclude_none=True)


def _paths(routes: Sequence[Any], builder: OperationBuilder) -> dict[str, Any]:
    """The path items of ``routes`` (routes or ``RouteContext``s), inclusions expanded."""
    from veloxapi.routing import APIRoute

    paths: dict[str, Any] = {}
    for route in effective_routes(routes):
        if isinstance(route, APIRoute) and route.include_in_schema:
            paths.setdefault(route.path_format, {}).update(builder.path_item(route))
    return paths


def _components(schemas: dict[str, Any], builder: OperationBuilder) -> dict[str, Any]:
    if builder.uses_validation_error:
        schemas = {**schemas, **VALIDATION_ERROR_SCHEMAS}
        schemas = {name: schemas[name] for name in sorted(schemas)}
    components: dict[str, Any] = {}
    if schemas:
        components["schemas"] = schemas
    if builder.security_schemes:
        components["securitySchemes"] = builder.security_schemes
    return components


__all__ = ["get_openapi"]
