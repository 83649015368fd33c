"""The routes that serve built frontends, and the group that picks one per request.

A ``FrontendRoute`` answers every HTTP path under its mount path. It runs its
dependencies through the same plan engine as API routes (so overrides,
``yield`` cleanup, injected ``Response`` and ``BackgroundTasks`` behave the
same), then serves the file or fallback page. Methods other than GET and HEAD
get 405 where a file would have been served and 404 elsewhere; they never run
dependencies. A ``FrontendRouteGroup`` holds all of a router's frontends and
hands a request to the one with the longest matching mount path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette._exception_handler import wrap_app_handling_exceptions
from starlette._utils import get_route_path
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from veloxapi import params
from veloxapi._engine.compile.analysis import get_dependant, route_dependency
from veloxapi._engine.compile.plan import Plan
from veloxapi._engine.compile.plan_cache import PlanCache
from veloxapi._engine.run.cleanup import CleanupStack
from veloxapi._engine.run.handler import _apply_sub_response, endpoint_context, send_then_clean_up
from veloxapi._engine.run.inputs import Inputs
from veloxapi._engine.run.solve import RequestContext, solve
from veloxapi._frontend.files import FrontendFiles
from veloxapi._request_limits import with_limits
from veloxapi.exceptions import RequestValidationError

SCOPE_KEY = "fastapi"
"""The scope entry (a dict) where the matched path below the mount is recorded."""

_READ_METHODS = frozenset({"GET", "HEAD"})


def serve_frontend() -> None:
    """The endpoint a frontend route's dependencies are planned for; never called."""


class FrontendRoute(BaseRoute):
    """One built frontend, mounted at ``path`` ("" for the root), with its dependencies."""

    def __init__(
        self,
        path: str,
        files: FrontendFiles,
        *,
        dependencies: Sequence[params.Depends] = (),
        dependency_overrides_provider: Any = None,
        max_body_size: int | None = None,
    ) -> None:
        self.path = path
        self.app = files
        self.max_body_size = max_body_size
        self._limited = with_limits(self._respond, max_body_size, None)
        self.dependencies = list(dependencies)
        self.dependency_overrides_provider = dependency_overrides_provider
        self.dependant = get_dependant(path=path or "/", call=serve_frontend)
        for depends in reversed(self.dependencies):
            self.dependant.dependencies.insert(0, route_dependency(depends, path or "/"))
        self._plans = PlanCache(f"frontend{path}", app_steps=False)

    def rebased(
        self,
        prefix: str,
        dependencies: Sequence[params.Depends],
        provider: Any,
        max_body_size: int | None = None,
    ) -> FrontendRoute:
        """This frontend as seen through ``include_router(prefix=..., dependencies=...)``;
        a body limit of its own wins over the inclusion's."""
        return FrontendRoute(
            prefix + self.path,
            self.app,
            dependencies=[*dependencies, *self.dependencies],
            dependency_overrides_provider=provider,
            max_body_size=max_body_size if self.max_body_size is None else self.max_body_size,
        )

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        return self.matches_with_prefix(scope, "")

    def matches_with_prefix(self, scope: Scope, prefix: str) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        mount = prefix + self.path
        route_path = get_route_path(scope)
        if route_path != mount and not route_path.startswith(mount + "/"):
            return Match.NONE, {}
        recorded = scope.get(SCOPE_KEY)
        extra = dict(recorded) if isinstance(recorded, Mapping) else {}
        extra["frontend_path"] = route_path[len(mount) :]
        return Match.FULL, {SCOPE_KEY: extra}

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._limited(scope, receive, send)

    async def _respond(self, scope: Scope, receive: Receive, send: Send) -> None:
        match, child_scope = self.matches(scope)
        if match is Match.NONE:
            raise HTTPException(status_code=404)
        relative: str = child_scope[SCOPE_KEY]["frontend_path"]
        request = Request(scope, receive, send)

        async def respond(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["method"] not in _READ_METHODS:
                await self._refuse_method(relative)
            await send_then_clean_up(
                scope, receive, send, lambda stack: self._serve(request, stack, relative)
            )

        await wrap_app_handling_exceptions(respond, request)(scope, receive, send)

    async def _refuse_method(self, relative: str) -> None:
        if await self.app.names_resource(relative):
            raise HTTPException(status_code=405, headers={"Allow": "GET, HEAD"})
        raise HTTPException(status_code=404)

    async def _serve(
        self, request: Request, request_stack: CleanupStack, relative: str
    ) -> Response:
        plan = self.current_plan()
        inputs = Inputs(request.scope, request.receive, request._send)
        inputs.use_request(request)
        async with CleanupStack(request_stack.guard) as function_stack:
            ctx = RequestContext(inputs, request_stack, function_stack)
            _, errors, body = await solve(plan, ctx, strict_content_type=True)
            if errors:
                context = endpoint_context(serve_frontend, self.path or "/")
                raise RequestValidationError(errors, body=body, endpoint_ctx=context)
            response = await self.app.serve(relative, request.scope)
        if response.background is None:
            response.background = ctx.background
        return _apply_sub_response(response, ctx)

    def current_plan(self) -> Plan:
        """The dependency plan, compiled again only when dependency overrides changed."""
        return self._plans.plan(lambda: self.dependant, self.dependency_overrides_provider)


class FrontendRouteGroup(BaseRoute):
    """A router's frontends; a request goes to the longest mount path that contains it."""

    def __init__(self, routes: Sequence[FrontendRoute] = ()) -> None:
        self.routes: list[FrontendRoute] = list(routes)

    def rebased(
        self,
        prefix: str,
        dependencies: Sequence[params.Depends],
        provider: Any,
        max_body_size: int | None = None,
    ) -> FrontendRouteGroup:
        return FrontendRouteGroup(
            [r.rebased(prefix, dependencies, provider, max_body_size) for r in self.routes]
        )

    def select(self, scope: Scope, prefix: str = "") -> tuple[FrontendRoute, Scope] | None:
        best: tuple[FrontendRoute, Scope] | None = None
        for route in self.routes:
            match, child_scope = route.matches_with_prefix(scope, prefix)
            if match is Match.FULL and (best is None or len(route.path) > len(best[0].path)):
                best = (route, child_scope)
        return best

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        return self.matches_with_prefix(scope, "")

    def matches_with_prefix(self, scope: Scope, prefix: str) -> tuple[Match, Scope]:
        selected = self.select(scope, prefix)
        if selected is None:
            return Match.NONE, {}
        return Match.FULL, selected[1]

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        selected = self.select(scope)
        if selected is None:
            raise HTTPException(status_code=404)
        route, child_scope = selected
        scope.update(child_scope)
        scope["route"] = route
        await route.handle(scope, receive, send)
