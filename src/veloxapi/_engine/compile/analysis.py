"""Signature analysis: turn an endpoint or dependency into a ``Dependant`` tree.

This runs once per route, at registration. Every question about a parameter —
where its value comes from, its wire name, its type and default, whether it is
a dependency — is answered here and stored, so that the request path only
follows the answers.
"""

from __future__ import annotations

import copy
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Annotated, Any, ForwardRef, cast, get_args, get_origin

import typing_extensions
from pydantic import Json
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from starlette.background import BackgroundTasks as StarletteBackgroundTasks
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from veloxapi import params
from veloxapi._engine.compile import typing_tools as tt
from veloxapi._engine.run.calls import CallMode, call_mode
from veloxapi._engine.run.concurrency_limit import ConcurrencyLimit
from veloxapi.exceptions import DependencyScopeError, FastAPIError, PydanticV1NotSupportedError


class Source(Enum):
    PATH = "path"
    QUERY = "query"
    HEADER = "header"
    COOKIE = "cookie"
    BODY = "body"


class Injected(Enum):
    """Framework objects handed to a parameter by type."""

    REQUEST = "request"
    WEBSOCKET = "websocket"
    HTTP_CONNECTION = "http_connection"
    RESPONSE = "response"
    BACKGROUND_TASKS = "background_tasks"
    SECURITY_SCOPES = "security_scopes"


@dataclass(eq=False)
class ParamSpec:
    """One parameter read from the request."""

    name: str  # the Python parameter name
    source: Source
    alias: str  # the name on the wire (header names lower-cased for lookup)
    annotation: Any  # the type to validate, with non-declaration Annotated metadata
    type_: Any  # the annotation without Annotated / Optional wrappers stripped of metadata
    field_info: FieldInfo  # the declaration (a params.* object or a plain FieldInfo)
    required: bool
    is_sequence: bool = False  # repeated keys (?q=1&q=2) collected into a list
    model_group: bool = False  # a Pydantic model whose fields are separate parameters
    is_file: bool = False  # an upload (File()), read from multipart data
    earlier_infos: list[FieldInfo] = field(default_factory=list)  # more constraints from Annotated

    @property
    def default(self) -> Any:
        return self.field_info.get_default(call_default_factory=True)

    @property
    def include_in_schema(self) -> bool:
        return bool(getattr(self.field_info, "include_in_schema", True))


@dataclass(eq=False)
class Dependant:
    """A callable with its parameters sorted by where their values come from."""

    call: Callable[..., Any] | None
    name: str | None = None  # the parameter this dependency fills in its parent
    path: str = ""
    path_params: list[ParamSpec] = field(default_factory=list)
    query_params: list[ParamSpec] = field(default_factory=list)
    header_params: list[ParamSpec] = field(default_factory=list)
    cookie_params: list[ParamSpec] = field(default_factory=list)
    body_params: list[ParamSpec] = field(default_factory=list)
    dependencies: list[Dependant] = field(default_factory=list)
    injected: dict[str, Injected] = field(default_factory=dict)
    own_scopes: list[str] = field(default_factory=list)  # scopes declared by this Security()
    security_scopes: list[str] = field(default_factory=list)  # accumulated from parents
    use_cache: bool = True
    scope: str | None = None  # "function" | "request" | None for yield dependencies
    is_security: bool = False  # declared with Security(...)
    concurrency: ConcurrencyLimit | None = None  # Depends(max_concurrency=...)

    @property
    def cache_key(self) -> tuple[Any, ...]:
        # Scopes tell calls apart where they were declared on this dependency or where
        # something below reads them (SecurityScopes); a dependency that merely sits under
        # a Security(...) is shared by everyone who asks for it in a request.
        distinct = bool(self.own_scopes) or self.reads_scopes()
        scopes = tuple(sorted(set(self.security_scopes))) if distinct else ()
        return (self.call, scopes, self.scope or "request")

    def reads_scopes(self) -> bool:
        """Whether this dependency, or one it depends on, receives ``SecurityScopes``."""
        return Injected.SECURITY_SCOPES in self.injected.values() or any(
            sub.reads_scopes() for sub in self.dependencies
        )

    def all_params(self) -> list[ParamSpec]:
        return [
            *self.path_params,
            *self.query_params,
            *self.header_params,
            *self.cookie_params,
            *self.body_params,
        ]


