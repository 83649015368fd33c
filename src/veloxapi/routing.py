"""What users register: ``APIRoute``, ``APIWebSocketRoute`` and ``APIRouter``.

A route analyses its endpoint when it is created (so configuration errors
surface at registration) and compiles its request plan on first use, again
whenever ``dependency_overrides`` change. The router finds routes through a
dict of static paths and a prefix-filtered list of parameterised ones, keeping
Starlette's first-match-wins order.
"""

from __future__ import annotations

import copy as copy_module
import inspect
import os
import re
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import (
    AbstractAsyncContextManager,
    AsyncExitStack,
    asynccontextmanager,
    contextmanager,
)
from contextvars import ContextVar
from enum import Enum
from typing import Any, TypeVar, cast, get_args, get_origin

from pydantic import TypeAdapter
from pydantic.errors import PydanticSchemaGenerationError
from starlette import routing as starlette_routing
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, compile_path, get_name
from starlette.routing import Match as Match  # FastAPI's module has it; user code imports it
from starlette.types import ASGIApp, Lifespan, Receive, Scope, Send
from starlette.websockets import WebSocket

from veloxapi import params
from veloxapi._engine.compile import typing_tools as tt
from veloxapi._engine.compile.analysis import (
    check_pydantic_v2,
    get_dependant,
    route_dependency,
)
from veloxapi._engine.compile.plan import Plan
from veloxapi._engine.compile.plan_cache import PlanCache
from veloxapi._engine.route.router_index import (
    IndexedRoute,
    IndexedWebSocketRoute,
    RouteIndex,
    WebSocketIndex,
    answer_wrong_method,
    select_context,
)
from veloxapi._engine.run.calls import CallMode, call_mode
from veloxapi._engine.run.handler import (
    HTTPEndpointHandler,
    RouteApp,
    WebSocketEndpointHandler,
    request_response,
)
from veloxapi._engine.run.serialize import DumpOptions, ResponseSerializer
from veloxapi._frontend.files import Fallback
from veloxapi._frontend.install import CheckDir, add_frontend
from veloxapi._frontend.priority import (
    IncludedLowPriorityRoutes,
    LowPriorityRoutes,
    include_low_priority,
)
from veloxapi._frontend.route import FrontendRouteGroup
from veloxapi._live_include import (
    EffectiveRouteContext,
    IncludeContext,
    IncludingRouter,
    LiveRouteList,
    RouteContext,
    _IncludedRouter,
    flat_routes,
    iter_route_contexts,
)
from veloxapi._live_include import (
    _iter_included_route_candidates as _iter_included_route_candidates,
)
from veloxapi._live_include import _restore_fastapi_scope_key as _restore_fastapi_scope_key
from veloxapi._request_limits import (
    FormLimits,
    check_body_size,
    check_form_limits,
    merged_form_limits,
    with_limits,
)
from veloxapi._route_options import (
    RouteOptions,
    defaults_of_router,
    first_limit,
    options_of_route,
    options_of_router,
)
from veloxapi._route_views import RouteViews
from veloxapi._routing_compat import _DefaultLifespan as _DefaultLifespan
from veloxapi._routing_compat import serialize_response as serialize_response
from veloxapi.concurrency import contextmanager_in_threadpool
from veloxapi.datastructures import Default, DefaultPlaceholder
from veloxapi.dependencies.utils import ensure_multipart_is_installed
from veloxapi.dependencies.utils import solve_dependencies as solve_dependencies
from veloxapi.exception_handlers import is_body_allowed_for_status_code
from veloxapi.exceptions import FastAPIError
from veloxapi.types import DecoratedCallable, IncEx

_PING_INTERVAL: float = 15.0
"""Seconds of silence after which an event stream sends a keep-alive comment."""

_T = TypeVar("_T")
SetIntStr = set[int | str]


def generate_unique_id(route: APIRoute) -> str:
    """The default operation id: name, path and first method, as one identifier."""
    operation_id = re.sub(r"\W", "_", f"{route.name}{route.path_format}")
    assert route.methods
    return f"{operation_id}_{sorted(route.methods)[0].lower()}"


def _unwrap(value: Any) -> Any:
    return value.value if isinstance(value, DefaultPlaceholder) else value


def _check_response_model(model: Any, where: str) -> TypeAdapter[Any]:
    check_pydantic_v2(model)
    try:
        return TypeAdapter(model)
    except (PydanticSchemaGenerationError, TypeError) as exc:
        raise FastAPIError(
            f"Invalid args for response field! Hint: check that {model!r} ({where}) is a valid "
            "Pydantic field type. If you are using a return type annotation that is not a valid "
            "Pydantic field (e.g. Union[Response, dict, None]) you can disable generating the "
            "response model from the type annotation with the path operation decorator "
            "parameter response_model=None."
        ) from exc


