"""``solve_dependencies``: run a ``Dependant`` for one request with veloxapi's engine.

The view is compiled into a plan — once per shape: a library that edits the
tree gets a new plan, one that solves the same tree per request reuses it —
and the plan runs through the engine's one entry point, so dependency order,
caching, overrides, ``yield`` cleanup and validation errors are a route's.
What FastAPI's signature adds is honoured: a body the caller already parsed,
a ``BackgroundTasks`` and ``Response`` to share, and a dependency cache that
can be filled beforehand (values found there are not computed again) and is
filled with every value solved.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any, cast

from starlette.background import BackgroundTasks as StarletteBackgroundTasks
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from veloxapi._compat import Undefined
from veloxapi._engine.compile.plan import Plan, Step, compile_plan
from veloxapi._engine.run.calls import CallMode
from veloxapi._engine.run.cleanup import CleanupStack
from veloxapi._engine.run.handler import REQUEST_STACK_KEY
from veloxapi._engine.run.inputs import Inputs
from veloxapi._engine.run.solve import RequestContext, solve
from veloxapi.dependencies._views import analysed_of, fingerprint
from veloxapi.dependencies.models import Dependant
from veloxapi.types import DependencyCacheKey


@dataclass
class SolvedDependency:
    """What solving gave: the call's keyword arguments, or the validation errors."""

    values: dict[str, Any]
    errors: list[Any]
    background_tasks: StarletteBackgroundTasks | None
    response: Response
    dependency_cache: dict[DependencyCacheKey, Any]


async def solve_dependencies(
    *,
    request: Request | WebSocket,
    dependant: Dependant,
    body: Any = Undefined,
    background_tasks: StarletteBackgroundTasks | None = None,
    response: Response | None = None,
    dependency_overrides_provider: Any | None = None,
    dependency_cache: dict[DependencyCacheKey, Any] | None = None,
    async_exit_stack: AsyncExitStack,
    embed_body_fields: bool,
    _uses_scopes_cache: Any = None,
) -> SolvedDependency:
    """Solve every dependency of ``dependant`` and validate its own parameters.

    The dependant's own callable is not called: ``values`` are its arguments.
    ``yield`` dependencies close with the request when it runs inside a route,
    otherwise with ``async_exit_stack``.
    """
    overrides = getattr(dependency_overrides_provider, "dependency_overrides", None) or {}
    plan = _plan_for(dependant, overrides, embed_body_fields)
    if response is None:
        response = Response()
        del response.headers["content-length"]
        response.status_code = None  # type: ignore[assignment]  # unset until a dependency sets it
    cache: dict[DependencyCacheKey, Any] = {} if dependency_cache is None else dependency_cache
    ctx = _context(request, body, async_exit_stack, background_tasks, response)
    values, errors, _body = await solve(plan, ctx, True, _SharedCache(cache))
    return SolvedDependency(
        values=values,
        errors=errors,
        background_tasks=ctx.background,
        response=response,
        dependency_cache=cache,
    )


def _plan_for(dependant: Dependant, overrides: Any, embed: bool) -> Plan:
    """The compiled plan of the view as it is now, reused while its shape is unchanged."""
    key = (fingerprint(dependant), tuple(overrides.items()), embed)
    cached = dependant._solved_plan
    if cached is not None and cached[0] == key:
        return cast(Plan, cached[1])
    plan = compile_plan(analysed_of(dependant), overrides, "solve", embed_body=embed)
    dependant._solved_plan = (key, plan)
    return plan


def _context(
    request: Request | WebSocket,
    body: Any,
    exit_stack: AsyncExitStack,
    background_tasks: StarletteBackgroundTasks | None,
    response: Response,
) -> RequestContext:
    inputs = _GivenBody(request, body)
    # The stacks FastAPI keeps in the scope (callers outside a route put their own there),
    # else a route's request stack, else the caller's. CleanupStack only adds a shield
    # around closing, so a plain exit stack serves as one.
    scope = request.scope
    request_stack = scope.get("fastapi_inner_astack") or scope.get(REQUEST_STACK_KEY) or exit_stack
    function_stack = scope.get("fastapi_function_astack") or exit_stack
    ctx = RequestContext(
        inputs, cast(CleanupStack, request_stack), cast(CleanupStack, function_stack)
    )
    ctx.share(background=background_tasks, response=response)
    return ctx


class _GivenBody(Inputs):
    """The request's inputs, with the body the caller parsed in place of the request's."""

    __slots__ = ("_given",)

    def __init__(self, request: Request | WebSocket, body: Any) -> None:
        send = getattr(request, "_send", None)
        super().__init__(request.scope, request.receive, send)  # type: ignore[arg-type]
        self.use_request(request)
        self._given = body

    async def json_raw(self, strict_content_type: bool) -> bytes | None:
        return None  # the caller parsed the body: validate what it gave

    async def json_body(self, strict_content_type: bool) -> tuple[Any, bool]:
        if self._given is Undefined or self._given is None:
            return None, False
        return self._given, True

    async def form(self) -> FormData:
        return self._given if isinstance(self._given, FormData) else FormData()

    async def close_form(self) -> None:
        return None  # the caller's form: the caller closes it


class _SharedCache:
    """The caller's dependency cache, keyed as FastAPI keys it."""

    __slots__ = ("cache",)

    def __init__(self, cache: dict[DependencyCacheKey, Any]) -> None:
        self.cache = cache

    def get(self, step: Step) -> tuple[bool, Any]:
        declared = step.declared
        if declared is None or not declared.use_cache:
            return False, None
        key = _key(step)
        if key in self.cache:
            return True, self.cache[key]
        return False, None

    def put(self, step: Step, value: Any) -> None:
        self.cache.setdefault(_key(step), value)


def _key(step: Step) -> DependencyCacheKey:
    declared = step.declared
    assert declared is not None  # every step of a compiled plan records its declaration
    generator = step.mode in (CallMode.ASYNC_GEN, CallMode.SYNC_GEN)
    scope = declared.scope or ("request" if generator else "")
    return (declared.call, declared.cache_key[1], scope)
