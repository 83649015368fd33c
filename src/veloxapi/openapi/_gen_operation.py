"""One path operation: metadata, parameters, body, responses, security, callbacks.

``openapi_extra`` is merged last, over everything generated, recursing into
nested objects. Security schemes met in the routes' dependencies are
collected in ``security_schemes`` for ``components.securitySchemes``.
"""

from __future__ import annotations

import inspect
import warnings
from enum import Enum
from typing import Any

from veloxapi._live_include import effective_routes
from veloxapi.openapi._gen_body import request_body
from veloxapi.openapi._gen_flat import FlatDependant, flatten
from veloxapi.openapi._gen_params import operation_parameters
from veloxapi.openapi._gen_responses import (
    VALIDATION_ERROR_RESPONSE,
    deep_copy,
    deep_merge,
    operation_responses,
)
from veloxapi.openapi._gen_schemas import SchemaRegistry
from veloxapi.openapi.constants import METHODS_WITH_BODY


class OperationBuilder:
    """Builds operations for many routes, sharing one schema registry."""

    def __init__(self, registry: SchemaRegistry) -> None:
        self.registry = registry
        self.security_schemes: dict[str, Any] = {}
        self.operation_ids: set[str] = set()
        self.uses_validation_error = False
        self._flat: dict[int, FlatDependant] = {}

    def path_item(self, route: Any) -> dict[str, Any]:
        """``{method: operation}`` for every method of ``route``."""
        flat = self._flat.get(id(route))
        if flat is None:  # a callback route may serve several operations: flatten it once
            flat = self._flat[id(route)] = flatten(route.planned_dependant())
        item: dict[str, Any] = {}
        for method in _ordered(route.methods):
            item[method.lower()] = self.operation(route, method, flat)
        return item

    def operation(self, route: Any, method: str, flat: FlatDependant) -> dict[str, Any]:
        operation = _metadata(route)
        self._check_unique(operation["operationId"], route)
        parameters = operation_parameters(flat, _path_names(route.path_format), self.registry)
        if parameters:
            operation["parameters"] = parameters
        if method in METHODS_WITH_BODY:
            body = request_body(flat, route.unique_id, self.registry)
            if body is not None:
                operation["requestBody"] = body
        responses = operation_responses(route, self.registry)
        if (flat.params() or flat.body) and not any(
            key in responses for key in ("422", "4XX", "default")
        ):
            responses["422"] = deep_copy(VALIDATION_ERROR_RESPONSE)
            self.uses_validation_error = True
        operation["responses"] = responses
        security = self._security(flat)
        if security:
            operation["security"] = security
        callbacks = self._callbacks(route)
        if callbacks:
            operation["callbacks"] = callbacks
        if route.openapi_extra:
            deep_merge(operation, route.openapi_extra)
        return operation

    def _check_unique(self, operation_id: str, route: Any) -> None:
        if operation_id in self.operation_ids:
            where = _source_file(route.endpoint)
            warnings.warn(
                f"Duplicate Operation ID {operation_id} for function {route.name} at {where}; "
                "give each route a distinct operation_id or generate_unique_id_function.",
                UserWarning,
                stacklevel=2,
            )
        self.operation_ids.add(operation_id)

    def _security(self, flat: FlatDependant) -> list[dict[str, list[str]]]:
        """One requirement per scheme, with the scopes of all its uses."""
        scopes_by_name: dict[str, list[str]] = {}
        for scheme, scopes in flat.security:
            name = scheme.scheme_name
            if name not in self.security_schemes:
                self.security_schemes[name] = scheme.model.model_dump(
                    mode="json", by_alias=True, exclude_none=True
                )
            known = scopes_by_name.setdefault(name, [])
            known.extend(s for s in scopes if s not in known)
        return [{name: scopes} for name, scopes in scopes_by_name.items()]

    def _callbacks(self, route: Any) -> dict[str, Any]:
        """The route's callbacks; their validation errors add no component schemas."""
        from veloxapi.routing import APIRoute

        callbacks: dict[str, Any] = {}
        uses_validation_error = self.uses_validation_error
        for callback in effective_routes(route.callbacks or []):  # inclusions expanded
            if isinstance(callback, APIRoute):
                paths = callbacks.setdefault(callback.name, {})
                paths.setdefault(callback.path_format, {}).update(self.path_item(callback))
        self.uses_validation_error = uses_validation_error
        return callbacks


def _path_names(path: str) -> set[str]:
    return {part.split("}")[0] for part in path.split("{")[1:]}


def _source_file(endpoint: Any) -> str | None:
    try:
        return inspect.getsourcefile(endpoint)
    except TypeError:
        return None


def _ordered(methods: set[str]) -> list[str]:
    order = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"]
    return sorted(methods, key=lambda m: order.index(m) if m in order else len(order))


def _metadata(route: Any) -> dict[str, Any]:
    operation: dict[str, Any] = {}
    if route.tags:
        operation["tags"] = [t.value if isinstance(t, Enum) else t for t in route.tags]
    operation["summary"] = route.summary or route.name.replace("_", " ").title()
    if route.description:
        operation["description"] = route.description
    operation["operationId"] = route.operation_id or route.unique_id
    if route.deprecated:
        operation["deprecated"] = True
    return operation
