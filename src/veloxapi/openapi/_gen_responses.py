"""Operation ``responses``: the route's own response, extra ``responses=``, and 422.

The route's own response is keyed by its status code (or the response class's
default one) and described by the response model when the class renders JSON,
by a plain string for other media types, and by nothing when the status code
forbids a body. Generator endpoints stream JSON Lines or server-sent events,
described per item with ``itemSchema``. Entries of ``responses=`` are merged
over it, keyed by upper-cased code (``"5xx"`` -> ``"5XX"``), with a default
description from the status phrase.
"""

from __future__ import annotations

import http
import inspect
from typing import Any, get_args, get_origin

from pydantic import TypeAdapter
from starlette.responses import JSONResponse

from veloxapi._engine.compile import typing_tools as tt
from veloxapi.openapi._gen_schemas import (
    Finisher,
    SchemaRegistry,
    chain,
    title_from_name,
    titled,
)
from veloxapi.openapi.constants import REF_PREFIX

VALIDATION_ERROR_RESPONSE: dict[str, Any] = {
    "description": "Validation Error",
    "content": {"application/json": {"schema": {"$ref": REF_PREFIX + "HTTPValidationError"}}},
}

_RANGE_DESCRIPTIONS = {
    "1XX": "Information",
    "2XX": "Success",
    "3XX": "Redirection",
    "4XX": "Client Error",
    "5XX": "Server Error",
    "DEFAULT": "Default Response",
}

_SSE_FIELDS: dict[str, Any] = {
    "event": {"type": "string"},
    "id": {"type": "string"},
    "retry": {"type": "integer", "minimum": 0},
}


def body_allowed(status_code: int | str | None) -> bool:
    if status_code is None:
        return True
    if str(status_code).upper() in _RANGE_DESCRIPTIONS:
        return True
    code = int(status_code)
    return not (code < 200 or code in (204, 205, 304))


def default_status_code(route: Any) -> str:
    """The route's status code, or the one its response class sends by default."""
    if route.status_code is not None:
        return str(route.status_code)
    parameter = inspect.signature(route.response_class_value.__init__).parameters.get("status_code")
    if parameter is not None and isinstance(parameter.default, int):
        return str(parameter.default)
    return "200"


def operation_responses(route: Any, registry: SchemaRegistry) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    status_code = default_status_code(route)
    response_class = route.response_class_value
    media_type = getattr(response_class, "media_type", None)
    own: dict[str, Any] = {"description": route.response_description}
    content = _own_content(route, registry, response_class, media_type, status_code)
    if content is not None:
        own["content"] = content
    responses[status_code] = own
    for code, extra in route.responses.items():
        key = _response_key(code)
        current = responses.get(key)
        merged = _extra_response(route, code, extra, media_type, registry, current)
        responses[key] = deep_merge(current, merged) if current is not None else merged
        responses[key].setdefault("description", _description(key))
    return responses


def _own_content(
    route: Any,
    registry: SchemaRegistry,
    response_class: Any,
    media_type: str | None,
    status_code: str,
) -> dict[str, Any] | None:
    if route.is_stream:
        streamed = _stream_content(route, registry, response_class)
        if streamed is not None:
            return streamed
    if not media_type or not body_allowed(status_code):
        return None
    schema: dict[str, Any] = {"type": "string"}
    if isinstance(response_class, type) and issubclass(response_class, JSONResponse):
        schema = {}
        if route.response_adapter is not None:
            title = title_from_name(f"Response_{route.unique_id}")
            schema = registry.request_adapter(
                route.response_adapter, "serialization", titled(title)
            )
    return {media_type: {"schema": schema}}


