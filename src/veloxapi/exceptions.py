"""Exceptions raised by veloxapi and by the applications built on it.

::

    Exception
    ├── starlette HTTPException
    │   └── HTTPException ............ an HTTP error answered to the client
    ├── starlette WebSocketException
    │   └── WebSocketException ....... closes a WebSocket with a code
    ├── RuntimeError
    │   └── FastAPIError ............. the application is misconfigured
    │       ├── DependencyScopeError . a yield dependency's scope is inconsistent
    │       └── PydanticV1NotSupportedError
    └── ValidationException .......... data failed validation
        ├── RequestValidationError ... request input (answered with 422)
        ├── WebSocketRequestValidationError
        └── ResponseValidationError .. the endpoint's return value (a server bug: 500)
    UserWarning
    └── FastAPIDeprecationWarning .... a deprecated feature is in use
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.exceptions import WebSocketException as StarletteWebSocketException


class HTTPException(StarletteHTTPException):
    """An HTTP error response: status code, a JSON-able ``detail`` and headers."""

    def __init__(
        self,
        status_code: int,
        detail: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status_code=status_code, detail=detail, headers=headers)


class WebSocketException(StarletteWebSocketException):
    """Closes the WebSocket with ``code`` and an optional ``reason``."""


class FastAPIError(RuntimeError):
    """The application is configured in a way veloxapi cannot serve."""


class DependencyScopeError(FastAPIError):
    """A dependency with a wider scope depends on one with a narrower scope."""


class PydanticV1NotSupportedError(FastAPIError):
    """A Pydantic v1 model was used; only Pydantic v2 models are supported."""


class FastAPIDeprecationWarning(UserWarning):
    """A deprecated feature is in use."""


class EndpointContext(TypedDict, total=False):
    function: str
    path: str
    file: str
    line: int


class ValidationException(Exception):
    """Validation failed; ``errors()`` lists Pydantic-style error dicts."""

    def __init__(
        self, errors: Sequence[Any], *, endpoint_ctx: EndpointContext | None = None
    ) -> None:
        self._errors = errors
        self.set_endpoint_context(endpoint_ctx)

    def set_endpoint_context(self, endpoint_ctx: EndpointContext | None) -> None:
        """Where the error happened: the endpoint function, its file and line, its path."""
        self.endpoint_ctx = endpoint_ctx
        ctx = endpoint_ctx or {}
        self.endpoint_function = ctx.get("function")
        self.endpoint_path = ctx.get("path")
        self.endpoint_file = ctx.get("file")
        self.endpoint_line = ctx.get("line")

    def errors(self) -> Sequence[Any]:
        return self._errors

    def _endpoint_text(self) -> str:
        if not (self.endpoint_file and self.endpoint_line and self.endpoint_function):
            return f"  Endpoint: {self.endpoint_path}\n" if self.endpoint_path else ""
        text = (
            f'File "{self.endpoint_file}", line {self.endpoint_line}, in {self.endpoint_function}'
        )
        if self.endpoint_path:
            text += f"\n    {self.endpoint_path}"
        return f"  {text}\n"

    def __str__(self) -> str:
        lines = [f"{len(self._errors)} validation error{'s' if len(self._errors) != 1 else ''}:"]
        lines.extend(f"  {err}" for err in self._errors)
        endpoint = self._endpoint_text()
        if endpoint:
            lines.append(endpoint.rstrip("\n"))
        return "\n".join(lines)


class _ValidationWithBody(ValidationException):
    """Validation failed on a piece of data that is kept as ``body``."""

    def __init__(
        self,
        errors: Sequence[Any],
        *,
        body: Any = None,
        endpoint_ctx: EndpointContext | None = None,
    ) -> None:
        super().__init__(errors, endpoint_ctx=endpoint_ctx)
        self.body = body


class RequestValidationError(_ValidationWithBody):
    """The request's input did not validate; answered with 422."""


class WebSocketRequestValidationError(ValidationException):
    """A WebSocket endpoint's input did not validate; the socket is closed with 1008."""


class ResponseValidationError(_ValidationWithBody):
    """The endpoint returned data that does not match its response model."""


__all__ = [
    "DependencyScopeError",
    "EndpointContext",
    "FastAPIDeprecationWarning",
    "FastAPIError",
    "HTTPException",
    "PydanticV1NotSupportedError",
    "RequestValidationError",
    "ResponseValidationError",
    "ValidationException",
    "WebSocketException",
    "WebSocketRequestValidationError",
]
