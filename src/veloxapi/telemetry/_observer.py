"""What a route's plan runs when the application has telemetry: the same steps, observed.

An application with telemetry puts a :class:`PlanObserver` in its routes'
plans; the engine's handlers hand the request to it instead of running the
plan themselves. It fills the request's :class:`TelemetryData`, wraps
dependency resolution, the endpoint, serialization and background tasks in
operation spans, and logs validation failures. Without telemetry the plans
have no observer and none of this runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from veloxapi._engine.compile.plan import BodyMode
from veloxapi._engine.run.calls import CallMode
from veloxapi._engine.run.handler import endpoint_context, where
from veloxapi._engine.run.solve import RequestContext, solve
from veloxapi._engine.run.streaming import stream_response
from veloxapi.background import BackgroundTasks
from veloxapi.exceptions import (
    RequestValidationError,
    ResponseValidationError,
    WebSocketRequestValidationError,
)
from veloxapi.telemetry._operations import operation, run_sync_in_span, validation_failed
from veloxapi.telemetry._request import RequestTelemetry, current_request

if TYPE_CHECKING:
    from veloxapi._engine.compile.plan import Plan
    from veloxapi._engine.run.handler import HTTPEndpointHandler, WebSocketEndpointHandler
    from veloxapi._engine.run.route_contract import PlannedWebSocketRoute


class PlanObserver:
    """Runs a plan with operation spans and the request's telemetry data (one per app)."""

    async def respond(
        self, handler: HTTPEndpointHandler, plan: Plan, ctx: RequestContext
    ) -> Response:
        state = current_request()
        route = handler.route
        if state is not None and state.data is not None:
            state.data.request = ctx.inputs.connection  # type: ignore[assignment]
        kwargs = await _solve(state, plan, ctx, route, route.strict_content_type_value)
        step = plan.steps[-1]
        if step.mode is CallMode.ASYNC:
            with operation(state, "endpoint", step.call):
                raw = await step.call(**kwargs)
        elif step.mode is CallMode.SYNC:
            raw = await run_in_threadpool(run_sync_in_span, step.call, kwargs)
        else:
            return stream_response(route, step.call(**kwargs), step.mode, ctx)
        if isinstance(raw, Response):
            response = handler._respond(raw, ctx)
        else:
            with operation(state, "serialization", step.call):
                try:
                    response = handler._respond(raw, ctx)
                except ResponseValidationError as exc:
                    exc.set_endpoint_context(
                        endpoint_context(route.endpoint, where(ctx.inputs.scope, route.path))
                    )
                    raise
        _trace_background(state, response)
        return response

    async def run_websocket(
        self, handler: WebSocketEndpointHandler, plan: Plan, ctx: RequestContext
    ) -> None:
        state = current_request()
        if state is not None and state.data is not None:
            state.data.websocket = ctx.inputs.connection  # type: ignore[assignment]
        route = handler.route
        kwargs = await _solve(state, plan, ctx, route, True)
        step = plan.steps[-1]
        with operation(state, "endpoint", step.call):
            if step.mode is CallMode.ASYNC:
                await step.call(**kwargs)
            else:
                await run_in_threadpool(step.call, **kwargs)


async def _solve(
    state: RequestTelemetry | None,
    plan: Plan,
    ctx: RequestContext,
    route: PlannedWebSocketRoute,
    strict_content_type: bool,
) -> dict[str, Any]:
    """The endpoint's arguments, resolved inside ``fastapi.dependencies``."""
    try:
        if state is not None and state.data is not None and plan.body_mode is not BodyMode.NONE:
            state.data.body = await _read_body(plan, ctx, strict_content_type)
        with operation(state, "dependencies", route.endpoint):
            kwargs, errors, body = await solve(plan, ctx, strict_content_type)
            if state is not None and state.data is not None:
                state.data.body = body
                state.data.values = kwargs
                state.data.errors = errors
    except RequestValidationError as exc:  # the body was not valid JSON
        validation_failed(state, exc)
        raise
    if not errors:
        return kwargs
    scope = ctx.inputs.scope
    context = endpoint_context(route.endpoint, where(scope, route.path))
    failure: RequestValidationError | WebSocketRequestValidationError
    if scope["type"] == "websocket":
        failure = WebSocketRequestValidationError(errors, endpoint_ctx=context)
    else:
        failure = RequestValidationError(errors, body=body, endpoint_ctx=context)
    validation_failed(state, failure)
    raise failure


async def _read_body(plan: Plan, ctx: RequestContext, strict_content_type: bool) -> Any:
    """The body as the dependencies will get it, for ``TelemetryData.body`` while they run.

    A form is read once (the plan reuses it); a JSON body is decoded here and
    again by the plan: the price of the data being there when dependencies run.
    """
    if plan.body_mode is BodyMode.FORM:
        return await ctx.inputs.form()
    body, _ = await ctx.inputs.json_body(strict_content_type)
    return body


def _trace_background(state: RequestTelemetry | None, response: Response) -> None:
    tasks = response.background
    if state is not None and state.tracer is not None and isinstance(tasks, BackgroundTasks):
        response.background = _TracedTasks(tasks, state)  # type: ignore[assignment]


class _TracedTasks:
    """Runs a response's background tasks one by one, each in a ``fastapi.background_task``."""

    def __init__(self, tasks: BackgroundTasks, state: RequestTelemetry) -> None:
        self.tasks = tasks
        self.state = state

    async def __call__(self) -> None:
        for task in self.tasks.tasks:
            with operation(self.state, "background_task", task.func):
                await task()