def _stream_item_type(annotation: Any) -> Any:
    origin = get_origin(annotation)
    if origin is None:
        return None
    names = {
        "AsyncIterable",
        "AsyncIterator",
        "AsyncGenerator",
        "Iterable",
        "Iterator",
        "Generator",
    }
    if getattr(origin, "__name__", "") in names:
        args = get_args(annotation)
        return args[0] if args else None
    return None


def _is_response_annotation(annotation: Any) -> bool:
    """A return annotation that is a response class: no response model to infer.

    A union with a response class in it is not: it must be a valid model or the
    route says ``response_model=None``.
    """
    return isinstance(annotation, type) and issubclass(annotation, Response)


class _Planned(RouteViews):
    """A route that runs a compiled plan, recompiled when its app's overrides change."""

    dependency_overrides_provider: Any
    _plans: PlanCache

    def current_plan(self) -> Plan:
        """The compiled plan, rebuilt only when dependency overrides changed."""
        return self._plans.plan(self.planned_dependant, self.dependency_overrides_provider, self)

    def _views_changed(self) -> None:
        self._plans.invalidate()


class APIRoute(_Planned, IndexedRoute):
    """An HTTP path operation: endpoint, parameters, response model and OpenAPI metadata."""

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        response_model: Any = Default(None),
        status_code: int | None = None,
        tags: list[str | Enum] | None = None,
        dependencies: Sequence[params.Depends] | None = None,
        summary: str | None = None,
        description: str | None = None,
        response_description: str = "Successful Response",
        responses: dict[int | str, dict[str, Any]] | None = None,
        deprecated: bool | None = None,
        name: str | None = None,
        methods: set[str] | list[str] | None = None,
        operation_id: str | None = None,
        response_model_include: IncEx | None = None,
        response_model_exclude: IncEx | None = None,
        response_model_by_alias: bool = True,
        response_model_exclude_unset: bool = False,
        response_model_exclude_defaults: bool = False,
        response_model_exclude_none: bool = False,
        include_in_schema: bool = True,
        response_class: type[Response] | DefaultPlaceholder = Default(JSONResponse),
        dependency_overrides_provider: Any | None = None,
        callbacks: list[BaseRoute] | None = None,
        openapi_extra: dict[str, Any] | None = None,
        generate_unique_id_function: Callable[[APIRoute], str] | DefaultPlaceholder = Default(
            generate_unique_id
        ),
        strict_content_type: bool | DefaultPlaceholder = Default(True),
        max_body_size: int | None = None,
        form_limits: FormLimits | None = None,
    ) -> None:
        self.max_body_size = check_body_size(max_body_size)
        self.form_limits = check_form_limits(form_limits)
        self.path = path
        self.endpoint = endpoint
        self.stream_item_type: Any = None
        mode = call_mode(endpoint)
        self.is_stream = mode in (CallMode.ASYNC_GEN, CallMode.SYNC_GEN)
        if isinstance(response_model, DefaultPlaceholder):
            return_annotation = tt.typed_signature(endpoint).return_annotation
            if self.is_stream:
                self.stream_item_type = _stream_item_type(return_annotation)
                response_model = None
            elif return_annotation is inspect.Signature.empty or _is_response_annotation(
                return_annotation
            ):
                response_model = None
            else:
                response_model = return_annotation
        elif self.is_stream and response_model is not None:
            self.stream_item_type = response_model
            response_model = None
        self.response_model = response_model
        self.summary = summary
        self.response_description = response_description
        self.deprecated = deprecated
        self.operation_id = operation_id
        self.response_model_include = response_model_include
        self.response_model_exclude = response_model_exclude
        self.response_model_by_alias = response_model_by_alias
        self.response_model_exclude_unset = response_model_exclude_unset
        self.response_model_exclude_defaults = response_model_exclude_defaults
        self.response_model_exclude_none = response_model_exclude_none
        self.include_in_schema = include_in_schema
        self.response_class = response_class
        self.dependency_overrides_provider = dependency_overrides_provider
        self.callbacks = callbacks
        self.openapi_extra = openapi_extra
        self.generate_unique_id_function = generate_unique_id_function
        self.strict_content_type = strict_content_type
        self.tags = tags or []
        self.responses = responses or {}
        self.name = get_name(endpoint) if name is None else name
        self.path_regex, self.path_format, self.param_convertors = compile_path(path)
        self.methods: set[str] = {m.upper() for m in (methods or ["GET"])}
        self.unique_id = self.operation_id or _unwrap(generate_unique_id_function)(self)
        if isinstance(status_code, Enum):
            status_code = int(status_code.value)
        self.status_code = status_code
        self.response_adapter: TypeAdapter[Any] | None = None
        if self.response_model:  # a falsy model that is not None ({}, "") is no model
            if status_code is not None and not is_body_allowed_for_status_code(status_code):
                raise AssertionError(f"Status code {status_code} must not have a response body")
            self.response_adapter = _check_response_model(self.response_model, "response_model")
        self.response_fields: dict[int | str, TypeAdapter[Any]] = {}
        for code, extra in self.responses.items():
            if not isinstance(extra, dict):
                raise AssertionError("An additional response must be a dict")
            model = extra.get("model")
            if model is not None:
                if isinstance(code, int) and not is_body_allowed_for_status_code(code):
                    raise AssertionError(f"Status code {code} must not have a response body")
                self.response_fields[code] = _check_response_model(model, f"responses[{code!r}]")
        self.dependencies = list(dependencies or [])
        if description is None:
            description = inspect.cleandoc(endpoint.__doc__ or "").split("\f")[0].strip()
        self.description = description
        self._analysed = get_dependant(path=self.path_format, call=endpoint)
        for depends in self.dependencies[::-1]:
            self._analysed.dependencies.insert(0, route_dependency(depends, self.path_format))
        self._check_form_support()
        self.serializer = ResponseSerializer(
            self.response_adapter,
            self._dump_options(),
            model_type=self.response_model,
        )
        self.stream_serializer = ResponseSerializer(
            TypeAdapter(self.stream_item_type) if self.stream_item_type is not None else None,
            self._dump_options(),
            model_type=self.stream_item_type,
        )
        self.response_class_value: Any = _unwrap(response_class)
        self.uses_default_json = isinstance(response_class, DefaultPlaceholder) and (
            self.response_class_value is JSONResponse
        )
        self.strict_content_type_value = bool(_unwrap(strict_content_type))
        self._plans = PlanCache(self.unique_id)
        self.app = with_limits(self._build_app(), self.max_body_size, self.form_limits)

    def _dump_options(self) -> DumpOptions:
        return DumpOptions(
            include=self.response_model_include,
            exclude=self.response_model_exclude,
            by_alias=self.response_model_by_alias,
            exclude_unset=self.response_model_exclude_unset,
            exclude_defaults=self.response_model_exclude_defaults,
            exclude_none=self.response_model_exclude_none,
        )

    def _check_form_support(self) -> None:
        from veloxapi._engine.compile.plan import BodyMode, _body_mode, _PlanBuilder

        body = _PlanBuilder({}, "").flat_body_params(self._analysed)
        if _body_mode(body) is BodyMode.FORM:
            ensure_multipart_is_installed()

    def _build_app(self) -> ASGIApp:
        if (
            type(self).get_route_handler is APIRoute.get_route_handler
            and get_request_handler is _GET_REQUEST_HANDLER  # not wrapped by an integration
        ):
            return RouteApp(self)  # PERF: benchmarks in-process plain_dict: no Request, no wrapper
        return request_response(self.get_route_handler())

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        """The ``Request -> Response`` coroutine function that serves this route (or, while
        an inclusion builds it, this route as that inclusion sees it)."""
        context = _effective_route_context_var.get()
        route = context if context is not None and context.original_route is self else self
        return get_request_handler(dependant=route.dependant, _route=route)

    def sse_ping_interval(self) -> float:
        """Seconds between keep-alive comments; the module setting, read per response
        because tests and apps change it."""
        return _PING_INTERVAL


