"""A route's dependency tree flattened the way the OpenAPI document lists it.

Parameters and body fields come in declaration order: a dependant's own
parameters first, then those of its dependencies, depth first. A dependency
that is cached (same call and scopes) counts once, and a body field met again
under the same name counts once. Form models are described from every body
parameter of the tree, repeats included (``every_body``): a model or a field
sent under a name already taken adds its own condition to the form. Security
schemes come in the order their dependencies are met, each with the scopes
accumulated down to it.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_core import CoreSchema

from veloxapi._engine.compile import typing_tools as tt
from veloxapi._engine.compile.analysis import Dependant, ParamSpec
from veloxapi.security.base import SecurityBase


@dataclass
class FlatDependant:
    path: list[ParamSpec] = field(default_factory=list)
    query: list[ParamSpec] = field(default_factory=list)
    header: list[ParamSpec] = field(default_factory=list)
    cookie: list[ParamSpec] = field(default_factory=list)
    body: list[ParamSpec] = field(default_factory=list)
    every_body: list[ParamSpec] = field(default_factory=list)
    """Every body parameter of every dependant, cached dependencies and repeats included."""
    security: list[tuple[SecurityBase, list[str]]] = field(default_factory=list)
    declared_by_default: set[int] = field(default_factory=set)
    """ids of the specs declared as ``name: T = Query(...)`` (not inside ``Annotated``)."""
    body_object: CoreSchema | None = None
    """The ``Body_...`` object schema, once built."""

    def params(self) -> list[ParamSpec]:
        """Path, query, header and cookie parameters, in that order."""
        return [*self.path, *self.query, *self.header, *self.cookie]

    def schema_annotation(self, spec: ParamSpec) -> Any:
        """The annotation a parameter's schema describes.

        A declaration given as the default value describes the bare type: the
        other ``Annotated`` metadata of the annotation is not part of it.
        """
        return spec.type_ if id(spec) in self.declared_by_default else spec.annotation


def flatten(root: Dependant) -> FlatDependant:
    flat = FlatDependant()
    _collect(root, flat, set())
    names: set[str] = set()
    unique_body = []
    for spec in flat.body:
        if spec.alias not in names:
            names.add(spec.alias)
            unique_body.append(spec)
    flat.body = unique_body
    _collect_every_body(root, flat)
    return flat


def _collect_every_body(dep: Dependant, flat: FlatDependant) -> None:
    if dep.body_params:
        flat.every_body.extend(dep.body_params)
        _note_defaults(dep, flat)
    for sub in dep.dependencies:
        _collect_every_body(sub, flat)


def _collect(dep: Dependant, flat: FlatDependant, seen: set[tuple[Any, ...]]) -> None:
    if isinstance(dep.call, SecurityBase):
        flat.security.append((dep.call, list(dep.security_scopes)))
    flat.path.extend(dep.path_params)
    flat.query.extend(dep.query_params)
    flat.header.extend(dep.header_params)
    flat.cookie.extend(dep.cookie_params)
    flat.body.extend(dep.body_params)
    _note_defaults(dep, flat)
    for sub in dep.dependencies:
        # each use under different scopes counts: the scopes go into the document
        key = (sub.call, tuple(sorted(set(sub.security_scopes))), sub.scope or "request")
        if key in seen:
            continue
        seen.add(key)
        _collect(sub, flat, seen)


def _note_defaults(dep: Dependant, flat: FlatDependant) -> None:
    specs = dep.all_params()
    if dep.call is None or not specs:
        return
    try:
        parameters = tt.typed_signature(dep.call).parameters
    except (TypeError, ValueError):
        return
    for spec in specs:
        parameter = parameters.get(spec.name)
        if (
            parameter is not None
            and isinstance(parameter.default, FieldInfo)
            and parameter.annotation is not inspect.Parameter.empty
        ):
            flat.declared_by_default.add(id(spec))
