"""Turn an endpoint's return value into response content, as chosen at start-up.

With a response model the value is filtered and validated through it (so an
endpoint can return a richer object than it promises), then dumped. When the
route uses the default JSON response class, the model dumps straight to JSON
bytes; otherwise the JSON-able content goes to the response class.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from pydantic import TypeAdapter, ValidationError

from veloxapi._engine.compile.validators import shape_errors
from veloxapi.encoders import jsonable_encoder, untyped_json
from veloxapi.exceptions import EndpointContext, ResponseValidationError
from veloxapi.types import IncEx


@dataclasses.dataclass(frozen=True)
class DumpOptions:
    include: IncEx | None = None
    exclude: IncEx | None = None
    by_alias: bool = True
    exclude_unset: bool = False
    exclude_defaults: bool = False
    exclude_none: bool = False


class ResponseSerializer:
    """Serializes return values through an optional response model."""

    def __init__(
        self, adapter: TypeAdapter[Any] | None, options: DumpOptions, model_type: Any = None
    ) -> None:
        self.adapter = adapter
        self.options = options
        self.dump_kwargs: dict[str, Any] = dataclasses.asdict(options)
        self.exact_type = model_type if isinstance(model_type, type) else None
        # PERF: benchmarks in-process path_query: pydantic-core's own validator and
        # serializer, called with the arguments TypeAdapter would pass them; an adapter
        # whose build is deferred keeps its own methods (they finish the build)
        self._validate: Callable[..., Any] | None = None
        self._to_json: Callable[..., bytes] | None = None
        self._to_python: Callable[..., Any] | None = None
        if adapter is not None:
            core = adapter.pydantic_complete
            self._validate = (adapter.validator if core else adapter).validate_python
            self._to_json = adapter.serializer.to_json if core else adapter.dump_json
            self._to_python = adapter.serializer.to_python if core else adapter.dump_python

    def _validated(self, value: Any, ctx: EndpointContext | None) -> Any:
        assert self._validate is not None
        if self.exact_type is not None and type(value) is self.exact_type:
            return value  # PERF: benchmarks in-process "get_item": an exact model needs no re-check
        # Objects (models, dataclasses, ORM rows) validate through their attributes, so a
        # richer object than the response model is filtered down to the model's fields.
        try:
            return self._validate(value, from_attributes=True)
        except ValidationError as exc:
            raise ResponseValidationError(
                shape_errors(exc, ("response",), top_missing_none=False),
                body=value,
                endpoint_ctx=ctx,
            ) from None

    def to_json_bytes(self, value: Any, ctx: EndpointContext | None) -> bytes:
        """Validated and dumped to JSON in one pass (the default response class)."""
        assert self._to_json is not None
        return self._to_json(self._validated(value, ctx), **self.dump_kwargs)

    def to_content(self, value: Any, ctx: EndpointContext | None) -> Any:
        """JSON-able Python content for a response class to render."""
        if self._to_python is None:
            return jsonable_encoder(value, **self.dump_kwargs)
        return self._to_python(self._validated(value, ctx), mode="json", **self.dump_kwargs)

    def item_json(self, value: Any) -> bytes:
        """One streamed item as compact JSON (a JSON line or an event's data)."""
        if self.adapter is not None:
            return self.to_json_bytes(value, None)
        return untyped_json(value).encode("utf-8")
