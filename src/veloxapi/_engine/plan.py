"""Compile a ``Dependant`` tree into a flat, ordered list of steps.

Each step is one call — a dependency or, last, the endpoint — with everything
needed to run it prepared: the validators of its own parameters (one per
source), where each keyword argument comes from, whether its result is shared
with an earlier identical dependency, and in which exit stack a ``yield``
dependency's cleanup runs. Dependency overrides are applied here, so the plan
is rebuilt when they change and the request path never looks them up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from veloxapi._engine.analysis import Dependant, Injected, ParamSpec, Source, get_dependant
from veloxapi._engine.calls import CallMode, call_mode
from veloxapi._engine.concurrency_limit import ConcurrencyLimit
from veloxapi._engine.validators import (
    EmbeddedBodyValidator,
    FormValidator,
    ModelGroupValidator,
    ParamGroupValidator,
    SingleBodyValidator,
)

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


@dataclass
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


@dataclass
class Plan:
    steps: list[Step]
    body_mode: BodyMode
    needs: frozenset[Injected]
    request_cleanup: bool  # something to close after the response: yield deps, form files
    function_cleanup: bool  # yield deps with scope="function"
    # runs the plan in the handlers' place when the app has telemetry (veloxapi.telemetry)
    observer: Any = None


def compile_plan(root: Dependant, overrides: Overrides | None, owner: str) -> Plan:
    """The plan of ``root``; its steps keep ``overrides`` (the live mapping, not a copy) so
    an override installed while a request runs can still be noticed (see ``run.call_step``)."""
    builder = _PlanBuilder({} if overrides is None else overrides, owner)
    flat_body = builder.flat_body_params(root)
    builder.body_mode = _body_mode(flat_body)
    builder.add(root)
    # the last step is the endpoint: a generator endpoint streams, it has no cleanup
    generators = [
        s for s in builder.steps[:-1] if s.mode in (CallMode.ASYNC_GEN, CallMode.SYNC_GEN)
    ]
    return Plan(
        builder.steps,
        builder.body_mode,
        frozenset(builder.needs),
        request_cleanup=builder.body_mode is BodyMode.FORM
        or any(s.request_scope for s in generators),
        function_cleanup=any(not s.request_scope for s in generators),
    )


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

    def add(self, declared: Dependant) -> int:
        dependant = self.resolve(declared)
        assert dependant.call is not None
        key = dependant.cache_key
        if dependant.use_cache and key in self.cache:
            return self.cache[key]
        mode = call_mode(dependant.call)
        own_scope = dependant.scope or "request"
        sub_results = [(sub.name, self.add(sub)) for sub in dependant.dependencies]
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
        index = len(self.steps) - 1
        self.cache[key] = index
        return index

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


def _name_of(call: Any) -> str:
    return str(getattr(call, "__name__", type(call).__name__))
