"""Errors battery: one JSON body shape for every error, and no server fault blamed on the client.

``install_errors(app, ErrorSettings())`` registers exception handlers (through
``app.add_exception_handler``) and adds :class:`ErrorMiddleware`, a pure ASGI
middleware that turns an unhandled exception into a 500 carrying the request id
and nothing about the server's internals.

What answers what::

    APIError subclasses ........ their own status      AuthenticationRequired .. 401
    HTTPException .............. its status            NotFound ................ 404
    request validation ......... 422                   AlreadyExists ........... 409
    ErrorSettings.status_map ... the mapped status     Unprocessable ........... 422
    input_status_map ........... its 4xx, only for     ServiceUnavailable ...... 503
                                 @parses_input errors
    anything else .............. 500 (serialization errors, ValueError from endpoint code, ...)

Body (plain)::  {"detail": ..., "status": 404, "code": "not_found", "request_id": "..."}
Body (RFC 9457, ``problem_json=True``, media type ``application/problem+json``)::

    {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "...",
     "instance": "/items/3", "code": "not_found", "request_id": "..."}

Each error is logged once on the ``veloxapi.errors`` logger: client errors
(4xx) at ``client_error_level``, handled server errors (501, 503, ...) at
WARNING, and 500s at ERROR with the traceback.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException

from veloxapi.batteries.errors._classes import (
    AlreadyExists,
    APIError,
    AuthenticationRequired,
    NotFound,
    ServiceUnavailable,
    Unprocessable,
)
from veloxapi.batteries.errors._handlers import (
    ErrorMiddleware,
    api_error_handler,
    http_exception_handler,
    mapped_handler,
    validation_handler,
)
from veloxapi.batteries.errors._input import is_input_error, parses_input
from veloxapi.batteries.errors._last_resort import LastResort
from veloxapi.batteries.errors._openapi import document_problem_responses
from veloxapi.batteries.errors._render import STATE_KEY, Renderer, error_response, request_id_for
from veloxapi.batteries.errors._settings import ErrorSettings
from veloxapi.exceptions import HTTPException, RequestValidationError

__all__ = [
    "APIError",
    "AlreadyExists",
    "AuthenticationRequired",
    "ErrorMiddleware",
    "ErrorSettings",
    "NotFound",
    "ServiceUnavailable",
    "Unprocessable",
    "error_response",
    "install_errors",
    "is_input_error",
    "parses_input",
    "request_id_for",
]


def install_errors(app: Any, settings: ErrorSettings | None = None) -> None:
    """Wire the errors battery into ``app`` (a VeloxAPI/FastAPI/Starlette application).

    Exception maps are part of the settings, e.g.
    ``ErrorSettings(status_map={TimeoutError: 504}, input_status_map={ValueError: 400})``.
    """
    settings = settings or ErrorSettings()
    renderer = Renderer(settings)
    setattr(app.state, STATE_KEY, renderer)
    mapped = mapped_handler(renderer)
    for exc_class in {**settings.status_map, **settings.input_status_map}:
        app.add_exception_handler(exc_class, mapped)
    app.add_exception_handler(APIError, api_error_handler(renderer))
    if settings.uniform_http_errors:
        for http_class in (StarletteHTTPException, HTTPException):  # either may be registered
            app.add_exception_handler(http_class, http_exception_handler(renderer))
        app.add_exception_handler(RequestValidationError, validation_handler(renderer))
    from veloxapi.batteries.layer import outer_layer

    outer_layer(app).errors = LastResort(renderer)  # the batteries' outer layer runs it
    if settings.problem_json and settings.uniform_http_errors:
        document_problem_responses(app)
