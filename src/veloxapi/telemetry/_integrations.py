"""Routes served through the routing functions an instrumentation library replaced.

Some integrations (Logfire's ``instrument_fastapi``) replace
``fastapi.routing.solve_dependencies`` and ``fastapi.routing.run_endpoint_function``
to observe each request's arguments and endpoint call. When either is replaced
by the time the application builds its stack, its route plans get
:class:`ReplacedSteps` as their observer: the dependencies are solved and the
endpoint called through those module attributes, looked up per request.
Otherwise nothing here runs: the check is made once per stack build.

A WebSocket's dependencies are solved through ``solve_dependencies`` too.
Streaming endpoints run as they would without the replacement, and the
plans' operation spans are left out: an integration of this kind reports its own.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from veloxapi import routing
from veloxapi._engine.compile.plan import BodyMode
from veloxapi._engine.run.calls import CallMode
from veloxapi._engine.run.handler import endpoint_context, where
from veloxapi._engine.run.solve import RequestContext
from veloxapi.exceptions import (
    RequestValidationError,
    ResponseValidationError,
    WebSocketRequestValidationError,
)

if TYPE_CHECKING:
    from veloxapi._engine.compile.plan import Plan
    from veloxapi._engine.run.handler import HTTPEndpointHandler, WebSocketEndpointHandler
    from veloxapi.telemetry._observer import PlanObserver

_SOLVE = routing.solve_dependencies
_RUN = routing.run_endpoint_function


def steps_replaced() -> bool:
    """Whether an integration replaced ``solve_dependencies`` or ``run_endpoint_function``."""
    return routing.solve_dependencies is not _SOLVE or routing.run_endpoint_function is not _RUN


class ReplacedSteps:
    """Runs HTTP endpoints through ``routing``'s replaceable functions; ``inner``: the
    application's own telemetry observer, for what is not run through them."""

    def __init__(self, inner: PlanObserver | None) -> None:
        self.inner = inner

    async def respond(
        self, handler: HTTPEndpointHandler, plan: Plan, ctx: RequestContext
    ) -> Response:
        step = plan.steps[-1]
        if step.mode not in (CallMode.ASYNC, CallMode.SYNC):
            response: Response = await handler.respond(replace(plan, observer=self.inner), ctx)
            return response
        stack = ctx.function_stack or ctx.request_stack
        if stack is None:
            async with AsyncExitStack() as own:
                return await self._respond(handler, plan, ctx, own)
        return await self._respond(handler, plan, ctx, stack)

    async def _respond(
        self,
        handler: HTTPEndpointHandler,
        plan: Plan,
        ctx: RequestContext,
        exit_stack: AsyncExitStack,
    ) -> Response:
        route = handler.route
        request = ctx.inputs.connection
        body = await _read_body(plan, ctx, route.strict_content_type_value)
        solved = await routing.solve_dependencies(
            request=request,  # type: ignore[arg-type]
            dependant=route.dependant,  # type: ignore[attr-defined]
            body=body,
            dependency_overrides_provider=getattr(route, "dependency_overrides_provider", None),
            async_exit_stack=exit_stack,
            embed_body_fields=plan.body_mode is BodyMode.JSON_EMBEDDED,
        )
        context = endpoint_context(route.endpoint, where(ctx.inputs.scope, route.path))
        if solved.errors:
            raise RequestValidationError(solved.errors, body=body, endpoint_ctx=context)
        ctx.share(background=solved.background_tasks, response=solved.response)
        raw = await routing.run_endpoint_function(
            dependant=route.dependant,  # type: ignore[attr-defined]
            values=solved.values,
            is_coroutine=plan.steps[-1].mode is CallMode.ASYNC,
        )
        try:
            return handler._respond(raw, ctx)
        except ResponseValidationError as exc:
            exc.set_endpoint_context(context)
            raise

    async def run_websocket(
        self, handler: WebSocketEndpointHandler, plan: Plan, ctx: RequestContext
    ) -> None:
        route = handler.route
        stack = ctx.function_stack or ctx.request_stack
        assert stack is not None  # a WebSocket handler always opens both stacks
        solved = await routing.solve_dependencies(
            request=ctx.inputs.connection,  # type: ignore[arg-type]
            dependant=route.dependant,  # type: ignore[attr-defined]
            dependency_overrides_provider=getattr(route, "dependency_overrides_provider", None),
            async_exit_stack=stack,
            embed_body_fields=False,
        )
        if solved.errors:
            raise WebSocketRequestValidationError(
                solved.errors,
                endpoint_ctx=endpoint_context(route.endpoint, where(ctx.inputs.scope, route.path)),
            )
        step = plan.steps[-1]
        if step.mode is CallMode.ASYNC:
            await step.call(**solved.values)
        else:
            await run_in_threadpool(step.call, **solved.values)


async def _read_body(plan: Plan, ctx: RequestContext, strict_content_type: bool) -> Any:
    if plan.body_mode is BodyMode.NONE:
        return None
    if plan.body_mode is BodyMode.FORM:
        return await ctx.inputs.form()
    body, _ = await ctx.inputs.json_body(strict_content_type)
    return body
