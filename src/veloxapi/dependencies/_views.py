"""The two directions between veloxapi's analysed tree and FastAPI's ``Dependant``.

``view_of`` shows an engine node as a FastAPI-shaped ``Dependant`` whose
``ModelField`` objects point back at the parameters the engine analysed.
``analysed_of`` turns a view — possibly edited by a library: fields moved
between sources, dependencies inserted — back into an engine tree the plan
compiler accepts, reusing every analysed parameter that is still where it was.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from veloxapi._compat import ModelField
from veloxapi._engine.compile import analysis
from veloxapi._engine.compile import typing_tools as tt
from veloxapi._engine.compile.analysis import Injected, ParamSpec, Source
from veloxapi.dependencies.models import Dependant, _get_oauth_scopes, _unwrapped_call
from veloxapi.security.base import SecurityBase

_LISTS: tuple[tuple[str, Source], ...] = (
    ("path_params", Source.PATH),
    ("query_params", Source.QUERY),
    ("header_params", Source.HEADER),
    ("cookie_params", Source.COOKIE),
    ("body_params", Source.BODY),
)

_INJECTED_NAMES: tuple[tuple[Injected, str], ...] = (
    (Injected.REQUEST, "request_param_name"),
    (Injected.WEBSOCKET, "websocket_param_name"),
    (Injected.HTTP_CONNECTION, "http_connection_param_name"),
    (Injected.RESPONSE, "response_param_name"),
    (Injected.BACKGROUND_TASKS, "background_tasks_param_name"),
    (Injected.SECURITY_SCOPES, "security_scopes_param_name"),
)


def field_of(spec: ParamSpec) -> ModelField:
    """A parameter as a ``ModelField``: its declaration with its type and wire name set."""
    info = copy.copy(spec.field_info)
    info.metadata = [m for earlier in spec.earlier_infos for m in earlier.metadata] + list(
        spec.field_info.metadata
    )
    info.annotation = spec.annotation
    if info.alias is None and spec.alias != spec.name:
        info.alias = spec.alias  # a header's hyphenated name, as FastAPI records it
    return ModelField(field_info=info, name=spec.name, _spec=spec)


def view_of(node: analysis.Dependant) -> Dependant:
    """The FastAPI-shaped view of an analysed endpoint or dependency, sub-dependencies too."""
    own = list(node.own_scopes)
    parent = node.security_scopes[: len(node.security_scopes) - len(own)]
    view = Dependant(
        dependencies=[view_of(sub) for sub in node.dependencies],
        name=node.name,
        call=node.call,
        own_oauth_scopes=own,
        parent_oauth_scopes=list(parent),
        use_cache=node.use_cache,
        path=node.path,
        scope=node.scope,  # type: ignore[arg-type]
        concurrency=node.concurrency,
        _analysed=node,
    )
    for attr, _source in _LISTS:
        setattr(view, attr, [field_of(spec) for spec in getattr(node, attr)])
    for name, kind in node.injected.items():
        setattr(view, _injected_attr(kind), name)
    return view


def _injected_attr(kind: Injected) -> str:
    return next(attr for k, attr in _INJECTED_NAMES if k is kind)


def analysed_of(view: Dependant) -> analysis.Dependant:
    """The engine tree ``view`` stands for now: what the plan compiler runs."""
    if view.call is None:
        raise ValueError("A Dependant without a callable can't be solved: give it call=...")
    own = list(view.own_oauth_scopes or [])
    node = analysis.Dependant(
        call=view.call,
        name=view.name,
        path=view.path or "",
        use_cache=view.use_cache,
        scope=view.scope,
        own_scopes=own,
        security_scopes=_get_oauth_scopes(dependant=view),
        is_security=_is_security(view, own),
        concurrency=view.concurrency,
    )
    for attr, source in _LISTS:
        setattr(node, attr, [spec_of(field, source) for field in getattr(view, attr)])
    for kind, attr in _INJECTED_NAMES:
        name = getattr(view, attr)
        if name is not None:
            node.injected[name] = kind
    node.dependencies = [analysed_of(sub) for sub in view.dependencies]
    return node


def _is_security(view: Dependant, own: list[str]) -> bool:
    analysed = view._analysed
    if analysed is not None and analysed.call is view.call:
        return bool(analysed.is_security)
    return bool(own) or isinstance(_unwrapped_call(view.call), SecurityBase)


def spec_of(field: ModelField, source: Source) -> ParamSpec:
    """The analysed parameter a field stands for, read from ``source``."""
    spec = field._spec
    if isinstance(spec, ParamSpec):
        if spec.source is source and spec.name == field.name:
            return spec
        moved = analysis.build_param_spec(
            field.name, spec.annotation, spec.type_, spec.field_info, source
        )
        return dataclasses.replace(moved, earlier_infos=list(spec.earlier_infos))
    info = field.field_info
    return analysis.build_param_spec(
        field.name, info.annotation, tt.strip_annotated(info.annotation), info, source
    )


def fingerprint(view: Dependant) -> tuple[Any, ...]:
    """What the compiled plan of ``view`` depends on: changes whenever a library edits it."""
    return (
        id(view),
        view.call,
        view.name,
        view.use_cache,
        view.scope,
        tuple(view.own_oauth_scopes or ()),
        tuple(view.parent_oauth_scopes or ()),
        tuple(id(f) for attr, _ in _LISTS for f in (*getattr(view, attr), None)),
        tuple(getattr(view, attr) for _, attr in _INJECTED_NAMES),
        tuple(fingerprint(sub) for sub in view.dependencies),
    )
