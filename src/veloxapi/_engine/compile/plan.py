"""Compile a ``Dependant`` tree into a flat, ordered list of steps.

Each step is one call — a dependency or, last, the endpoint — with everything
needed to run it prepared: the validators of its own parameters (one per
source), where each keyword argument comes from, whether its result is shared
with an earlier identical dependency, and in which exit stack a ``yield``
dependency's cleanup runs. Dependency overrides are applied here, so the plan
is rebuilt when they change and the request path never looks them up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from veloxapi._engine.compile.analysis import Dependant, Injected, ParamSpec, Source, get_dependant
from veloxapi._engine.compile.contributions import (
    BatteryStep,
    Contribution,
    EndpointHook,
    PlanContributor,
    RouteInfo,
    chain,
    gather,
)
from veloxapi._engine.compile.validators import (
    EmbeddedBodyValidator,
    FormValidator,
    ModelGroupValidator,
    ParamGroupValidator,
    SingleBodyValidator,
)
from veloxapi._engine.run.calls import CallMode, call_mode
from veloxapi._engine.run.concurrency_limit import ConcurrencyLimit

Overrides = Mapping[Callable[..., Any], Callable[..., Any]]


class BodyMode(Enum):
    NONE = "none"
    JSON_SINGLE = "json_single"
    JSON_EMBEDDED = "json_embedded"
    FORM = "form"


@dataclass
class SourceCheck:
    """Validation of one dependant's parameters of one source."""

    source: Source | None  # None: the combined group of plain parameters
    validator: ParamGroupValidator | ModelGroupValidator
    target: str | None  # kwarg name for a model group; None: the values are spread as kwargs


@dataclass(slots=True)  # PERF: benchmarks in-process dependencies: read per request
class Step:
    call: Callable[..., Any]
    mode: CallMode
    name: str | None
    checks: list[SourceCheck] = field(default_factory=list)
    body: SingleBodyValidator | EmbeddedBodyValidator | None = None
    body_target: str | None = None  # for a single body: the kwarg it fills
    injected: list[tuple[str, Injected]] = field(default_factory=list)
    sub_results: list[tuple[str | None, int]] = field(default_factory=list)
    security_scopes: list[str] = field(default_factory=list)
    request_scope: bool = True  # yield cleanup after the response is sent (else after the call)
    limit: ConcurrencyLimit | None = None  # Depends(max_concurrency=...)
    form: FormValidator | None = None
    declared: Dependant | None = None  # the dependency as declared, before any override
    replaced_by: Callable[..., Any] | None = None  # the override applied when compiled
    overrides: Overrides = field(default_factory=dict)  # the live mapping the plan was built from
    # the first of consecutive ``def`` steps that share one thread hop: the index after its last
    hop_end: int = 0
    # a later step of such a run: its arguments that are results of earlier steps of the run
    in_hop: list[tuple[str, int]] = field(default_factory=list)


@dataclass(slots=True)  # PERF: benchmarks in-process path_query: read per request
class Plan:
    steps: list[Step]
    body_mode: BodyMode
    needs: frozenset[Injected]
    request_cleanup: bool  # something to close after the response: yield deps, form files
    function_cleanup: bool  # yield deps with scope="function"
    around: EndpointHook | None = None  # contributed hooks around the endpoint call
    # runs the plan in the handlers' place when the app has telemetry (veloxapi.telemetry)
    observer: Any = None
    # the one body validator that may validate the raw JSON bytes (see SingleBodyValidator)
    raw_body: SingleBodyValidator | None = None
    hops: bool = False  # some consecutive def steps share a thread hop (see ``_mark_hops``)


def compile_plan(
    root: Dependant,
    overrides: Overrides | None,
    owner: str,
    contributors: Sequence[PlanContributor] = (),
    route: Any = None,
    *,
    embed_body: bool | None = None,
) -> Plan:
    """The plan of ``root``; its steps keep ``overrides`` (the live mapping, not a copy) so
    an override installed while a request runs can still be noticed (see ``run.call_step``).

    ``contributors`` are asked what ``route`` needs from them (see ``contributions``).
    ``embed_body`` settles whether a JSON body is an object keyed by parameter name (or the
    one parameter itself) where the caller decided it; by default the parameters decide.
    """
    builder = _PlanBuilder({} if overrides is None else overrides, owner)
    flat_body = builder.flat_body_params(root)
    builder.body_mode = _body_mode(flat_body)
    if embed_body is not None and builder.body_mode in (
        BodyMode.JSON_SINGLE,
        BodyMode.JSON_EMBEDDED,
    ):
        builder.body_mode = BodyMode.JSON_EMBEDDED if embed_body else BodyMode.JSON_SINGLE
    contribution = Contribution()
    if contributors:
        contribution = gather(contributors, builder.describe(root, route))
        builder.consumed = contribution.consumes
    for step in contribution.first:
        builder.add_battery_step(step, len(builder.steps), ())
    builder.add(root)
    if contribution.after_security:
        builder.add_after_security(contribution.after_security)
    # the last step is the endpoint: a generator endpoint streams, it has no cleanup
    generators = [
        s for s in builder.steps[:-1] if s.mode in (CallMode.ASYNC_GEN, CallMode.SYNC_GEN)
    ]
    hops = _mark_hops(builder.steps)
    bodies = [s.body for s in builder.steps if s.body is not None]
    raw_body = (
        bodies[0]
        if len(bodies) == 1
        and isinstance(bodies[0], SingleBodyValidator)
        and bodies[0].validate_raw is not None
        else None
    )
    return Plan(
        builder.steps,
        builder.body_mode,
        frozenset(builder.needs),
        request_cleanup=builder.body_mode is BodyMode.FORM
        or any(s.request_scope for s in generators),
        function_cleanup=any(not s.request_scope for s in generators),
        around=chain(contribution.around_endpoint),
        raw_body=raw_body,
        hops=hops,
    )


