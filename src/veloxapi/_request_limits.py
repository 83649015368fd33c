"""Request-body and form limits set on the app, a router, an inclusion or a route.

``max_body_size`` caps the bytes of an HTTP request body (413 beyond it);
``form_limits`` caps what a form may hold (``max_files``, ``max_fields``,
``max_part_size``: 400 beyond them) when veloxapi parses it for ``Form()`` and
``File()`` parameters. The most specific setting wins: a route's own over its
router's, over the ``include_router(...)`` argument, over the including
router's, over the app's; form limits merge key by key.

Both travel in the ASGI scope, so an app mounted under another inherits the
outer limits unless it sets its own. The body limit uses Starlette's
``RequestBodyLimitMiddleware``, whose nested layers hand the innermost limit to
the reader already counting the body (a body a middleware read under the app's
limit is checked again against the route's). A route without limits of its own
is not wrapped at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict, cast

from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.middleware.body_limit import _RequestBodyLimitResponseSent as LimitAnswered
from starlette.middleware.body_limit import _RequestBodyTooLarge as BodyTooLarge
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "FORM_LIMITS_KEY",
    "FormLimits",
    "FormLimitsLayer",
    "LimitErrorResponder",
    "LimitGroups",
    "check_body_size",
    "check_form_limits",
    "form_limits_in",
    "merged_form_limits",
    "with_limits",
]

FORM_LIMITS_KEY = "veloxapi.form_limits"
_FORM_LIMIT_NAMES = ("max_files", "max_fields", "max_part_size")


class FormLimits(TypedDict, total=False):
    """Limits for forms veloxapi parses (Starlette's ``request.form()`` arguments)."""

    max_files: int
    max_fields: int
    max_part_size: int


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def check_body_size(value: object, where: str = "max_body_size") -> int | None:
    """``value`` if it is a valid body limit (``None`` for none); otherwise ``ValueError``."""
    if value is None or _is_count(value):
        return value  # type: ignore[return-value]
    raise ValueError(
        f"{where} must be a non-negative integer (bytes) or None, got {value!r}; "
        "for example max_body_size=1_048_576 for 1 MiB."
    )


def check_form_limits(value: object, where: str = "form_limits") -> FormLimits | None:
    """A copy of ``value`` if every key is a known form limit with a valid count."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValueError(f"{where} must be a dict of form limits, got {value!r}.")
    problems = []
    for key, count in value.items():
        if key not in _FORM_LIMIT_NAMES:
            problems.append(f"unknown limit {key!r} (known: {', '.join(_FORM_LIMIT_NAMES)})")
        elif not _is_count(count):
            problems.append(f"{key} must be a non-negative integer, got {count!r}")
    if problems:
        raise ValueError(f"Invalid {where}: " + "; ".join(problems) + ".")
    checked: dict[str, Any] = {str(key): count for key, count in value.items()}
    return cast(FormLimits, checked)


def merged_form_limits(*layers: FormLimits | None) -> FormLimits | None:
    """Limits of several levels, least specific first: later levels win key by key."""
    merged: dict[str, Any] = {}
    for layer in layers:
        if layer:
            merged.update(layer)
    return cast(FormLimits, merged) if merged else None


def form_limits_in(scope: Scope) -> Mapping[str, int]:
    """The form limits in force for this request (empty: Starlette's defaults)."""
    limits: Mapping[str, int] = scope.get(FORM_LIMITS_KEY) or {}
    return limits


class FormLimitsLayer:
    """Puts form limits in the scope, over those an outer app or router put there."""

    __slots__ = ("app", "limits")

    def __init__(self, app: ASGIApp, limits: FormLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        outer: Any = scope.get(FORM_LIMITS_KEY)
        scope[FORM_LIMITS_KEY] = {**outer, **self.limits} if outer else self.limits
        try:
            await self.app(scope, receive, send)
        finally:
            if outer is None:
                scope.pop(FORM_LIMITS_KEY, None)
            else:
                scope[FORM_LIMITS_KEY] = outer


class LimitErrorResponder:
    """Answers 413 for a body-limit error that reached the app's outer layers.

    The error reaches them when a middleware read the body (raised from its
    ``request.body()``), when an app mounted under a limited one finds more read
    already than it accepts, or wrapped in an exception group by a task group
    (``BaseHTTPMiddleware``). Without this layer the server-error layer would
    answer 500. A group holding anything else is left as it is.
    """

    __slots__ = ("app",)

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except BaseException as exc:
            if started or not is_limit_error(exc):
                raise
            await PlainTextResponse("Content Too Large", status_code=413)(scope, receive, send)


def is_limit_error(exc: BaseException) -> bool:
    if isinstance(exc, BaseExceptionGroup):
        matched, rest = exc.split(BodyTooLarge)
        return matched is not None and rest is None
    return isinstance(exc, BodyTooLarge)


class LimitGroups:
    """Outside the body-limit layer: a response that streams in a task group (a file, say)
    reports the limit as an exception group, which the layer does not recognise. When the
    layer already answered 413 there is nothing left to do; a group of limit errors alone
    goes on as the limit error itself."""

    __slots__ = ("app",)

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except BaseExceptionGroup as group:
            answered, rest = group.split((BodyTooLarge, LimitAnswered))
            if answered is None or rest is not None:
                raise
            if answered.split(LimitAnswered)[0] is None:
                raise _first_leaf(answered) from group


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first


def with_limits(app: ASGIApp, max_body_size: int | None, form_limits: FormLimits | None) -> ASGIApp:
    """``app`` under the given limits; ``app`` itself when there are none."""
    if form_limits:
        app = FormLimitsLayer(app, form_limits)
    if max_body_size is not None:
        app = LimitGroups(RequestBodyLimitMiddleware(app, max_body_size=max_body_size))
    return app