_INJECTED_TYPES: tuple[tuple[type, Injected], ...] = (
    (Request, Injected.REQUEST),
    (WebSocket, Injected.WEBSOCKET),
    (HTTPConnection, Injected.HTTP_CONNECTION),
    (Response, Injected.RESPONSE),
    (StarletteBackgroundTasks, Injected.BACKGROUND_TASKS),
)


def _injected_kind(tp: Any) -> Injected | None:
    from veloxapi.security.oauth2 import SecurityScopes

    if not isinstance(tp, type):
        return None
    if issubclass(tp, SecurityScopes):
        return Injected.SECURITY_SCOPES
    for cls, kind in _INJECTED_TYPES:
        if issubclass(tp, cls):
            return kind
    return None


_TYPE_ALIAS_TYPES: tuple[type, ...] = tuple(
    {t for t in (getattr(typing, "TypeAliasType", None), typing_extensions.TypeAliasType) if t}
)


@dataclass
class _Split:
    annotation: Any  # the type with its non-declaration metadata (FieldInfo markers removed)
    base: Any  # the type alone
    marker: Any  # the framework declaration found in Annotated (the last one), if any
    earlier: list[FieldInfo]  # FieldInfo markers before it, whose constraints also apply


def _split_annotation(annotation: Any) -> _Split:
    while isinstance(annotation, _TYPE_ALIAS_TYPES):
        annotation = cast(Any, annotation).__value__
    if get_origin(annotation) is not Annotated:
        return _Split(annotation, annotation, None, [])
    base, *metadata = get_args(annotation)
    declared = [m for m in metadata if isinstance(m, (params.Param, params.Body, params.Depends))]
    infos = [m for m in metadata if isinstance(m, FieldInfo)]
    marker = declared[-1] if declared else (infos[-1] if infos else None)
    others = [m for m in metadata if not isinstance(m, FieldInfo | params.Depends)]
    plain = Annotated[(base, *others)] if others else base
    earlier = [m for m in infos if m is not marker]
    return _Split(plain, base, marker, earlier)


def check_pydantic_v2(tp: Any) -> None:
    """Refuse a Pydantic v1 model in ``tp`` (itself, a list of it, or a member of a union)."""
    for member in (tp, *tt.sequence_item_types(tp), *tt.non_none_members(tp)):
        if not isinstance(member, type):
            continue
        if any(
            getattr(base, "__module__", "").startswith("pydantic.v1") for base in member.__mro__
        ):
            raise PydanticV1NotSupportedError(
                f"{member.__name__} is a Pydantic v1 model; veloxapi supports Pydantic v2 models "
                "only. Migrate it to `pydantic.BaseModel`."
            )


def get_dependant(
    *,
    path: str,
    call: Callable[..., Any],
    name: str | None = None,
    security_scopes: list[str] | None = None,
    use_cache: bool = True,
    scope: str | None = None,
    own_scopes: list[str] | None = None,
    is_security: bool = False,
    path_param_names: set[str] | None = None,
) -> Dependant:
    """Analyse ``call`` (an endpoint or a dependency) into a ``Dependant`` tree."""
    if path_param_names is None:
        path_param_names = _path_param_names(path)
    dependant = Dependant(
        call=call,
        name=name,
        path=path,
        use_cache=use_cache,
        scope=scope,
        own_scopes=list(own_scopes or []),
        security_scopes=list(security_scopes or []),
        is_security=is_security,
    )
    for param in tt.typed_signature(call).parameters.values():
        if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        _add_parameter(dependant, param, path_param_names)
    return dependant