def _mark_hops(steps: list[Step]) -> bool:
    """Mark each run of two or more consecutive ``def`` steps: ``solve`` calls such a run
    in one worker thread, each step in its own copy of the context (see ``run.solve``).

    Steps keep their order; a step of a run gets only results of steps before it.
    A step with ``max_concurrency`` holds its slot on the event loop, so it ends a run.
    """
    start = 0
    found = False
    for index in range(len(steps) + 1):
        if index < len(steps) and steps[index].mode is CallMode.SYNC and steps[index].limit is None:
            continue
        if index - start >= 2:
            found = True
            steps[start].hop_end = index
            for step in steps[start + 1 : index]:
                step.in_hop = [(n, i) for n, i in step.sub_results if n is not None and i >= start]
        start = index + 1
    return found


def _body_mode(body_params: list[ParamSpec]) -> BodyMode:
    if not body_params:
        return BodyMode.NONE
    from veloxapi import params

    first = body_params[0].field_info
    if isinstance(first, params.Form) or any(s.is_file for s in body_params):
        return BodyMode.FORM
    if len(body_params) == 1 and not getattr(first, "embed", False):
        return BodyMode.JSON_SINGLE
    return BodyMode.JSON_EMBEDDED


class _PlanBuilder:
    def __init__(self, overrides: Overrides, owner: str) -> None:
        self.overrides = overrides
        self.owner = owner
        self.steps: list[Step] = []
        self.cache: dict[tuple[Any, ...], int] = {}
        self.needs: set[Injected] = set()
        self.body_mode = BodyMode.NONE
        self.consumed: frozenset[Callable[..., Any]] = frozenset()
        self.security: list[bool] = []  # per step: a security dependency, or one using one

    def resolve(self, dependant: Dependant) -> Dependant:
        call = dependant.call
        if call is None or call not in self.overrides:
            return dependant
        replaced = get_dependant(
            path=dependant.path,
            call=self.overrides[call],
            name=dependant.name,
            security_scopes=dependant.security_scopes,
            use_cache=dependant.use_cache,
            scope=dependant.scope,
            own_scopes=dependant.own_scopes,
            is_security=dependant.is_security,
        )
        replaced.concurrency = dependant.concurrency
        return replaced

    def flat_body_params(self, dependant: Dependant) -> list[ParamSpec]:
        found: list[ParamSpec] = []
        seen: set[tuple[Any, ...]] = set()

        def walk(dep: Dependant) -> None:
            dep = self.resolve(dep)
            if dep.cache_key in seen and dep.use_cache:
                return
            seen.add(dep.cache_key)
            for sub in dep.dependencies:
                walk(sub)
            found.extend(dep.body_params)

        walk(dependant)
        unique: dict[str, ParamSpec] = {}
        for spec in found:
            unique.setdefault(spec.name, spec)  # one body field per name, as FastAPI counts them
        return list(unique.values())

    def is_consumed(self, dependant: Dependant) -> bool:
        """A marker a contribution replaces (compared by identity: markers are instances)."""
        call = self.resolve(dependant).call
        return any(call is marker for marker in self.consumed)

    def add(self, declared: Dependant) -> int:
        if self.consumed and self.is_consumed(declared):  # a named marker: its value is None
            declared = get_dependant(path=declared.path, call=_marker_value, name=declared.name)
        dependant = self.resolve(declared)
        assert dependant.call is not None
        key = dependant.cache_key
        if dependant.use_cache and key in self.cache:
            return self.cache[key]
        mode = call_mode(dependant.call)
        own_scope = dependant.scope or "request"
        sub_results = [
            (sub.name, self.add(sub))
            for sub in dependant.dependencies
            if sub.name is not None or not self.is_consumed(sub)
        ]
        step = Step(
            call=dependant.call,
            mode=mode,
            name=dependant.name,
            sub_results=sub_results,
            injected=list(dependant.injected.items()),
            security_scopes=list(dependant.security_scopes),
            request_scope=own_scope != "function",
            limit=dependant.concurrency,
            declared=declared,
            replaced_by=self.overrides.get(declared.call) if declared.call is not None else None,
            overrides=self.overrides,
        )
        self.needs.update(dependant.injected.values())
        self._add_checks(step, dependant)
        self._add_body(step, dependant)
        self.steps.append(step)
        self.security.append(
            _is_security(dependant) or any(self.security[i] for _, i in sub_results)
        )
        index = len(self.steps) - 1
        self.cache[key] = index
        return index

    def describe(self, root: Dependant, route: Any) -> RouteInfo:
        """The :class:`RouteInfo` contributors are given for ``route`` (root: its endpoint)."""
        calls: list[Callable[..., Any]] = []
        security = False

        def walk(dep: Dependant) -> None:
            nonlocal security
            dep = self.resolve(dep)
            for sub in dep.dependencies:
                walk(sub)
            if dep is not root and dep.call is not None and dep.call not in calls:
                calls.append(dep.call)
                security = security or _is_security(dep)

        walk(root)
        methods = getattr(route, "methods", None)
        return RouteInfo(
            route=route,
            path=str(getattr(route, "path", "")),
            methods=frozenset(methods or ()),
            websocket=methods is None,
            calls=tuple(calls),
            has_security=security,
        )

    def add_battery_step(self, run: BatteryStep, at: int, security: Sequence[int]) -> None:
        """Insert a contributed step at index ``at``, given the results of ``security``."""
        step = Step(
            call=_BatteryCall(run),
            mode=CallMode.ASYNC,
            name=None,
            injected=[("connection", Injected.HTTP_CONNECTION), ("response", Injected.RESPONSE)],
            sub_results=[(f"r{n}", index) for n, index in enumerate(security)],
        )
        self.needs.update((Injected.HTTP_CONNECTION, Injected.RESPONSE))
        for later in self.steps[at:]:
            later.sub_results = [(n, i + 1 if i >= at else i) for n, i in later.sub_results]
        self.steps.insert(at, step)
        self.security.insert(at, False)

    def add_after_security(self, runs: Sequence[BatteryStep]) -> None:
        """Insert ``runs`` after the last security step (before the endpoint without one)."""
        endpoint = len(self.steps) - 1
        found = [i for i in range(endpoint) if self.security[i]]
        at = found[-1] + 1 if found else endpoint
        for offset, run in enumerate(runs):
            self.add_battery_step(run, at + offset, found)

    def _add_checks(self, step: Step, dependant: Dependant) -> None:
        owner = f"{self.owner}_{_name_of(dependant.call)}"
        groups = (
            (Source.PATH, dependant.path_params),
            (Source.QUERY, dependant.query_params),
            (Source.HEADER, dependant.header_params),
            (Source.COOKIE, dependant.cookie_params),
        )
        plain = [spec for _, specs in groups for spec in specs if not spec.model_group]
        if plain:
            step.checks.append(SourceCheck(None, ParamGroupValidator(plain, owner), None))
        for source, specs in groups:
            for spec in specs:
                if spec.model_group:
                    step.checks.append(SourceCheck(source, ModelGroupValidator(spec), spec.name))

    def _add_body(self, step: Step, dependant: Dependant) -> None:
        specs = dependant.body_params
        if not specs:
            return
        if self.body_mode is BodyMode.JSON_SINGLE:
            step.body = SingleBodyValidator(specs[0], f"{self.owner}_{_name_of(dependant.call)}")
            step.body_target = specs[0].name
        elif self.body_mode is BodyMode.JSON_EMBEDDED:
            step.body = EmbeddedBodyValidator(specs, f"{self.owner}_{_name_of(dependant.call)}")
        else:
            step.form = FormValidator(specs, f"{self.owner}_{_name_of(dependant.call)}")


class _BatteryCall:
    """A contributed step as the step loop calls it: keyword arguments in, one call out."""

    __slots__ = ("__name__", "run")

    def __init__(self, run: BatteryStep) -> None:
        self.run = run
        self.__name__ = str(getattr(run, "__name__", type(run).__name__))

    async def __call__(self, connection: Any, response: Any, **security: Any) -> None:
        await self.run(connection, response, tuple(security.values()))


async def _marker_value() -> None:
    """What a marker parameter (``_: None = Depends(Cache(...))``) receives once consumed."""
    return None


def _is_security(dependant: Dependant) -> bool:
    """A ``Security(...)`` dependency or a security scheme (``HTTPBearer()`` ...)."""
    from veloxapi.security.base import SecurityBase

    return dependant.is_security or isinstance(dependant.call, SecurityBase)


def _name_of(call: Any) -> str:
    return str(getattr(call, "__name__", type(call).__name__))
