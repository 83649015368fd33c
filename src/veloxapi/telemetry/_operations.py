"""Operation spans (``fastapi.dependencies``, ``.endpoint``, ``.serialization``,
``.background_task``) and the validation-failure log record."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from time import time_ns
from typing import Any

from opentelemetry._logs import SeverityNumber
from opentelemetry.trace import StatusCode
from starlette.exceptions import HTTPException, WebSocketException

from veloxapi.exceptions import RequestValidationError, WebSocketRequestValidationError
from veloxapi.telemetry._correlation import request_id_attributes
from veloxapi.telemetry._request import (
    RequestTelemetry,
    current_request,
    exception_type,
    function_name,
    normal_close,
)

# Exceptions that are answers, not failures of the operation that raised them.
_ANSWERS = (
    HTTPException,
    RequestValidationError,
    WebSocketException,
    WebSocketRequestValidationError,
)
_NOTHING: AbstractContextManager[None] = nullcontext()


def operation(
    state: RequestTelemetry | None, name: str, function: Callable[..., Any] | None
) -> AbstractContextManager[None]:
    """A ``fastapi.<name>`` span around the block, or nothing without operation spans."""
    if state is None or state.tracer is None:
        return _NOTHING
    return _operation_span(state, name, function)


@contextmanager
def _operation_span(
    state: RequestTelemetry, name: str, function: Callable[..., Any] | None
) -> Iterator[None]:
    assert state.tracer is not None  # checked by operation()
    attributes: dict[str, Any] = request_id_attributes(state.scope)
    if function is not None:
        attributes["code.function.name"] = function_name(function)
    with state.tracer.start_as_current_span(
        f"fastapi.{name}",
        attributes=attributes,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield
        except Exception as exc:
            # a background task has no one to answer: every exception there is a failure
            if name == "background_task" or not (isinstance(exc, _ANSWERS) or normal_close(exc)):
                span.set_attribute("error.type", exception_type(exc))
                span.set_status(StatusCode.ERROR)
            raise


def run_sync_in_span(function: Callable[..., Any], arguments: dict[str, Any]) -> Any:
    """Call a ``def`` endpoint in its worker thread, inside its ``fastapi.endpoint`` span."""
    with operation(current_request(), "endpoint", function):
        return function(**arguments)


def validation_failed(
    state: RequestTelemetry | None,
    exc: RequestValidationError | WebSocketRequestValidationError,
) -> None:
    """Keep the errors in the request's data; log ``fastapi.validation.failed``."""
    if state is None:
        return
    errors = exc.errors()
    if state.data is not None:
        if isinstance(exc, RequestValidationError):
            state.data.body = exc.body
        state.data.errors = errors
    if state.logger is None:
        return
    attributes: dict[str, Any] = {"fastapi.validation.error_count": len(errors)}
    route = state.route()
    if route is not None:
        attributes["http.route"] = route
    attributes.update(request_id_attributes(state.scope))
    state.logger.emit(
        event_name="fastapi.validation.failed",
        timestamp=time_ns(),
        severity_number=SeverityNumber.WARN,
        severity_text="WARN",
        body="Request validation failed",
        attributes=attributes,
    )