def _path_param_names(path: str) -> set[str]:
    import re

    return {m.split(":")[0] for m in re.findall(r"{([^}]+)}", path)}


def _add_parameter(
    dependant: Dependant, param: inspect.Parameter, path_param_names: set[str]
) -> None:
    name = param.name
    annotation = Any if param.annotation is inspect.Parameter.empty else param.annotation
    if isinstance(annotation, str | ForwardRef):
        raise FastAPIError(
            f"The annotation {annotation!r} of parameter {name!r} can't be resolved: a name in it "
            "is not defined in its module. Define (or import) it at module level, or avoid "
            "`from __future__ import annotations` for types defined inside functions."
        )
    split = _split_annotation(annotation)
    base, marker = split.base, split.marker
    default = param.default
    if isinstance(default, params.Depends) and marker is not None:
        if isinstance(marker, params.Depends):
            raise AssertionError(
                f"Cannot specify `Depends` in `Annotated` and default value together for {name!r}"
            )
        raise AssertionError(
            "Cannot specify a FastAPI annotation in `Annotated` and `Depends` as a default "
            f"value together for {name!r}"
        )
    if isinstance(default, FieldInfo) and marker is not None:
        raise AssertionError(
            f"Cannot specify a FastAPI annotation in `Annotated` and a default value declared "
            f"with `{type(default).__name__}()` together for {name!r}"
        )
    if (
        isinstance(marker, params.Param | params.Body)
        and marker.default is not PydanticUndefined
        and default is inspect.Parameter.empty
    ):
        raise AssertionError(
            f"`{type(marker).__name__}` default value cannot be set in `Annotated` for "
            f"{name!r}. Set the default value with `=` instead."
        )
    declared = marker if marker is not None else default
    if isinstance(declared, params.Depends):
        dependant.dependencies.append(_sub_dependant(dependant, name, base, declared))
        return
    kind = _injected_kind(tt.strip_annotated(base))
    if kind is not None and not isinstance(declared, FieldInfo):
        dependant.injected[name] = kind
        return
    spec = _param_spec(name, split, declared, default, path_param_names)
    check_pydantic_v2(spec.type_)
    {
        Source.PATH: dependant.path_params,
        Source.QUERY: dependant.query_params,
        Source.HEADER: dependant.header_params,
        Source.COOKIE: dependant.cookie_params,
        Source.BODY: dependant.body_params,
    }[spec.source].append(spec)


def _sub_dependant(parent: Dependant, name: str, base: Any, depends: params.Depends) -> Dependant:
    call = depends.dependency if depends.dependency is not None else tt.strip_annotated(base)
    if not callable(call):
        raise FastAPIError(
            f"Depends() for parameter {name!r} has no callable: pass one, e.g. "
            f"Depends(get_db), or annotate the parameter with a class."
        )
    _check_scopes(parent, call, depends.scope)
    return dependant_for(
        depends, call=call, path=parent.path, name=name, parent_scopes=parent.security_scopes
    )


def dependant_for(
    depends: params.Depends,
    *,
    call: Callable[..., Any],
    path: str,
    name: str | None = None,
    parent_scopes: list[str] | None = None,
) -> Dependant:
    """The dependency a ``Depends()``/``Security()`` declaration stands for: its call
    analysed, with the declaration's caching, cleanup scope, OAuth2 scopes (added to
    those it inherits) and concurrency limit."""
    own = list(depends.scopes or []) if isinstance(depends, params.Security) else []
    dependant = get_dependant(
        path=path,
        call=call,
        name=name,
        security_scopes=[*(parent_scopes or []), *own],
        use_cache=depends.use_cache,
        scope=depends.scope,
        own_scopes=own,
        is_security=isinstance(depends, params.Security),
    )
    dependant.concurrency = getattr(depends, "_concurrency", None)
    return dependant


def _is_generator(call: Any) -> bool:
    return call is not None and call_mode(call) in (CallMode.ASYNC_GEN, CallMode.SYNC_GEN)