_effective_route_context_var: ContextVar[EffectiveAPIRoute | None] = ContextVar(
    "veloxapi_effective_route_context", default=None
)
"""The included route whose handler ``get_route_handler()`` is building, while it does."""


class EffectiveAPIRoute(APIRoute):
    """A path operation as one inclusion sees it: the original route's settings with the
    inclusion's prefix, tags, dependencies, responses and defaults added.

    It serves requests for the original route (``original_route``), whose
    ``get_route_handler()``, ``matches()`` and ``handle()`` are still the ones called.
    """

    starlette_route = None

    def __init__(self, original: APIRoute, context: IncludeContext) -> None:
        self.original_route = original
        seen = context.options.then(defaults_of_router(context.included_router))
        seen = seen.then(options_of_route(original))
        super().__init__(
            seen.prefix,
            original.endpoint,
            response_model=original.response_model
            if not original.is_stream or original.stream_item_type is None
            else original.stream_item_type,
            status_code=original.status_code,
            tags=list(seen.tags),
            dependencies=list(seen.dependencies),
            summary=original.summary,
            description=original.description,
            response_description=original.response_description,
            responses=seen.responses,
            deprecated=seen.deprecated,
            methods=original.methods,
            operation_id=original.operation_id,
            response_model_include=original.response_model_include,
            response_model_exclude=original.response_model_exclude,
            response_model_by_alias=original.response_model_by_alias,
            response_model_exclude_unset=original.response_model_exclude_unset,
            response_model_exclude_defaults=original.response_model_exclude_defaults,
            response_model_exclude_none=original.response_model_exclude_none,
            include_in_schema=seen.include_in_schema,
            response_class=seen.response_class,
            name=original.name,
            dependency_overrides_provider=seen.dependency_overrides_provider,
            callbacks=list(seen.callbacks),
            openapi_extra=original.openapi_extra,
            generate_unique_id_function=seen.generate_unique_id_function,
            strict_content_type=seen.strict_content_type,
            max_body_size=seen.max_body_size,
            form_limits=seen.form_limits,
        )

    def _build_app(self) -> ASGIApp:
        original = self.original_route
        if (
            type(original).get_route_handler is APIRoute.get_route_handler
            and get_request_handler is _GET_REQUEST_HANDLER
        ):
            return RouteApp(self)
        token = _effective_route_context_var.set(self)
        try:
            return request_response(original.get_route_handler())
        finally:
            _effective_route_context_var.reset(token)


