"""The application object: configuration, route registration, docs and the ASGI entry."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar, cast

from starlette.applications import Starlette
from starlette.datastructures import State
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware as StarletteExceptionMiddleware
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, ExceptionHandler, Lifespan, Receive, Scope, Send

from veloxapi import params
from veloxapi._engine.compile.contributions import PlanContributor
from veloxapi._engine.route.exception_middleware import ExceptionMiddleware
from veloxapi._engine.run.body_policy import DEFAULT_BODY_TIMEOUT
from veloxapi._frontend.files import Fallback
from veloxapi._frontend.install import CheckDir
from veloxapi._hardening import body_policy
from veloxapi._live_include import effective_routes
from veloxapi._request_limits import (
    FormLimits,
    LimitErrorResponder,
    check_body_size,
    check_form_limits,
    with_limits,
)
from veloxapi.datastructures import Default, DefaultPlaceholder
from veloxapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
    websocket_request_validation_exception_handler,
)
from veloxapi.exceptions import (
    FastAPIDeprecationWarning,
    RequestValidationError,
    WebSocketRequestValidationError,
)
from veloxapi.routing import APIRoute, APIRouter, _Planned, generate_unique_id
from veloxapi.telemetry._api import TelemetryConfig
from veloxapi.telemetry._config import resolve_config
from veloxapi.telemetry._install import Dormant, Telemetry
from veloxapi.telemetry._install import start as start_telemetry
from veloxapi.telemetry._integrations import ReplacedSteps, steps_replaced
from veloxapi.types import DecoratedCallable

AppType = TypeVar("AppType", bound="VeloxAPI")


_STARLETTE_CALL: Any = (
    Starlette.__call__ if Starlette.__call__.__qualname__ == "Starlette.__call__" else None
)
"""Starlette's own ``__call__`` (None if something had replaced it before this import)."""


