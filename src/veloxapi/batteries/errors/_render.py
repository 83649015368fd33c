"""Error bodies in the configured shape (plain or RFC 9457), their request id, and logging."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from starlette.responses import Response
from starlette.types import Scope

from veloxapi.batteries._request_ids import get_request_id, incoming_request_id
from veloxapi.batteries.errors._settings import ErrorSettings

logger = logging.getLogger("veloxapi.errors")

_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "unprocessable",
    429: "rate_limited",
    500: "internal_error",
    501: "not_implemented",
    503: "unavailable",
}
STATE_KEY = "veloxapi_errors"
_SCOPE_KEY = "veloxapi.request_id"


def request_id_for(scope: Scope) -> str:
    """The current request id: the request-id battery's, the client's, or a new one.

    Without :mod:`veloxapi.batteries.request_id` installed, a client-sent
    ``X-Request-ID`` is reused when that battery's rule finds it safe
    (:func:`~veloxapi.batteries.request_id.incoming_request_id`); otherwise an
    id is made, once per request.
    """
    found = get_request_id() or incoming_request_id(scope)
    if found:
        return found
    generated: str = scope.setdefault(_SCOPE_KEY, uuid.uuid4().hex)
    return generated


def phrase(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"


def code_for(status_code: int) -> str:
    if status_code in _CODES:
        return _CODES[status_code]
    return phrase(status_code).lower().replace(" ", "_").replace("-", "_")


class Renderer:
    """Builds error responses in the configured shape and logs them."""

    def __init__(self, settings: ErrorSettings) -> None:
        self.settings = settings
        self.client_level = logging.getLevelName(settings.client_error_level)

    def response(
        self,
        scope: Scope,
        status_code: int,
        detail: Any,
        *,
        headers: Mapping[str, str] | None = None,
        code: str | None = None,
    ) -> Response:
        request_id = request_id_for(scope)
        code = code or code_for(status_code)
        if self.settings.problem_json:
            body = self._problem(scope, status_code, detail, code, request_id)
            media_type = "application/problem+json"
        else:
            body = {"detail": detail, "status": status_code, "code": code, "request_id": request_id}
            media_type = "application/json"
        out_headers = {**(headers or {}), "X-Request-ID": request_id}
        content = json.dumps(body, default=str, separators=(",", ":")).encode()
        return Response(content, status_code, headers=out_headers, media_type=media_type)

    def _problem(
        self, scope: Scope, status_code: int, detail: Any, code: str, request_id: str
    ) -> dict[str, Any]:
        base = self.settings.problem_type_base
        body: dict[str, Any] = {
            "type": f"{base}{code}" if base else "about:blank",
            "title": phrase(status_code),
            "status": status_code,
        }
        if isinstance(detail, str):
            body["detail"] = detail
        elif detail is not None:
            body["errors"] = detail
        body.update(instance=scope.get("path", ""), code=code, request_id=request_id)
        return body

    def log_disconnect(self, scope: Scope) -> None:
        method, path = scope.get("method", ""), scope.get("path", "")
        logger.log(self.client_level, "%s %s: the client left before the response", method, path)

    def log(self, scope: Scope, status_code: int, exc: BaseException) -> None:
        method, path = scope.get("method", ""), scope.get("path", "")
        label = type(exc).__name__
        if status_code == 500:
            logger.error("%s %s -> 500 (%s)", method, path, label, exc_info=exc)
        elif status_code >= 500:
            logger.warning("%s %s -> %d (%s)", method, path, status_code, label)
        else:
            logger.log(self.client_level, "%s %s -> %d (%s)", method, path, status_code, label)


def error_response(
    scope: Scope,
    status_code: int,
    detail: Any,
    *,
    headers: Mapping[str, str] | None = None,
    code: str | None = None,
) -> Response:
    """An error response in the app's configured shape (plain when the battery is absent).

    Other batteries (rate limiting, caching) use this so every error looks alike.
    """
    app = scope.get("app")
    state = getattr(app, "state", None)
    renderer = getattr(state, STATE_KEY, None)
    if not isinstance(renderer, Renderer):
        renderer = Renderer(ErrorSettings())
    return renderer.response(scope, status_code, detail, headers=headers, code=code)