def get_request_handler(
    dependant: Any, *, _route: APIRoute | None = None, **_options: Any
) -> Callable[[Request], Awaitable[Response]]:
    """The handler serving ``_route`` by the plan compiled from ``dependant`` as it is now.

    FastAPI's name, kept because integrations wrap it (Sentry's wraps ``dependant.call``
    to follow the endpoint): a route builds its handler through this module attribute,
    so a replacement installed before the route was created is used. FastAPI's other
    arguments (``**_options``) are read from the route instead.
    """
    if _route is None:
        raise FastAPIError(
            "get_request_handler() needs the route it serves: call route.get_route_handler()."
        )
    if dependant is not _route.dependant:
        _route.dependant = dependant
    _route._views_changed()  # the plan is compiled from the tree as it is now
    return HTTPEndpointHandler(_route)


_GET_REQUEST_HANDLER = get_request_handler


async def run_endpoint_function(
    *, dependant: Any, values: dict[str, Any], is_coroutine: bool
) -> Any:
    """Call the endpoint with its solved arguments.

    FastAPI's name, kept because integrations replace it (and ``solve_dependencies``,
    imported here for them) to observe each step; routes call both through this
    module only while one of them is replaced (``veloxapi.telemetry._integrations``).
    """
    if is_coroutine:
        return await dependant.call(**values)
    return await run_in_threadpool(dependant.call, **values)


def get_websocket_app(
    dependant: Any,
    dependency_overrides_provider: Any | None = None,
    embed_body_fields: bool = False,
    *,
    _route: APIWebSocketRoute | None = None,
) -> Callable[[WebSocket], Awaitable[None]]:
    """The ``WebSocket -> None`` function serving ``_route`` by its compiled plan.

    FastAPI's name, kept because integrations wrap it: a WebSocket route built while it
    is replaced is served through the replacement; otherwise the route runs its plan
    directly. FastAPI's other arguments are read from the route.
    """
    if _route is None:
        raise FastAPIError(
            "get_websocket_app() needs the route it serves: pass _route=the APIWebSocketRoute."
        )
    if dependant is not _route.dependant:
        _route.dependant = dependant
    handler = WebSocketEndpointHandler(_route)

    async def app(websocket: WebSocket) -> None:
        await handler(websocket.scope, websocket.receive, websocket.send)

    return app


_GET_WEBSOCKET_APP = get_websocket_app


class APIWebSocketRoute(_Planned, IndexedWebSocketRoute):
    """A WebSocket endpoint with dependencies and validated parameters."""

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        name: str | None = None,
        dependencies: Sequence[params.Depends] | None = None,
        dependency_overrides_provider: Any | None = None,
    ) -> None:
        self.path = path
        self.endpoint = endpoint
        self.name = get_name(endpoint) if name is None else name
        self.dependencies = list(dependencies or [])
        self.dependency_overrides_provider = dependency_overrides_provider
        self.path_regex, self.path_format, self.param_convertors = compile_path(path)
        self._analysed = get_dependant(path=self.path_format, call=endpoint)
        for depends in self.dependencies[::-1]:
            self._analysed.dependencies.insert(0, route_dependency(depends, self.path_format))
        self._plans = PlanCache(re.sub(r"\W", "_", f"{self.name}{self.path_format}"))
        self.app: ASGIApp = WebSocketEndpointHandler(self)
        if get_websocket_app is not _GET_WEBSOCKET_APP:  # wrapped by an integration
            self.app = starlette_routing.websocket_session(
                get_websocket_app(dependant=self.dependant, _route=self)
            )


