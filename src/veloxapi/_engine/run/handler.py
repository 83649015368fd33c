"""The per-route request handlers: run the plan, call the endpoint, build the response."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from starlette._exception_handler import wrap_app_handling_exceptions
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from veloxapi._engine.compile.analysis import Injected
from veloxapi._engine.compile.plan import BodyMode, Plan
from veloxapi._engine.run.calls import CallMode
from veloxapi._engine.run.cleanup import CleanupStack
from veloxapi._engine.run.inputs import Inputs
from veloxapi._engine.run.offload import run_sync
from veloxapi._engine.run.route_contract import PlannedRoute, PlannedWebSocketRoute
from veloxapi._engine.run.solve import NOT_CALLED, RequestContext, solve, solve_and_call
from veloxapi._engine.run.streaming import stream_response
from veloxapi._engine.run.websocket import WebSocket
from veloxapi.exception_handlers import is_body_allowed_for_status_code
from veloxapi.exceptions import (
    EndpointContext,
    FastAPIError,
    RequestValidationError,
    ResponseValidationError,
    WebSocketRequestValidationError,
)

REQUEST_STACK_KEY = "veloxapi.request_stack"
_SWALLOWED = (
    "No response was produced: the application code is likely raising an exception and a "
    "dependency with yield is catching it (a bare `except:` or `except Exception:`) without "
    "raising it again. Re-raise the exception in the dependency after handling it."
)


class _JSONBytesResponse(JSONResponse):
    """A JSON response whose body was already rendered to bytes."""

    def __init__(
        self, body: bytes, status_code: int = 200, background: BackgroundTask | None = None
    ) -> None:
        # PERF: benchmarks in-process plain_dict: the two headers are known, skip init_headers
        self.body = body
        self.status_code = status_code
        self.background = background
        self.media_type = "application/json"
        self.raw_headers = [
            (b"content-length", str(len(body)).encode("latin-1")),
            (b"content-type", b"application/json"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send({"type": "http.response.body", "body": self.body})
        if self.background is not None:
            await self.background()


def endpoint_context(call: Callable[..., Any], path: str) -> EndpointContext:
    ctx: EndpointContext = {"function": getattr(call, "__name__", repr(call)), "path": path}
    try:
        ctx["file"] = inspect.getsourcefile(call) or ""
        ctx["line"] = inspect.getsourcelines(call)[1]
    except (TypeError, OSError):
        pass
    return ctx


class RouteApp:
    """The ASGI app of a route whose handler is the stock one: the plan runs on the scope.

    Exceptions go straight to the application's exception middleware; an exit
    stack exists only when the plan has cleanup to run after the response.
    """

    __slots__ = ("_plain", "_seen", "handler", "route")

    def __init__(self, route: PlannedRoute) -> None:
        self.route = route
        self.handler = HTTPEndpointHandler(route)
        self._seen: Plan | None = None  # the plan ``_plain`` was judged for
        self._plain = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        plan = self.route.current_plan()
        if plan is not self._seen:
            self._plain = _is_plain(plan)
            self._seen = plan
        if self._plain:  # PERF: benchmarks in-process plain_dict: no inputs, no solve
            response = await self.handler.respond_plain(plan, scope)
            await response(scope, receive, send)
            return
        inputs = Inputs(scope, receive, send)
        if not plan.request_cleanup:
            if plan.function_cleanup:
                response = await self.handler.run(plan, inputs, None)
            else:  # PERF: benchmarks in-process path_query: no stacks at all
                response = await self.handler.respond(plan, RequestContext(inputs, None, None))
            await response(scope, receive, send)
            return
        handler = self.handler
        await send_then_clean_up(
            scope, receive, send, lambda stack: handler.run(plan, inputs, stack)
        )


def _is_plain(plan: Plan) -> bool:
    """Whether the plan is the endpoint alone, called with no arguments."""
    if len(plan.steps) != 1 or plan.body_mode is not BodyMode.NONE:
        return False
    if plan.request_cleanup or plan.function_cleanup:
        return False
    if plan.observer is not None or plan.around is not None:
        return False
    step = plan.steps[0]
    if step.mode is not CallMode.ASYNC and step.mode is not CallMode.SYNC:
        return False
    return not (step.checks or step.body or step.form or step.injected or step.sub_results)


async def send_then_clean_up(
    scope: Scope,
    receive: Receive,
    send: Send,
    produce: Callable[[CleanupStack], Awaitable[Response]],
) -> None:
    """Send the response ``produce`` builds, then close the request's cleanup stack.

    The stack is published in the scope for handlers that look for it. If the
    cleanup swallowed the exception that prevented a response, say so.
    """
    responded = False
    with anyio.CancelScope() as guard:
        async with CleanupStack(guard) as stack:
            scope[REQUEST_STACK_KEY] = stack
            response = await produce(stack)
            await response(scope, receive, send)
            responded = True
    if not responded:
        raise FastAPIError(_SWALLOWED)


def where(scope: Scope, path: str) -> str:
    """How an error names the endpoint: method (or WS) and the full path template."""
    method = scope.get("method", "WS") if scope["type"] == "http" else "WS"
    return f"{method} {scope.get('root_path', '')}{path}"


def request_response(handler: Callable[[Request], Awaitable[Response]]) -> ASGIApp:
    """An ASGI app around a ``Request -> Response`` handler.

    The request's exit stack (cleanup of ``yield`` dependencies) closes after
    the response has been sent; exceptions, including those raised by that
    cleanup, go to the application's exception handlers.
    """

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)

        async def inner(scope: Scope, receive: Receive, send: Send) -> None:
            await send_then_clean_up(scope, receive, send, lambda _stack: handler(request))

        await wrap_app_handling_exceptions(inner, request)(scope, receive, send)

    return app


class HTTPEndpointHandler:
    """Runs one HTTP route's plan for a request and returns the response."""

    def __init__(self, route: PlannedRoute) -> None:
        self.route = route

    async def __call__(self, request: Request) -> Response:
        """The ``Request -> Response`` form, for route classes that wrap the handler."""
        inputs = Inputs(request.scope, request.receive, request._send)
        inputs.use_request(request)
        plan = self.route.current_plan()
        request_stack: CleanupStack | None = request.scope.get(REQUEST_STACK_KEY)
        if request_stack is not None or not (plan.request_cleanup or plan.function_cleanup):
            return await self.run(plan, inputs, request_stack)
        # called outside request_response(): the cleanup runs once the response is built
        with anyio.CancelScope() as guard:
            async with CleanupStack(guard) as own_stack:
                response = await self.run(plan, inputs, own_stack)
        return response

    async def run(self, plan: Plan, inputs: Inputs, request_stack: CleanupStack | None) -> Response:
        """Respond, closing the function-scope cleanups once the endpoint has returned.

        ``request_stack`` is required when the plan has request-scope cleanup.
        """
        if not plan.function_cleanup:
            return await self.respond(plan, RequestContext(inputs, request_stack, None))
        if request_stack is not None:
            async with CleanupStack(request_stack.guard) as function_stack:
                return await self.respond(
                    plan, RequestContext(inputs, request_stack, function_stack)
                )
        with anyio.CancelScope() as guard:
            async with CleanupStack(guard) as function_stack:
                response = await self.respond(plan, RequestContext(inputs, None, function_stack))
        return response

    async def respond(self, plan: Plan, ctx: RequestContext) -> Response:
        """Solve the plan, call the endpoint, and turn its result into the response."""
        if plan.observer is not None:  # the app has telemetry: same steps, observed
            response: Response = await plan.observer.respond(self, plan, ctx)
            return response
        route = self.route
        # a def endpoint after def dependencies is called in their thread hop (no hooks around)
        kwargs, errors, body, raw = await solve_and_call(
            plan, ctx, route.strict_content_type_value, None, plan.around is None
        )
        if errors:
            raise RequestValidationError(
                errors,
                body=body,
                endpoint_ctx=endpoint_context(route.endpoint, where(ctx.inputs.scope, route.path)),
            )
        if plan.around is not None:
            return await self._around(plan, kwargs, ctx)
        if raw is NOT_CALLED:
            return await self.call_endpoint(plan, kwargs, ctx)
        return self._respond_endpoint(raw, ctx)  # the endpoint ran in its dependencies' hop

    async def _around(self, plan: Plan, kwargs: dict[str, Any], ctx: RequestContext) -> Response:
        """Run the contributed hooks around the endpoint (see ``contributions``). A
        response a hook answers with itself gets what the dependencies set on the
        injected ``Response``, as the endpoint's response does."""
        produced: list[Response] = []

        async def call_endpoint() -> Response:
            produced.append(await self.call_endpoint(plan, kwargs, ctx))
            return produced[0]

        request = ctx.inputs.connection
        assert plan.around is not None and isinstance(request, Request)
        response = await plan.around(request, call_endpoint)
        if not produced or response is not produced[0]:
            ctx.merge_sub_response(response, replace=True)
        return response

    async def respond_plain(self, plan: Plan, scope: Scope) -> Response:
        """The response of a plan that is the endpoint alone (see ``_is_plain``)."""
        step = plan.steps[0]
        if step.mode is CallMode.ASYNC:
            raw = await step.call()
        else:
            raw = await run_sync(step.call)
        try:
            return self._respond(raw, None)
        except ResponseValidationError as exc:
            route = self.route
            exc.set_endpoint_context(endpoint_context(route.endpoint, where(scope, route.path)))
            raise

    async def call_endpoint(
        self, plan: Plan, kwargs: dict[str, Any], ctx: RequestContext
    ) -> Response:
        """Call the endpoint with its solved arguments and build its response."""
        route = self.route
        step = plan.steps[-1]
        mode = step.mode
        if mode is CallMode.ASYNC:
            raw = await step.call(**kwargs)
        elif mode is CallMode.SYNC:
            raw = await run_sync(step.call, **kwargs)
        else:
            return stream_response(route, step.call(**kwargs), mode, ctx)
        try:
            return self._respond(raw, ctx)
        except ResponseValidationError as exc:
            exc.set_endpoint_context(
                endpoint_context(route.endpoint, where(ctx.inputs.scope, route.path))
            )
            raise

    def _respond_endpoint(self, raw: Any, ctx: RequestContext) -> Response:
        """The response to what the endpoint returned, as ``call_endpoint`` makes it."""
        try:
            return self._respond(raw, ctx)
        except ResponseValidationError as exc:
            route = self.route
            exc.set_endpoint_context(
                endpoint_context(route.endpoint, where(ctx.inputs.scope, route.path))
            )
            raise

    def _respond(self, raw: Any, ctx: RequestContext | None) -> Response:
        """``raw`` as a response; ``ctx`` (None for a plain plan) adds what the
        dependencies set: background tasks and the injected ``Response``'s status and headers."""
        route = self.route
        background = None if ctx is None else ctx.background
        if isinstance(raw, Response):
            if raw.background is None and background is not None:
                raw.background = background
            return raw
        status_code = route.status_code
        serializer = route.serializer
        if route.uses_default_json and serializer.adapter is not None:
            response: Response = _JSONBytesResponse(
                serializer.to_json_bytes(raw, None),
                status_code=status_code or 200,
                background=background,
            )
        else:
            content = serializer.to_content(raw, None)
            kwargs: dict[str, Any] = {"background": background}
            if status_code is not None:
                kwargs["status_code"] = status_code
            response = route.response_class_value(content, **kwargs)
        return _apply_sub_response(response, ctx)


