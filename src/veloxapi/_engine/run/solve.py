"""Run a compiled plan for one request: validate, call dependencies, collect errors.

This is the hot path. It does no signature inspection and builds no
validators; it walks the plan's steps in order, reading the request inputs
each step's checks ask for.
"""

from __future__ import annotations

from contextvars import copy_context
from typing import Any, Protocol

from pydantic import ValidationError
from starlette.background import BackgroundTasks
from starlette.responses import Response

from veloxapi._engine.compile.analysis import Injected, Source
from veloxapi._engine.compile.plan import BodyMode, Plan, Step, compile_plan
from veloxapi._engine.compile.validators import ErrorList, ParamGroupValidator
from veloxapi._engine.compile.validators.body import SingleBodyValidator
from veloxapi._engine.run.calls import CallMode
from veloxapi._engine.run.cleanup import CleanupStack, enter_yield_dependency
from veloxapi._engine.run.inputs import Inputs
from veloxapi._engine.run.offload import Chain, run_sync
from veloxapi.exceptions import FastAPIError, RequestValidationError


class RequestContext:
    """What one request shares between its dependencies."""

    __slots__ = ("_background", "_sub_response", "function_stack", "inputs", "request_stack")

    def __init__(
        self,
        inputs: Inputs,
        request_stack: CleanupStack | None,
        function_stack: CleanupStack | None,
    ) -> None:
        self.inputs = inputs
        self.request_stack = request_stack
        self.function_stack = function_stack
        self._background: BackgroundTasks | None = None
        self._sub_response: Response | None = None

    def share(self, *, background: BackgroundTasks | None, response: Response) -> None:
        """Hand dependencies these ``BackgroundTasks`` and ``Response`` (solving outside a
        route: the caller owns them)."""
        self._background = background
        self._sub_response = response

    @property
    def background(self) -> BackgroundTasks | None:
        return self._background

    def merge_sub_response(self, response: Response, replace: bool = False) -> Response:
        """``response`` with the status and headers set on the injected ``Response``
        (with ``replace``, those headers take the place of same-named ones)."""
        sub = self._sub_response
        if sub is not None:
            if sub.status_code:
                response.status_code = sub.status_code
            raw = response.headers.raw
            if replace:
                names = {name for name, _ in sub.headers.raw}
                raw[:] = [(name, value) for name, value in raw if name not in names]
            raw.extend(sub.headers.raw)
        return response

    def inject(self, kind: Injected, step: Step) -> Any:
        if kind is Injected.RESPONSE:
            if self._sub_response is None:
                response = Response()
                del response.headers["content-length"]
                response.status_code = None  # type: ignore[assignment]
                self._sub_response = response
            return self._sub_response
        if kind is Injected.BACKGROUND_TASKS:
            if self._background is None:
                from veloxapi.background import BackgroundTasks as VeloxBackgroundTasks

                self._background = VeloxBackgroundTasks()
            return self._background
        if kind is Injected.SECURITY_SCOPES:
            from veloxapi.security.oauth2 import SecurityScopes

            return SecurityScopes(scopes=list(step.security_scopes))
        return self.inputs.connection


class SharedResults(Protocol):
    """Values solved before or beside this plan (``solve_dependencies``' dependency cache)."""

    def get(self, step: Step) -> tuple[bool, Any]: ...

    def put(self, step: Step, value: Any) -> None: ...


async def solve(
    plan: Plan,
    ctx: RequestContext,
    strict_content_type: bool,
    shared: SharedResults | None = None,
) -> tuple[dict[str, Any], ErrorList, Any]:
    """Run every dependency step; return the endpoint's kwargs, the errors and the body.

    With ``shared``, a dependency found there is not called, and every value solved is
    put there.
    """
    kwargs, errors, body, _ = await solve_and_call(plan, ctx, strict_content_type, shared, False)
    return kwargs, errors, body


NOT_CALLED: Any = object()  # what ``solve_and_call`` returns for an endpoint it left uncalled


