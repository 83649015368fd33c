"""Named errors an application raises on purpose, each with its status and code."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus


class APIError(Exception):
    """An error the application answers on purpose; subclasses fix the status."""

    status_code: int = 500
    code: str = "internal_error"

    def __init__(self, detail: str | None = None, *, headers: Mapping[str, str] | None = None):
        self.detail = detail if detail is not None else HTTPStatus(self.status_code).phrase
        self.headers = dict(headers or {})
        super().__init__(self.detail)


class AuthenticationRequired(APIError):
    """401: the request carries no (valid) credentials."""

    status_code = 401
    code = "unauthenticated"

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        scheme: str = "Bearer",
    ):
        super().__init__(detail, headers={"WWW-Authenticate": scheme, **(headers or {})})


class NotFound(APIError):
    """404: the resource does not exist."""

    status_code = 404
    code = "not_found"


class AlreadyExists(APIError):
    """409: the resource would duplicate an existing one."""

    status_code = 409
    code = "conflict"


class Unprocessable(APIError):
    """422: the request is well formed but cannot be acted on."""

    status_code = 422
    code = "unprocessable"


class ServiceUnavailable(APIError):
    """503: a dependency is down; ``retry_after`` (seconds) becomes ``Retry-After``."""

    status_code = 503
    code = "unavailable"

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        retry_after: int | None = None,
    ):
        extra = {} if retry_after is None else {"Retry-After": str(retry_after)}
        super().__init__(detail, headers={**extra, **(headers or {})})