def _stream_content(
    route: Any, registry: SchemaRegistry, response_class: Any
) -> dict[str, Any] | None:
    from veloxapi.sse import EventSourceResponse, ServerSentEvent

    item_type = _stream_item_type(route)
    item_schema: dict[str, Any] = {}
    if item_type is not None and item_type is not ServerSentEvent:
        title = titled(title_from_name(f"StreamItem_{route.unique_id}"))
        item_schema = registry.request_adapter(TypeAdapter(item_type), "serialization", title)
    if isinstance(response_class, type) and issubclass(response_class, EventSourceResponse):
        data: dict[str, Any] = {"type": "string"}
        event: dict[str, Any] = {"type": "object", "properties": {"data": data, **_SSE_FIELDS}}
        if item_type is not None and item_type is not ServerSentEvent:
            data["contentMediaType"] = "application/json"
            data["contentSchema"] = item_schema
            event["required"] = ["data"]
        return {"text/event-stream": {"itemSchema": event}}
    if isinstance(response_class, type) and issubclass(response_class, JSONResponse):
        return {"application/jsonl": {"itemSchema": item_schema}}
    return None


_ITERABLE_NAMES = frozenset(
    {"AsyncIterable", "AsyncIterator", "AsyncGenerator", "Iterable", "Iterator", "Generator"}
)


def _stream_item_type(route: Any) -> Any:
    """The declared item type of a generator endpoint; ``Any`` for a bare ``AsyncIterable``."""
    if route.stream_item_type is not None:
        return route.stream_item_type
    try:
        annotation = tt.typed_signature(route.endpoint).return_annotation
    except (TypeError, ValueError):
        return None
    bare = getattr(get_origin(annotation) or annotation, "__name__", None) in _ITERABLE_NAMES
    return Any if bare and not get_args(annotation) else None


def _response_key(code: int | str) -> str:
    key = str(code).upper()
    if key == "DEFAULT":
        return "default"
    if key not in _RANGE_DESCRIPTIONS and not key.isdigit():
        raise ValueError(
            f"Invalid key {code!r} in responses=: use an HTTP status code (404, '404'), "
            "a range ('4XX') or 'default'."
        )
    return key


def _description(key: str) -> str:
    upper = key.upper()
    if upper in _RANGE_DESCRIPTIONS:
        return _RANGE_DESCRIPTIONS[upper]
    try:
        return http.HTTPStatus(int(key)).phrase
    except ValueError:
        return "Additional Response"


def _extra_response(
    route: Any,
    code: int | str,
    extra: dict[str, Any],
    media_type: str | None,
    registry: SchemaRegistry,
    current: dict[str, Any] | None,
) -> dict[str, Any]:
    """An entry of ``responses=``; its model's schema goes over what is already there.

    ``current`` is the route's own response when the codes are the same.
    """
    response = {k: deep_copy(v) for k, v in extra.items() if k != "model"}
    adapter = route.response_fields.get(code)
    if adapter is not None:
        title = titled(title_from_name(f"Response_{code}_{route.unique_id}"))
        media_key = media_type or "application/json"
        content = response.setdefault("content", {})
        media = content.setdefault(media_key, {})
        given = media.get("schema")
        steps = [title]
        if isinstance(given, dict) and given:
            steps.append(_under(given))
        own = ((current or {}).get("content") or {}).get(media_key, {}).get("schema")
        if isinstance(own, dict):
            steps.append(_into(own))
        media["schema"] = registry.request_adapter(adapter, "serialization", chain(*steps))
    return response


def _into(own: dict[str, Any]) -> Finisher:
    """A finisher merging a generated schema into the route's own response schema."""

    def finish(schema: dict[str, Any]) -> None:
        deep_merge(own, schema)

    return finish


def _under(given: dict[str, Any]) -> Finisher:
    """A finisher placing a generated schema over the schema the user wrote."""

    def finish(schema: dict[str, Any]) -> None:
        merged = deep_merge(deep_copy(given), schema)
        schema.clear()
        schema.update(merged)

    return finish


def deep_merge(target: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Merge ``update`` into ``target`` in place: nested dicts merged, lists concatenated."""
    for key, value in update.items():
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            deep_merge(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            target[key] = current + deep_copy(value)
        else:
            target[key] = deep_copy(value)
    return target


def deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [deep_copy(v) for v in value]
    return value