async def solve_and_call(
    plan: Plan,
    ctx: RequestContext,
    strict_content_type: bool,
    shared: SharedResults | None = None,
    call_endpoint: bool = True,
) -> tuple[dict[str, Any], ErrorList, Any, Any]:
    """:func:`solve`, and, with ``call_endpoint``, the endpoint's result when it is a ``def``
    ending a run of ``def`` steps: it is called in that run's thread hop (else the result
    is ``NOT_CALLED`` and the caller calls it).

    Consecutive ``def`` steps (see ``compile.plan._mark_hops``) are validated first, then
    called in one worker thread, in order, each in its own copy of the context; an
    exception from one stops the rest, as it would with one hop each.
    """
    inputs = ctx.inputs
    body: Any = None
    present = False
    direct: Any = _NOT_DIRECT  # the body's model, validated straight from the raw bytes
    if plan.body_mode is BodyMode.JSON_SINGLE and plan.raw_body is not None:
        raw = await inputs.json_raw(strict_content_type)
        if raw is not None:
            direct = _validate_raw(plan.raw_body, raw)
    if direct is not _NOT_DIRECT:
        present = True
    elif plan.body_mode is BodyMode.JSON_SINGLE or plan.body_mode is BodyMode.JSON_EMBEDDED:
        body, present = await inputs.json_body(strict_content_type)
    elif plan.body_mode is BodyMode.FORM:
        body = await inputs.form()
        assert ctx.request_stack is not None  # the plan asks for one when it reads a form
        ctx.request_stack.push_async_callback(inputs.close_form)
    steps = plan.steps
    last = len(steps) - 1
    results: list[Any] = [None] * len(steps)
    failed = [False] * len(steps)
    errors: ErrorList = []
    hops = plan.hops and shared is None
    hop: _Hop | None = None  # the def steps of a run that passed, to call in one thread hop
    try:
        for index, step in enumerate(steps):
            kwargs: dict[str, Any] = {}
            ok = True
            for name, sub_index in step.sub_results:
                if failed[sub_index]:
                    ok = False
                elif name is not None:
                    kwargs[name] = results[sub_index]
            if step.checks and not _run_checks(step, inputs, kwargs, errors):
                ok = False
            if direct is not _NOT_DIRECT and step.body is plan.raw_body:
                kwargs[step.body_target] = direct  # type: ignore[index]
            elif step.body is not None:
                value, body_errors = step.body.validate(body, present)
                if body_errors:
                    errors.extend(body_errors)
                    ok = False
                elif step.body_target is not None:
                    kwargs[step.body_target] = value
                else:
                    kwargs.update(value)
            elif step.form is not None:
                form_values, form_errors = await step.form.run(body)
                if form_errors:
                    errors.extend(form_errors)
                    ok = False
                else:
                    kwargs.update(form_values)
            if not ok:
                failed[index] = True
                if direct is not _NOT_DIRECT and body is None:  # the error reports the body
                    body, _ = await inputs.json_body(strict_content_type)
                if hop is not None and index == hop.last:
                    await hop.run(ctx)
                    hop = None
                continue
            for name, kind in step.injected:
                kwargs[name] = ctx.inject(kind, step)
            if hops:
                if hop is None and step.hop_end:
                    end = step.hop_end if call_endpoint else min(step.hop_end, last)
                    hop = _Hop(results, end - 1)
                if hop is not None:
                    if index < last or not errors:  # an endpoint joins only to be called
                        hop.calls.append((index, step, kwargs))
                    if index == hop.last:
                        await hop.run(ctx)
                        hop = None
                    if index < last:
                        continue
                    if not errors:
                        return kwargs, errors, body, results[last]
                    _fill(kwargs, step, results)
            if index == last:
                return kwargs, errors, body, NOT_CALLED
            if shared is None:
                if step.mode is CallMode.ASYNC and step.limit is None and not step.overrides:
                    # PERF: benchmarks in-process dependencies: no call_step coroutine
                    results[index] = await step.call(**kwargs)
                else:
                    results[index] = await call_step(step, kwargs, ctx)
            else:
                results[index] = await _call_shared(step, kwargs, ctx, shared)
    except Exception:
        if hop is not None:  # validating a later step raised: the earlier steps come first
            await hop.run(ctx)
        raise
    return {}, errors, body, NOT_CALLED


