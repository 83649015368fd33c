"""Helpers FastAPI keeps in ``fastapi.routing`` that libraries call directly.

``serialize_response`` validates and dumps an endpoint's result against a
response field, as a route does; ``_DefaultLifespan`` runs a router's
``on_startup``/``on_shutdown`` handlers as an async context manager, for
libraries that compose their own lifespan around it. Both are re-exported by
:mod:`veloxapi.routing`.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from starlette.concurrency import run_in_threadpool

from veloxapi._compat import ModelField
from veloxapi.encoders import jsonable_encoder
from veloxapi.exceptions import EndpointContext, ResponseValidationError
from veloxapi.types import IncEx

_T = TypeVar("_T")


async def serialize_response(
    *,
    field: ModelField | None = None,
    response_content: Any,
    include: IncEx | None = None,
    exclude: IncEx | None = None,
    by_alias: bool = True,
    exclude_unset: bool = False,
    exclude_defaults: bool = False,
    exclude_none: bool = False,
    is_coroutine: bool = True,
    endpoint_ctx: EndpointContext | None = None,
    dump_json: bool = False,
) -> Any:
    """``response_content`` validated by ``field`` and dumped for JSON, or, without a field,
    made JSON-compatible. A value that does not validate raises ``ResponseValidationError``
    (a server fault: answered with 500)."""
    if not field:
        return jsonable_encoder(response_content)
    if is_coroutine:
        value, errors = field.validate(response_content, {}, loc=("response",))
    else:  # validating a sync endpoint's result may be slow: keep it off the event loop
        value, errors = await run_in_threadpool(
            field.validate, response_content, {}, loc=("response",)
        )
    if errors:
        raise ResponseValidationError(
            errors, body=response_content, endpoint_ctx=endpoint_ctx or EndpointContext()
        )
    options: dict[str, Any] = {
        "include": include,
        "exclude": exclude,
        "by_alias": by_alias,
        "exclude_unset": exclude_unset,
        "exclude_defaults": exclude_defaults,
        "exclude_none": exclude_none,
    }
    if dump_json:
        return field.type_adapter.dump_json(value, **options)
    return field.serialize(value, **options)


class _RouterWithHandlers(Protocol):
    async def _startup(self) -> None: ...

    async def _shutdown(self) -> None: ...


class _DefaultLifespan:
    """A router's ``on_startup`` handlers on entry and its ``on_shutdown`` handlers on exit.

    Handlers that already ran for this lifespan (veloxapi runs them around the user's
    lifespan too) are not run again.
    """

    def __init__(self, router: _RouterWithHandlers) -> None:
        self._router = router

    async def __aenter__(self) -> None:
        await self._router._startup()

    async def __aexit__(self, *exc_info: object) -> None:
        await self._router._shutdown()

    def __call__(self: _T, app: object) -> _T:
        return self