def _apply_sub_response(response: Response, ctx: RequestContext | None) -> Response:
    if ctx is not None:
        ctx.merge_sub_response(response)
    if not is_body_allowed_for_status_code(response.status_code):
        response.body = b""
        response.headers.raw[:] = [
            (k, v) for k, v in response.headers.raw if k != b"content-length"
        ]
    return response


class WebSocketEndpointHandler:
    """Runs one WebSocket route's plan and hands the socket to the endpoint."""

    def __init__(self, route: PlannedWebSocketRoute) -> None:
        self.route = route
        self._seen: Plan | None = None  # the plan ``_direct`` was judged for
        self._direct: _DirectCall | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        websocket = WebSocket(scope, receive, send)
        # PERF: benchmarks in-process websocket_echo: sends go straight out (no wrapper per
        # message); an exception goes to Starlette's exception-handler lookup as before
        try:
            plan: Plan = self.route.current_plan()
            if plan is not self._seen:
                self._direct = _direct_call(plan)
                self._seen = plan
            direct = self._direct
            if direct is None:
                await self._session(plan, websocket, scope, receive, send)
                return
            # PERF: benchmarks in-process websocket_echo: an endpoint that takes only the
            # socket is called with it: no inputs, no solve
            call, names, is_async = direct
            if names is None:  # PERF: a keyword call costs ~2k more
                if is_async:
                    await call(websocket)
                else:
                    await run_sync(call, websocket)
                return
            kwargs = dict.fromkeys(names, websocket)
            if is_async:
                await call(**kwargs)
            else:
                await run_sync(call, **kwargs)
        except Exception as exc:
            await wrap_app_handling_exceptions(_raising(exc), websocket)(scope, receive, send)

    async def _session(
        self, plan: Plan, websocket: WebSocket, scope: Scope, receive: Receive, send: Send
    ) -> None:
        inputs = Inputs(scope, receive, send)
        inputs.use_request(websocket)
        if not (plan.request_cleanup or plan.function_cleanup or plan.observer):
            await self._run(plan, RequestContext(inputs, None, None))
            return
        with anyio.CancelScope() as guard:
            async with (
                CleanupStack(guard) as request_stack,
                CleanupStack(guard) as function_stack,
            ):
                await self._run(plan, RequestContext(inputs, request_stack, function_stack))

    async def _run(self, plan: Plan, ctx: RequestContext) -> None:
        if plan.observer is not None:  # the app has telemetry: same steps, observed
            await plan.observer.run_websocket(self, plan, ctx)
            return
        kwargs, errors, _ = await solve(plan, ctx, strict_content_type=True)
        if errors:
            raise WebSocketRequestValidationError(
                errors,
                endpoint_ctx=endpoint_context(
                    self.route.endpoint, where(ctx.inputs.scope, self.route.path)
                ),
            )
        step = plan.steps[-1]
        if step.mode is CallMode.ASYNC:
            await step.call(**kwargs)
        else:
            await run_sync(step.call, **kwargs)