class APIRouter(starlette_routing.Router, IncludingRouter):
    """A group of path operations with shared prefix, tags, dependencies and responses."""

    def __init__(
        self,
        *,
        prefix: str = "",
        tags: list[str | Enum] | None = None,
        dependencies: Sequence[params.Depends] | None = None,
        default_response_class: type[Response] | DefaultPlaceholder = Default(JSONResponse),
        responses: dict[int | str, dict[str, Any]] | None = None,
        callbacks: list[BaseRoute] | None = None,
        routes: list[BaseRoute] | None = None,
        redirect_slashes: bool = True,
        default: ASGIApp | None = None,
        dependency_overrides_provider: Any | None = None,
        route_class: type[APIRoute] = APIRoute,
        on_startup: Sequence[Callable[[], Any]] | None = None,
        on_shutdown: Sequence[Callable[[], Any]] | None = None,
        lifespan: Lifespan[Any] | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
        generate_unique_id_function: Callable[[APIRoute], str] | DefaultPlaceholder = Default(
            generate_unique_id
        ),
        strict_content_type: bool | DefaultPlaceholder = Default(True),
        max_body_size: int | None = None,
        form_limits: FormLimits | None = None,
    ) -> None:
        super().__init__(routes=routes, redirect_slashes=redirect_slashes, default=default)
        # a router's limits go to its routes; they apply to the router itself when it is
        # mounted as an ASGI app (see _request_limits)
        self.max_body_size = check_body_size(max_body_size)
        self.form_limits = check_form_limits(form_limits)
        limited = with_limits(self.app, self.max_body_size, self.form_limits)
        self.middleware_stack = limited  # type: ignore[assignment]
        self.routes: LiveRouteList  # a LiveRouteList whatever is assigned (IncludingRouter)
        if prefix:
            _check_prefix(prefix)
        self.prefix = prefix
        self.tags: list[str | Enum] = list(tags or [])
        self.dependencies = list(dependencies or [])
        self.default_response_class = default_response_class
        self.responses = responses or {}
        self.callbacks = callbacks or []
        self.dependency_overrides_provider = dependency_overrides_provider
        self.route_class = route_class
        self.on_startup: list[Callable[[], Any]] = list(on_startup or [])
        self.on_shutdown: list[Callable[[], Any]] = list(on_shutdown or [])
        self.user_lifespan = lifespan
        self._handlers_started = False
        self.included_lifespans: list[Lifespan[Any]] = []
        self.lifespan_context: Callable[[Any], AbstractAsyncContextManager[Any]] = (
            self._merged_lifespan
        )
        self.deprecated = deprecated
        self.include_in_schema = include_in_schema
        self.generate_unique_id_function = generate_unique_id_function
        self.strict_content_type = strict_content_type
        self._index = RouteIndex(flat_routes)
        self._websocket_index = WebSocketIndex(self._index)
        self._direct = self._unwrapped()
        # -- frontends: low-priority routes (veloxapi._frontend) --
        self._low_priority = LowPriorityRoutes()
        self._low_priority_routes: list[BaseRoute] = self._low_priority.routes
        self._frontend_routes: FrontendRouteGroup | None = None

    # -- lifespan ----------------------------------------------------------------------------
    async def _startup(self) -> None:
        """Run the ``on_startup`` handlers, unless they already ran for this lifespan."""
        if self._handlers_started:
            return
        self._handlers_started = True
        for handler in self.on_startup:
            result = handler()
            if inspect.isawaitable(result):
                await result

    async def _shutdown(self) -> None:
        """Run the ``on_shutdown`` handlers, if the startup handlers ran and these did not."""
        if not self._handlers_started:
            return
        self._handlers_started = False
        for handler in self.on_shutdown:
            result = handler()
            if inspect.isawaitable(result):
                await result

    @asynccontextmanager
    async def _merged_lifespan(self, app: Any) -> AsyncIterator[Mapping[str, Any] | None]:
        await self._startup()
        states: list[Mapping[str, Any]] = []
        async with AsyncExitStack() as stack:
            contexts = [self.user_lifespan, *self.included_lifespans]
            for lifespan in contexts:
                if lifespan is None:
                    continue
                value = await stack.enter_async_context(_as_context(lifespan, app))
                if isinstance(value, Mapping):
                    states.append(value)
            # the app's (or outer router's) own state wins over what included routers set
            state = {key: value for part in reversed(states) for key, value in part.items()}
            yield state or None
        await self._shutdown()

    def on_event(self, event_type: str) -> Callable[[DecoratedCallable], DecoratedCallable]:
        warnings.warn(
            "on_event is deprecated, use lifespan event handlers instead.",
            DeprecationWarning,
            stacklevel=2,
        )

        def decorator(func: DecoratedCallable) -> DecoratedCallable:
            self.add_event_handler(event_type, func)
            return func

        return decorator

    def add_event_handler(self, event_type: str, func: Callable[[], Any]) -> None:
        if event_type == "startup":
            self.on_startup.append(func)
        elif event_type == "shutdown":
            self.on_shutdown.append(func)
        else:
            raise ValueError(f"Unknown event type {event_type!r}; use 'startup' or 'shutdown'.")

    # -- request routing ---------------------------------------------------------------------
    def entry(self) -> ASGIApp:
        """What the application's stack should call to hand this router a request: its
        ``app`` itself while nothing stands before it (no router middleware, ``__call__``
        not replaced), else the router. PERF: benchmarks in-process plain_dict: one
        coroutine fewer per request."""
        if type(self).__call__ is _ROUTER_CALL and self._unwrapped():
            own: ASGIApp = self.app
            return own
        return self

    def _unwrapped(self) -> bool:
        """Whether the router's middleware stack is its own ``app`` (no router middleware)."""
        stack = self.middleware_stack
        return (
            getattr(stack, "__self__", None) is self
            and getattr(stack, "__func__", None) is type(self).app
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # PERF: benchmarks in-process plain_dict: no router middleware, no indirection
        if self._direct:
            await self.app(scope, receive, send)
        else:
            await self.middleware_stack(scope, receive, send)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            found = self._index.find(self.routes, scope)
            if found is not None:
                # PERF: benchmarks in-process plain_dict: _enter inlined (a call costs ~2k)
                route, child_scope = found
                if "router" not in scope:
                    scope["router"] = self
                scope["route"] = route
                scope.update(child_scope)
                if type(route).handle is APIRoute.handle:
                    if child_scope.get("route", route) is not route:
                        # an included route: its effective context serves, named in the scope
                        select_context(scope, route)
                    await cast(APIRoute, route).app(scope, receive, send)  # method checked
                else:
                    await route.handle(scope, receive, send)
                return
            if await answer_wrong_method(self._index.flat(self.routes), scope, receive, send):
                return
        elif scope["type"] == "websocket":
            found = self._websocket_index.find(self.routes, scope)
            if found is not None:  # as Starlette's router loop hands over a full match
                route = self._enter(scope, *found)
                if type(route).handle is starlette_routing.WebSocketRoute.handle:
                    # PERF: benchmarks in-process websocket_echo: its handle() only awaits app
                    await cast(starlette_routing.WebSocketRoute, route).app(scope, receive, send)
                else:
                    await route.handle(scope, receive, send)
                return
        await super().app(scope, receive, send)

    def _enter(self, scope: Scope, route: BaseRoute, child_scope: Scope) -> BaseRoute:
        """Hand the scope to the route that fully matched, as Starlette's router does."""
        if "router" not in scope:
            scope["router"] = self
        scope["route"] = route
        scope.update(child_scope)
        return route

    # -- frontends: low-priority routes (veloxapi._frontend) -----------------------------------
    async def not_found(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not await self._low_priority.handle(scope, receive, send):
            await super().not_found(scope, receive, send)

    def _mark_routes_changed(self) -> None:
        self._low_priority.mark_changed()

    def frontend(
        self,
        path: str,
        *,
        directory: str | os.PathLike[str],
        fallback: Fallback = "auto",
        check_dir: CheckDir = "auto",
        dependencies: Sequence[params.Depends] | None = None,
    ) -> None:
        """Serve a built frontend (``index.html`` and assets) at ``path``, below all routes."""
        add_frontend(
            self,
            path,
            directory=directory,
            fallback=fallback,
            check_dir=check_dir,
            dependencies=dependencies,
        )

    # -- registration ------------------------------------------------------------------------
    def add_api_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        response_model: Any = Default(None),
        status_code: int | None = None,
        tags: list[str | Enum] | None = None,
        dependencies: Sequence[params.Depends] | None = None,
        summary: str | None = None,
        description: str | None = None,
        response_description: str = "Successful Response",
        responses: dict[int | str, dict[str, Any]] | None = None,
        deprecated: bool | None = None,
        methods: set[str] | list[str] | None = None,
        operation_id: str | None = None,
        response_model_include: IncEx | None = None,
        response_model_exclude: IncEx | None = None,
        response_model_by_alias: bool = True,
        response_model_exclude_unset: bool = False,
        response_model_exclude_defaults: bool = False,
        response_model_exclude_none: bool = False,
        include_in_schema: bool = True,
        response_class: type[Response] | DefaultPlaceholder = Default(JSONResponse),
        name: str | None = None,
        route_class_override: type[APIRoute] | None = None,
        callbacks: list[BaseRoute] | None = None,
        openapi_extra: dict[str, Any] | None = None,
        generate_unique_id_function: Callable[[APIRoute], str] | DefaultPlaceholder = Default(
            generate_unique_id
        ),
        strict_content_type: bool | DefaultPlaceholder = Default(True),
        max_body_size: int | None = None,
        form_limits: FormLimits | None = None,
    ) -> None:
        route_class = route_class_override or self.route_class
        given = RouteOptions(
            prefix=path,
            tags=tags or [],
            dependencies=dependencies or [],
            responses=responses or {},
            callbacks=callbacks or [],
            deprecated=deprecated,
            include_in_schema=include_in_schema,
            response_class=response_class,
            generate_unique_id_function=generate_unique_id_function,
            strict_content_type=strict_content_type,
            max_body_size=check_body_size(max_body_size),
            form_limits=check_form_limits(form_limits),
        )
        merged = options_of_router(self).then(given)
        route = route_class(
            merged.prefix,
            endpoint=endpoint,
            response_model=response_model,
            status_code=status_code,
            tags=list(merged.tags),
            dependencies=list(merged.dependencies),
            summary=summary,
            description=description,
            response_description=response_description,
            responses=merged.responses,
            deprecated=merged.deprecated,
            methods=methods,
            operation_id=operation_id,
            response_model_include=response_model_include,
            response_model_exclude=response_model_exclude,
            response_model_by_alias=response_model_by_alias,
            response_model_exclude_unset=response_model_exclude_unset,
            response_model_exclude_defaults=response_model_exclude_defaults,
            response_model_exclude_none=response_model_exclude_none,
            include_in_schema=merged.include_in_schema,
            response_class=merged.response_class,
            name=name,
            dependency_overrides_provider=merged.dependency_overrides_provider,
            callbacks=list(merged.callbacks),
            openapi_extra=openapi_extra,
            generate_unique_id_function=merged.generate_unique_id_function,
            strict_content_type=merged.strict_content_type,
            max_body_size=merged.max_body_size,
            form_limits=merged.form_limits,
        )
        self.routes.append(route)

    def api_route(
        self, path: str, **kwargs: Any
    ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        def decorator(func: DecoratedCallable) -> DecoratedCallable:
            self.add_api_route(path, func, **kwargs)
            return func

        return decorator

    def add_api_websocket_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        name: str | None = None,
        *,
        dependencies: Sequence[params.Depends] | None = None,
    ) -> None:
        self.routes.append(
            APIWebSocketRoute(
                self.prefix + path,
                endpoint=endpoint,
                name=name,
                dependencies=[*self.dependencies, *(dependencies or [])],
                dependency_overrides_provider=self.dependency_overrides_provider,
            )
        )

    def websocket(
        self,
        path: str,
        name: str | None = None,
        *,
        dependencies: Sequence[params.Depends] | None = None,
    ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        def decorator(func: DecoratedCallable) -> DecoratedCallable:
            self.add_api_websocket_route(path, func, name=name, dependencies=dependencies)
            return func

        return decorator

    def websocket_route(
        self, path: str, name: str | None = None
    ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        def decorator(func: DecoratedCallable) -> DecoratedCallable:
            self.add_websocket_route(path, func, name=name)
            return func

        return decorator

    def route(
        self,
        path: str,
        methods: list[str] | None = None,
        name: str | None = None,
        include_in_schema: bool = True,
    ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        def decorator(func: DecoratedCallable) -> DecoratedCallable:
            self.add_route(
                path, func, methods=methods, name=name, include_in_schema=include_in_schema
            )
            return func

        return decorator

    def include_router(
        self,
        router: APIRouter,
        *,
        prefix: str = "",
        tags: list[str | Enum] | None = None,
        dependencies: Sequence[params.Depends] | None = None,
        default_response_class: type[Response] | DefaultPlaceholder = Default(JSONResponse),
        responses: dict[int | str, dict[str, Any]] | None = None,
        callbacks: list[BaseRoute] | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
        generate_unique_id_function: Callable[[APIRoute], str] | DefaultPlaceholder = Default(
            generate_unique_id
        ),
        strict_content_type: bool | DefaultPlaceholder = Default(True),
        max_body_size: int | None = None,
        form_limits: FormLimits | None = None,
    ) -> None:
        """Serve ``router``'s routes here, under ``prefix`` and with what the other
        arguments add; routes added to ``router`` later are served too."""
        max_body_size = check_body_size(max_body_size)
        form_limits = check_form_limits(form_limits)
        if router is self:
            raise AssertionError(
                "Cannot include the same APIRouter instance into itself. "
                "Did you mean to include a different router?"
            )
        if router._contains_router(self):
            raise AssertionError(
                "Cannot include an APIRouter instance that already includes this router. "
                "Did you mean to include a different router?"
            )
        if prefix:
            _check_prefix(prefix)
        else:
            for context in iter_route_contexts(router.routes):
                _check_not_both_empty(context.path, context.name)
        include_context = IncludeContext.for_include(
            self,
            router,
            RouteOptions(
                prefix=prefix,
                tags=tags or [],
                dependencies=dependencies or [],
                responses=responses or {},
                callbacks=callbacks or [],
                deprecated=deprecated,
                include_in_schema=include_in_schema,
                response_class=default_response_class,
                generate_unique_id_function=generate_unique_id_function,
                strict_content_type=strict_content_type,
                max_body_size=max_body_size,
                form_limits=form_limits,
            ),
        )
        low_priority = include_low_priority(
            self,
            router,
            prefix=prefix,
            dependencies=list(dependencies or []),
            router_class=APIRouter,
            max_body_size=max_body_size,
        )
        self.routes.append(_IncludedRouter(router, include_context, low_priority))
        if isinstance(router.routes, LiveRouteList):
            router.routes.including.append(self.routes)  # its changes are changes here too
        if router.user_lifespan is not None or router.included_lifespans:
            # its merged lifespan runs its own startup/shutdown handlers too
            self.included_lifespans.append(router.lifespan_context)
        else:
            self.on_startup.extend(router.on_startup)
            self.on_shutdown.extend(router.on_shutdown)

    def _build_effective_context(self, route: BaseRoute, context: IncludeContext) -> Any:
        """One of this router's routes as the inclusion ``context`` sees it (None: not served)."""
        if isinstance(route, APIRoute):
            return EffectiveAPIRoute(route, context)
        path = context.path_for(route) if hasattr(route, "path") else ""
        # a route that is not a path operation has no limit of its own: its router's,
        # then the inclusion's
        limit = first_limit(context.included_router.max_body_size, context.options.max_body_size)
        copy: BaseRoute
        if isinstance(route, APIWebSocketRoute):
            copy = APIWebSocketRoute(
                path,
                endpoint=route.endpoint,
                name=route.name,
                dependencies=[*context.options.dependencies, *route.dependencies],
                dependency_overrides_provider=context.options.dependency_overrides_provider,
            )
        elif isinstance(route, starlette_routing.Route):
            copy = starlette_routing.Route(
                path,
                route.endpoint,
                methods=list(route.methods or []),
                name=route.name,
                include_in_schema=route.include_in_schema,
            )
        elif isinstance(route, starlette_routing.WebSocketRoute):
            copy = starlette_routing.WebSocketRoute(path, route.endpoint, name=route.name)
        elif isinstance(route, IncludedLowPriorityRoutes):
            return None  # reached through the inclusion's low-priority routes instead
        elif isinstance(route, Mount):
            mount = copy_module.copy(route)
            mount.path = path.rstrip("/")
            mount.path_regex, mount.path_format, mount.param_convertors = compile_path(
                mount.path + "/{path:path}"
            )
            mount.app = with_limits(
                route.app,
                limit,
                merged_form_limits(
                    context.options.form_limits, context.included_router.form_limits
                ),
            )
            return EffectiveRouteContext(route, mount, mount.handle)
        elif isinstance(route, starlette_routing.Host):
            app: ASGIApp = route.app
            if context.options.prefix:
                prefixed = Mount(context.options.prefix, app=route.app)
                app = starlette_routing.Router(routes=[prefixed])
            copy = starlette_routing.Host(route.host, app=app, name=route.name)
        else:
            return None  # a kind of route an inclusion can't place under its prefix
        return EffectiveRouteContext(route, copy, with_limits(copy.handle, limit, None))

    # -- HTTP method decorators ----------------------------------------------------------------
    def _method(
        self, method: str, path: str, kwargs: dict[str, Any]
    ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.api_route(path, methods=[method], **kwargs)

    def get(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self._method("GET", path, kwargs)

    def put(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self._method("PUT", path, kwargs)

    def post(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self._method("POST", path, kwargs)

    def delete(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self._method("DELETE", path, kwargs)

    def options(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self._method("OPTIONS", path, kwargs)

    def head(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self._method("HEAD", path, kwargs)

    def patch(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self._method("PATCH", path, kwargs)

    def trace(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self._method("TRACE", path, kwargs)


_ROUTER_CALL = APIRouter.__call__  # as defined: a patched one is honoured (see entry())


def _check_not_both_empty(path: str | None, name: str | None) -> None:
    if path is not None and not path:
        raise FastAPIError(f"Prefix and path cannot be both empty (path operation: {name})")


def _check_prefix(prefix: str) -> None:
    if not prefix.startswith("/"):
        raise AssertionError(f"A path prefix must start with '/', got {prefix!r}")
    if prefix.endswith("/"):
        raise AssertionError(f"A path prefix must not end with '/', got {prefix!r}")


def _as_context(lifespan: Lifespan[Any], app: Any) -> AbstractAsyncContextManager[Any]:
    context = lifespan(app)
    if isinstance(context, AbstractAsyncContextManager):
        return context
    if inspect.isasyncgen(context):
        return asynccontextmanager(lambda _app: context)(app)
    if inspect.isgenerator(context):  # a plain generator function, as Starlette accepts
        return contextmanager_in_threadpool(contextmanager(lambda _app: context)(app))
    return cast(AbstractAsyncContextManager[Any], context)


__all__ = [
    "APIRoute",
    "APIRouter",
    "APIWebSocketRoute",
    "RouteContext",
    "generate_unique_id",
    "iter_route_contexts",
]