class _Hop(Chain):
    """Consecutive ``def`` steps of one request, validated and called in one worker thread."""

    __slots__ = ("calls", "done", "last", "results", "running")

    def __init__(self, results: list[Any], last: int) -> None:
        super().__init__()
        self.results = results
        self.last = last  # the index of the run's last step
        self.calls: list[tuple[int, Step, dict[str, Any]]] = []  # the steps that passed
        self.running: list[tuple[int, Step, dict[str, Any]]] = []
        self.done = 0

    def __call__(self) -> None:
        """In the worker thread: each call as its own hop would make it."""
        results = self.results
        for index, step, kwargs in self.running:
            # an override an earlier step installed is called on the loop (see ``run``)
            if self.stopped() or (step.overrides and _override_changed(step)):
                return
            _fill(kwargs, step, results)
            results[index] = copy_context().run(step.call, **kwargs)
            self.done += 1

    async def run(self, ctx: RequestContext) -> None:
        """Make the calls (once): in one hop, the rest (if it stopped early) one by one."""
        self.running, self.calls = self.calls, []
        if len(self.running) > 1:
            await run_sync(self)
        for index, step, kwargs in self.running[self.done :]:
            _fill(kwargs, step, self.results)
            self.results[index] = await call_step(step, kwargs, ctx)


def _fill(kwargs: dict[str, Any], step: Step, results: list[Any]) -> None:
    """Give ``step`` the results of the earlier steps of its hop."""
    for name, sub_index in step.in_hop:
        kwargs[name] = results[sub_index]


_NOT_DIRECT: Any = object()


def _validate_raw(validator: SingleBodyValidator, raw: bytes) -> Any:
    """The body's model validated from the raw JSON bytes, or ``_NOT_DIRECT`` (then the
    ordinary path parses and validates it, and reports any error FastAPI's way)."""
    validate = validator.validate_raw
    assert validate is not None
    try:
        return validate(raw)
    except (ValidationError, ValueError):
        return _NOT_DIRECT


async def _call_shared(
    step: Step, kwargs: dict[str, Any], ctx: RequestContext, shared: SharedResults
) -> Any:
    found, value = shared.get(step)
    if not found:
        value = await call_step(step, kwargs, ctx)
    shared.put(step, value)
    return value


def _run_checks(step: Step, inputs: Inputs, kwargs: dict[str, Any], errors: ErrorList) -> bool:
    ok = True
    for check in step.checks:
        validator = check.validator
        source = check.source
        if isinstance(validator, ParamGroupValidator):
            values, check_errors = validator.validate(validator.collect(inputs))
        elif source is Source.QUERY:
            values, check_errors = validator.read(inputs.query)
        elif source is Source.HEADER:
            values, check_errors = validator.read(inputs.headers)
        else:
            values, check_errors = validator.read(inputs.cookies)
        if check_errors:
            errors.extend(check_errors)
            ok = False
        elif check.target is not None:
            kwargs[check.target] = values
        else:
            kwargs.update(values)
    return ok


async def call_step(step: Step, kwargs: dict[str, Any], ctx: RequestContext) -> Any:
    # PERF: benchmarks in-process dependencies: with no overrides this costs one truth test
    if step.overrides and _override_changed(step):
        return await _call_new_override(step, ctx)
    mode = step.mode
    if mode is CallMode.ASYNC or mode is CallMode.SYNC:
        if step.limit is None:
            if mode is CallMode.ASYNC:
                return await step.call(**kwargs)
            return await run_sync(step.call, **kwargs)
        async with step.limit.get_semaphore():
            if mode is CallMode.ASYNC:
                return await step.call(**kwargs)
            return await run_sync(step.call, **kwargs)
    stack = ctx.request_stack if step.request_scope else ctx.function_stack
    if stack is None:  # the plan asks for the stacks its yield dependencies need
        raise FastAPIError(_NO_STACK.format(name=getattr(step.call, "__name__", step.call)))
    return await enter_yield_dependency(step, kwargs, stack)


_NO_STACK = (
    "The yield dependency {name!r} was installed in app.dependency_overrides while a request "
    "was running, in place of a dependency without yield, so that request has no place for "
    "its cleanup. Install overrides that add a yield dependency before the request starts."
)


def _override_changed(step: Step) -> bool:
    declared = step.declared
    assert declared is not None and declared.call is not None
    return step.overrides.get(declared.call) is not step.replaced_by


async def _call_new_override(step: Step, ctx: RequestContext) -> Any:
    """Call the override of ``step`` that an earlier dependency of this request installed.

    The request's plan was compiled before it; the override gets a plan of its own, solved
    in this request. Its sub-dependencies don't share this request's dependency cache, and
    the arguments already resolved for the replaced dependency are dropped.
    """
    assert step.declared is not None
    plan = compile_plan(step.declared, step.overrides, "override")
    kwargs, errors, body = await solve(plan, ctx, strict_content_type=True)
    if errors:
        raise RequestValidationError(errors, body=body)
    return await call_step(plan.steps[-1], kwargs, ctx)