_SOCKET_KINDS = frozenset({Injected.WEBSOCKET, Injected.HTTP_CONNECTION, Injected.REQUEST})


# an endpoint called with the socket alone: the callable, the names it takes the socket
# under (None: its one parameter, passed by position), whether it is a coroutine function
_DirectCall = tuple[Callable[..., Any], tuple[str, ...] | None, bool]


def _direct_call(plan: Plan) -> _DirectCall | None:
    """How to call the endpoint if the plan is the endpoint alone taking nothing but the
    socket (None otherwise)."""
    if len(plan.steps) != 1 or plan.body_mode is not BodyMode.NONE:
        return None
    if plan.request_cleanup or plan.function_cleanup or plan.observer is not None:
        return None
    step = plan.steps[0]
    if step.mode is not CallMode.ASYNC and step.mode is not CallMode.SYNC:
        return None
    if step.checks or step.body or step.form or step.sub_results:
        return None
    if any(kind not in _SOCKET_KINDS for _, kind in step.injected):
        return None
    names = tuple(name for name, _ in step.injected)
    is_async = step.mode is CallMode.ASYNC
    return step.call, None if _only_positional(step.call, names) else names, is_async


def _only_positional(call: Callable[..., Any], names: tuple[str, ...]) -> bool:
    """Whether ``call`` takes exactly one argument, ``names[0]``, which may be passed by
    position."""
    try:
        parameters = list(inspect.signature(call).parameters.values())
    except (TypeError, ValueError):
        return False
    return (
        len(names) == 1
        and len(parameters) == 1
        and parameters[0].name == names[0]
        and parameters[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    )


def _raising(exc: Exception) -> ASGIApp:
    """An ASGI app that raises ``exc``: hands an exception to the handler lookup."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise exc

    return app