def _check_scopes(parent: Dependant, call: Any, scope: str | None) -> None:
    """A yield dependency cleaned up after the response can't use one cleaned up before it."""
    if scope != "function" or parent.name is None or (parent.scope or "request") != "request":
        return
    if _is_generator(parent.call) and _is_generator(call):
        name = getattr(parent.call, "__name__", repr(parent.call))
        raise DependencyScopeError(
            f'The dependency "{name}" has a scope of "request", it cannot depend on '
            'dependencies with scope "function". Give it scope="function" too, or give the '
            'inner dependency scope="request".'
        )


def _param_spec(
    name: str,
    split: _Split,
    declared: Any,
    default: Any,
    path_param_names: set[str],
) -> ParamSpec:
    type_ = tt.strip_annotated(split.base)
    has_default = default is not inspect.Parameter.empty and not isinstance(default, FieldInfo)
    info: FieldInfo
    if isinstance(declared, FieldInfo) and not isinstance(declared, params.Param | params.Body):
        # a plain ``Field()``: the source is inferred from the type, its settings still apply
        split.earlier = [*split.earlier, declared]
        info = _inferred_info(name, type_, path_param_names)
        _take_default(info, declared)
    elif isinstance(declared, FieldInfo):
        info = _copy_info(declared)
    else:
        info = _inferred_info(name, type_, path_param_names)
    if has_default:
        info.default = default
    if name in path_param_names:
        if isinstance(info, params.Param) and not isinstance(info, params.Path):
            raise AssertionError(
                f"Parameter {name!r} is in the path, so it cannot be declared with "
                f"`{type(info).__name__}()`; use `Path()` or no declaration."
            )
        if not isinstance(info, params.Path):
            info = _as_path(info)
        if not tt.is_scalar_type(type_):
            raise AssertionError(
                f"Path parameter {name!r} must be a simple type (str, int, float, UUID, ...), "
                f"got {type_!r}."
            )
        if has_default:
            info.default = PydanticUndefined
    source = _source_of(info)
    _inherit_names(info, split.earlier)
    spec = build_param_spec(name, split.annotation, type_, info, source)
    spec.earlier_infos = split.earlier
    return spec


def _inferred_info(name: str, type_: Any, path_param_names: set[str]) -> FieldInfo:
    """The declaration a parameter gets when none is written."""
    if name in path_param_names:
        return params.Path()
    if tt.is_upload_file_type(type_) or tt.is_upload_file_sequence_type(type_):
        return params.File()
    if tt.is_scalar_type(type_):
        return params.Query()
    return params.Body()


def _take_default(info: FieldInfo, plain: FieldInfo) -> None:
    if plain.default_factory is not None:
        info.default_factory = plain.default_factory
        info._attributes_set["default_factory"] = plain.default_factory
    elif plain.default is not PydanticUndefined:
        info.default = plain.default


_INHERITED = (
    "alias",
    "validation_alias",
    "serialization_alias",
    "title",
    "description",
    "discriminator",
    "examples",
    "deprecated",
)


def _inherit_names(info: FieldInfo, earlier: list[FieldInfo]) -> None:
    """Aliases and metadata given by other ``Field()`` markers in ``Annotated`` apply too.

    The declaration's own settings win, even when set to None; its
    ``json_schema_extra`` is merged over theirs (set to None, it drops theirs).
    """
    own_alias = "alias" in info._attributes_set  # set by the declaration, even to None
    for marker in reversed(earlier):
        for attr in _INHERITED:
            value = getattr(marker, attr)
            if attr == "validation_alias" and own_alias and value == marker.alias:
                continue  # the validation alias ``Field(alias=...)`` implies gives way to ours
            # an attribute the declaration set itself, even to None, is not inherited
            if attr not in info._attributes_set and value is not None:
                setattr(info, attr, value)
                info._attributes_set[attr] = value  # what merging field infos reads
    _merge_schema_extra(info, earlier)