class VeloxAPI(Starlette):
    """A FastAPI-compatible application whose routes run compiled request plans.

    Hardened by default (``veloxapi._hardening``): a 1 MiB body limit where no
    ``max_body_size`` is set, a JSON depth limit and a minimum body rate;
    ``hardened=False`` gives FastAPI's defaults, as the ``FastAPI`` subclass does.
    """

    hardened_by_default = True

    def __init__(
        self,
        *,
        debug: bool = False,
        routes: list[BaseRoute] | None = None,
        title: str = "VeloxAPI",
        summary: str | None = None,
        description: str = "",
        version: str = "0.1.0",
        openapi_url: str | None = "/openapi.json",
        openapi_tags: list[dict[str, Any]] | None = None,
        servers: list[dict[str, Any]] | None = None,
        dependencies: Sequence[params.Depends] | None = None,
        default_response_class: type[Response] | DefaultPlaceholder = Default(JSONResponse),
        redirect_slashes: bool = True,
        docs_url: str | None = "/docs",
        redoc_url: str | None = "/redoc",
        swagger_ui_oauth2_redirect_url: str | None = "/docs/oauth2-redirect",
        swagger_ui_init_oauth: dict[str, Any] | None = None,
        middleware: Sequence[Middleware] | None = None,
        exception_handlers: dict[int | type[Exception], ExceptionHandler] | None = None,
        on_startup: Sequence[Callable[[], Any]] | None = None,
        on_shutdown: Sequence[Callable[[], Any]] | None = None,
        lifespan: Lifespan[AppType] | None = None,
        terms_of_service: str | None = None,
        contact: dict[str, Any] | None = None,
        license_info: dict[str, Any] | None = None,
        openapi_prefix: str = "",
        root_path: str = "",
        root_path_in_servers: bool = True,
        responses: dict[int | str, dict[str, Any]] | None = None,
        callbacks: list[BaseRoute] | None = None,
        webhooks: APIRouter | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
        swagger_ui_parameters: dict[str, Any] | None = None,
        generate_unique_id_function: Callable[[APIRoute], str] | DefaultPlaceholder = Default(
            generate_unique_id
        ),
        separate_input_output_schemas: bool = True,
        openapi_external_docs: dict[str, Any] | None = None,
        strict_content_type: bool = True,
        docs_assets: str = "local",
        batteries: Mapping[str, Any] | None = None,
        max_body_size: int | None = Default(None),
        form_limits: FormLimits | None = None,
        request_body_timeout: float | None = DEFAULT_BODY_TIMEOUT,
        hardened: bool | None = None,
        max_json_depth: int | None = Default(None),
        request_body_min_rate: float | None = Default(None),
        telemetry: TelemetryConfig | None = None,
        **extra: Any,
    ) -> None:
        self.debug = debug
        self.title = title
        self.summary = summary
        self.description = description
        self.version = version
        self.terms_of_service = terms_of_service
        self.contact = contact
        self.license_info = license_info
        self.openapi_url = openapi_url
        self.openapi_tags = openapi_tags
        self.root_path_in_servers = root_path_in_servers
        self.docs_url = docs_url
        self.redoc_url = redoc_url
        self.swagger_ui_oauth2_redirect_url = swagger_ui_oauth2_redirect_url
        self.swagger_ui_init_oauth = swagger_ui_init_oauth
        self.swagger_ui_parameters = swagger_ui_parameters
        self.servers = servers or []
        self.separate_input_output_schemas = separate_input_output_schemas
        self.openapi_external_docs = openapi_external_docs
        self.docs_assets = docs_assets
        self.extra = extra
        self.openapi_version = "3.1.0"
        self.openapi_schema: dict[str, Any] | None = None
        self._openapi_made: dict[str, Any] | None = None  # the document openapi() generated
        self._openapi_version = -1  # the routes' version it was generated from
        if openapi_prefix:
            warnings.warn(
                '"openapi_prefix" has been deprecated in favor of "root_path".',
                DeprecationWarning,
                stacklevel=2,
            )
        if root_path:
            warnings.warn(
                "Setting root_path on the app is deprecated: the server knows the prefix it is "
                "mounted under, so set it there (`fastapi run --root-path /prefix` or "
                "`uvicorn --root-path /prefix`).",
                FastAPIDeprecationWarning,
                stacklevel=2,
            )
        self.root_path = root_path or openapi_prefix
        self.state: State = State()
        self.dependency_overrides: dict[Callable[..., Any], Callable[..., Any]] = {}
        self.router: APIRouter = APIRouter(
            routes=routes,
            redirect_slashes=redirect_slashes,
            dependency_overrides_provider=self,
            on_startup=on_startup,
            on_shutdown=on_shutdown,
            lifespan=lifespan,
            default_response_class=default_response_class,
            dependencies=dependencies,
            callbacks=callbacks,
            deprecated=deprecated,
            include_in_schema=include_in_schema,
            responses=responses,
            generate_unique_id_function=generate_unique_id_function,
            strict_content_type=strict_content_type,
        )
        self.webhooks = webhooks or APIRouter()
        self.exception_handlers: dict[Any, ExceptionHandler] = dict(exception_handlers or {})
        self.exception_handlers.setdefault(
            StarletteHTTPException, cast(ExceptionHandler, http_exception_handler)
        )
        self.exception_handlers.setdefault(
            RequestValidationError, cast(ExceptionHandler, request_validation_exception_handler)
        )
        self.exception_handlers.setdefault(
            WebSocketRequestValidationError,
            websocket_request_validation_exception_handler,  # type: ignore[arg-type]
        )
        # steps batteries and telemetry compile into route plans (see _engine.compile.contributions)
        self.plan_contributors: list[PlanContributor] = []
        self.user_middleware: list[Middleware] = list(middleware or [])
        self.middleware_stack: ASGIApp | None = None
        self.max_body_size = check_body_size(
            None if isinstance(max_body_size, DefaultPlaceholder) else max_body_size
        )
        self.form_limits = check_form_limits(form_limits)
        self.request_body_timeout = request_body_timeout
        self.hardened = self.hardened_by_default if hardened is None else hardened
        self.body_policy = body_policy(
            hardened=self.hardened,
            max_body_size=max_body_size,
            max_json_depth=max_json_depth,
            request_body_min_rate=request_body_min_rate,
            request_body_timeout=request_body_timeout,
        )
        self._telemetry = resolve_config(telemetry)
        self._telemetry_given = telemetry is not None
        self.telemetry_observer: Any = None  # set with the stack; route plans read it
        self._telemetry_runtime: Telemetry | Dormant | None = None  # set with the stack when on
        self.setup()
        if batteries is not None:
            from veloxapi.batteries.app import install_batteries

            self.batteries = install_batteries(self, batteries)

    # -- docs and schema ---------------------------------------------------------------------
    def openapi(self) -> dict[str, Any]:
        """The OpenAPI document, generated on first use and cached."""
        version = self.router.routes.version
        stale = self.openapi_schema is self._openapi_made and version != self._openapi_version
        if self.openapi_schema is None or stale:  # a document set by the user is kept as is
            from veloxapi.openapi.utils import get_openapi

            self.openapi_schema = self._openapi_made = get_openapi(
                title=self.title,
                version=self.version,
                openapi_version=self.openapi_version,
                summary=self.summary,
                description=self.description,
                terms_of_service=self.terms_of_service,
                contact=self.contact,
                license_info=self.license_info,
                routes=self.routes,
                webhooks=self.webhooks.routes,
                tags=self.openapi_tags,
                servers=self.servers,
                separate_input_output_schemas=self.separate_input_output_schemas,
                external_docs=self.openapi_external_docs,
            )
            self._openapi_version = version
        return self.openapi_schema

    def setup(self) -> None:
        from veloxapi.openapi._routes import add_docs_routes

        add_docs_routes(self)

    def build_middleware_stack(self) -> ASGIApp:
        """Starlette's stack (server errors outermost, then user middleware, then exception
        handlers), with veloxapi's exception middleware in place of Starlette's."""
        error_handler = None
        handlers: dict[Any, ExceptionHandler] = {}
        for key, value in self.exception_handlers.items():
            if key in (500, Exception):
                error_handler = value
            else:
                handlers[key] = value
        limit = (
            [
                Middleware(
                    with_limits, max_body_size=self.max_body_size, form_limits=self.form_limits
                )
            ]
            if self.max_body_size is not None or self.form_limits
            else []
        )
        # a limit error raised outside routing (a middleware read the body): 413; not needed
        # for middleware that declares it leaves the body alone (the batteries' layer)
        if limit or any(
            not getattr(m.cls, "leaves_body_alone", False) for m in self.user_middleware
        ):
            limit.insert(0, Middleware(LimitErrorResponder))
        # None: no telemetry layer, plan step or per-request check
        telemetry = self._telemetry_runtime = start_telemetry(
            self._telemetry, self._telemetry_given, self._drop_stack
        )
        observer: Any = telemetry.observer if telemetry is not None else None
        if steps_replaced():  # an integration replaced routing's solve/run functions
            observer = ReplacedSteps(observer)
        if observer is not self.telemetry_observer:  # plans compiled before carry the old one
            self.telemetry_observer = observer
            for route in effective_routes(self.router.routes):
                if isinstance(route, _Planned):
                    route._views_changed()
        exception_observer = telemetry.exception_observer if telemetry is not None else None
        # an integration that patched Starlette's Middleware (Sentry's StarletteIntegration)
        # instruments Starlette's own exception middleware: it gets FastAPI's stack
        watched = Middleware.__init__.__qualname__ != "Middleware.__init__"
        app: ASGIApp
        if not watched and not self.user_middleware and not limit and exception_observer is None:
            app = ExceptionMiddleware(
                self.router.entry(),
                handlers=handlers,
                debug=self.debug,
                server_errors=ServerErrorMiddleware(self.router, error_handler, self.debug),
            )
        else:
            exceptions = StarletteExceptionMiddleware if watched else ExceptionMiddleware
            outer = [Middleware(ServerErrorMiddleware, handler=error_handler, debug=self.debug)]
            user = self.user_middleware
            if (
                user
                and getattr(user[0].cls, "answers_server_errors", False)
                and not (watched or limit or exception_observer is not None)
            ):
                # the outermost middleware (the batteries' layer) does ServerErrorMiddleware's
                # job itself: one layer less. PERF: benchmarks "batteries" column
                first, user = user[0], user[1:]
                errors = ServerErrorMiddleware(self.router, error_handler, self.debug)
                kwargs: dict[str, Any] = {**first.kwargs, "server_errors": errors}
                outer = [Middleware(first.cls, *first.args, **kwargs)]
            middleware = [
                *outer,
                *([Middleware(exception_observer)] if exception_observer is not None else []),
                *limit,
                *user,
                Middleware(exceptions, handlers=handlers, debug=self.debug),
            ]
            app = self.router.entry()
            for cls, args, kwargs in reversed(middleware):
                app = cls(app, *args, **kwargs)
        return app

    def _drop_stack(self) -> None:
        self.middleware_stack = None

    # -- ASGI --------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        if self.root_path:
            scope["root_path"] = self.root_path
        stack = self.middleware_stack
        if stack is None:
            stack = self.middleware_stack = self.build_middleware_stack()
        if Starlette.__call__ is not _STARLETTE_CALL:
            # an integration wraps every Starlette application (Sentry's StarletteIntegration
            # does): served through it, as FastAPI's applications are
            stack = partial(Starlette.__call__, self)
        if self._telemetry_runtime is not None:  # outside the stack, as instrumentors expect
            await self._telemetry_runtime.serve(stack, scope, receive, send)
            return
        await stack(scope, receive, send)

    # -- registration, delegated to the router -----------------------------------------------
    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        self.router.add_api_route(path, endpoint, **kwargs)

    def api_route(
        self, path: str, **kwargs: Any
    ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.api_route(path, **kwargs)

    def add_api_websocket_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        name: str | None = None,
        *,
        dependencies: Sequence[params.Depends] | None = None,
    ) -> None:
        self.router.add_api_websocket_route(path, endpoint, name=name, dependencies=dependencies)

    def websocket(
        self,
        path: str,
        name: str | None = None,
        *,
        dependencies: Sequence[params.Depends] | None = None,
    ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.websocket(path, name=name, dependencies=dependencies)

    def websocket_route(
        self, path: str, name: str | None = None
    ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.websocket_route(path, name=name)

    def route(
        self,
        path: str,
        methods: list[str] | None = None,
        name: str | None = None,
        include_in_schema: bool = True,
    ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.route(
            path, methods=methods, name=name, include_in_schema=include_in_schema
        )

    def include_router(self, router: APIRouter, **kwargs: Any) -> None:
        self.router.include_router(router, **kwargs)

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
        self.router.frontend(
            path,
            directory=directory,
            fallback=fallback,
            check_dir=check_dir,
            dependencies=dependencies,
        )

    def get(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.get(path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.put(path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.post(path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.delete(path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.options(path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.head(path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.patch(path, **kwargs)

    def trace(self, path: str, **kwargs: Any) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.trace(path, **kwargs)

    def on_event(self, event_type: str) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.on_event(event_type)

    def add_event_handler(self, event_type: str, func: Callable[[], Any]) -> None:
        self.router.add_event_handler(event_type, func)

    def middleware(self, middleware_type: str) -> Callable[[DecoratedCallable], DecoratedCallable]:
        """Register ``async def mw(request, call_next)`` as HTTP middleware."""
        if middleware_type != "http":
            raise ValueError(f'Only "http" middleware is supported, got {middleware_type!r}.')

        def decorator(func: DecoratedCallable) -> DecoratedCallable:
            self.add_middleware(BaseHTTPMiddleware, dispatch=func)
            return func

        return decorator

    def exception_handler(
        self, exc_class_or_status_code: int | type[Exception]
    ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        def decorator(func: DecoratedCallable) -> DecoratedCallable:
            self.add_exception_handler(exc_class_or_status_code, func)
            return func

        return decorator


class FastAPI(VeloxAPI):
    """``VeloxAPI`` under FastAPI's name, with FastAPI's defaults: its document title, and
    no body limit, JSON depth limit or minimum body rate unless asked for
    (``hardened=True`` or each setting)."""

    hardened_by_default = False

    def __init__(self, *, title: str = "FastAPI", **kwargs: Any) -> None:
        super().__init__(title=title, **kwargs)


__all__ = ["FastAPI", "VeloxAPI"]