def _merge_schema_extra(info: FieldInfo, earlier: list[FieldInfo]) -> None:
    key = "json_schema_extra"
    given = [m for m in (*earlier, info) if key in m._attributes_set]
    if not given or given == [info]:
        return
    merged: Any = None
    for marker in given:
        extra = marker._attributes_set[key]
        if isinstance(merged, dict) and isinstance(extra, dict):
            merged = {**merged, **extra}
        elif not (isinstance(merged, dict) and callable(extra)):  # Pydantic ignores these too
            merged = extra
    info.json_schema_extra = merged
    info._attributes_set[key] = merged


def _as_path(info: FieldInfo) -> params.Path:
    path = params.Path()
    for attr in ("title", "description", "alias", "examples", "json_schema_extra"):
        setattr(path, attr, getattr(info, attr))
    path.metadata = list(info.metadata)
    return path


def _copy_info(info: FieldInfo) -> FieldInfo:
    clone = copy.copy(info)
    clone.metadata = list(info.metadata)
    return clone


def _source_of(info: FieldInfo) -> Source:
    if isinstance(info, params.Param):
        return {
            params.ParamTypes.path: Source.PATH,
            params.ParamTypes.query: Source.QUERY,
            params.ParamTypes.header: Source.HEADER,
            params.ParamTypes.cookie: Source.COOKIE,
        }[info.in_]
    if isinstance(info, params.Body):
        return Source.BODY
    return Source.QUERY


def build_param_spec(
    name: str, full: Any, type_: Any, info: FieldInfo, source: Source
) -> ParamSpec:
    """A parameter read from ``source``: its wire name, shape and whether it is required."""
    alias = info.alias or name
    if (
        source is Source.HEADER
        and info.alias is None
        and getattr(info, "convert_underscores", True)
    ):
        alias = name.replace("_", "-")
    is_file = isinstance(info, params.File) or (
        isinstance(info, params.Form)
        and (tt.is_upload_file_type(type_) or tt.is_upload_file_sequence_type(type_))
    )
    members = tt.non_none_members(type_)
    from_json = _is_json(full)  # one JSON text: never a group of fields or repeated keys
    model_group = (
        source is not Source.PATH
        and not from_json
        and bool(members)
        and all(tt.is_model_class(m) for m in members)
        and isinstance(info, params.Param | params.Form)
    )
    is_sequence = tt.is_sequence_type(type_) and not from_json
    if source in (Source.QUERY, Source.HEADER, Source.COOKIE) and not model_group and not from_json:
        _check_query_type(name, source, type_)
    required = info.default is PydanticUndefined and info.default_factory is None
    return ParamSpec(
        name=name,
        source=source,
        alias=alias,
        annotation=full,
        type_=type_,
        field_info=info,
        required=required,
        is_sequence=is_sequence,
        model_group=model_group,
        is_file=is_file,
    )


def _is_json(annotation: Any) -> bool:
    """``Json[X]``: the value arrives as JSON text and is parsed into ``X``."""
    if get_origin(annotation) is not Annotated:
        return False
    return any(m is Json or type(m) is Json for m in get_args(annotation)[1:])


def _check_query_type(name: str, source: Source, type_: Any) -> None:
    if tt.is_scalar_type(type_) or tt.is_scalar_sequence_type(type_):
        return
    label = source.value.capitalize()
    raise AssertionError(
        f"{label} parameter {name!r} must be one of the supported types "
        f"(a scalar such as str/int/float/Enum, or a list/set/tuple of them); got {type_!r}."
    )


def route_dependency(depends: params.Depends, path: str) -> Dependant:
    """The sub-dependant of one ``dependencies=[Depends(...)]`` item of a route or router."""
    if not isinstance(depends, params.Depends):
        raise FastAPIError(
            f"dependencies=[...] takes Depends(...) or Security(...) items, got {depends!r}."
        )
    assert depends.dependency is not None, "A parameter-less dependency must have a callable"
    return dependant_for(depends, call=depends.dependency, path=path)
