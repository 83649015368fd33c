"""FastAPI's ``fastapi.dependencies.utils``: analyse a callable, and solve it for a request.

Libraries built on FastAPI (fastapi-pagination, fastapi-jsonrpc,
fastapi-injectable, fastapi-cache2, ...) import these to inspect routes, insert
dependencies, and run dependency trees outside a route. Analysis is veloxapi's
own (``veloxapi._engine.compile.analysis``), shown as a ``Dependant`` view;
:func:`solve_dependencies` compiles that view into a plan, once per shape, and
runs it with the engine, as a route would.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any, ForwardRef, Literal

from veloxapi import params
from veloxapi._compat import ModelField, create_body_model, evaluate_forwardref, lenient_issubclass
from veloxapi._engine.compile import analysis
from veloxapi._engine.compile import typing_tools as tt
from veloxapi._engine.compile.validators import read_upload_bytes as _read_file_bytes
from veloxapi.dependencies._extract import request_body_to_args, request_params_to_args
from veloxapi.dependencies._solve import SolvedDependency, solve_dependencies
from veloxapi.dependencies._views import view_of
from veloxapi.dependencies.models import Dependant, _get_cache_key
from veloxapi.exceptions import FastAPIError

__all__ = [
    "SolvedDependency",
    "_get_body_field",
    "_get_flat_body_params",
    "_read_file_bytes",
    "_should_embed_body_fields",
    "ensure_multipart_is_installed",
    "get_dependant",
    "get_flat_dependant",
    "get_flat_params",
    "get_parameterless_sub_dependant",
    "get_path_param_names",
    "get_typed_annotation",
    "get_typed_return_annotation",
    "get_typed_signature",
    "lenient_issubclass",
    "multipart_incorrect_install_error",
    "multipart_not_installed_error",
    "request_body_to_args",
    "request_params_to_args",
    "solve_dependencies",
]

multipart_not_installed_error = (
    'Form data requires "python-multipart" to be installed.\n'
    'You can install "python-multipart" with:\n\n'
    "pip install python-multipart\n"
)
"""The error raised when a route reads form data and python-multipart is missing."""

multipart_incorrect_install_error = (
    'Form data requires "python-multipart" to be installed; the package "multipart" '
    "is installed in its place. Replace it:\n\n"
    "pip uninstall multipart\n"
    "pip install python-multipart\n"
)
"""The error raised when the unrelated ``multipart`` package stands in for python-multipart."""

_FORMS_EXTRA = 'or install veloxapi with its forms extra: pip install "veloxapi[forms]"'


def ensure_multipart_is_installed() -> None:
    """Raise ``RuntimeError`` unless python-multipart (not ``multipart``) can be imported."""
    try:
        from python_multipart import __version__

        if __version__ > "0.0.12":
            return
    except ImportError:
        pass
    try:
        from multipart import __version__ as other_version  # type: ignore[import-untyped]
    except ImportError:
        raise RuntimeError(multipart_not_installed_error + _FORMS_EXTRA) from None
    try:  # only python-multipart's "multipart" shim has this
        from multipart.multipart import parse_options_header  # type: ignore[import-untyped]
    except ImportError:
        raise RuntimeError(multipart_incorrect_install_error + _FORMS_EXTRA) from None
    if not (other_version and parse_options_header):
        raise RuntimeError(multipart_not_installed_error + _FORMS_EXTRA)


def get_path_param_names(path: str) -> set[str]:
    """The names in a path template's ``{braces}``."""
    return {name.split(":")[0] for name in re.findall(r"{([^}]+)}", path)}


def get_typed_annotation(annotation: Any, globalns: dict[str, Any]) -> Any:
    """A string annotation resolved in ``globalns`` (``"None"`` becomes ``None``)."""
    if isinstance(annotation, str):
        annotation = evaluate_forwardref(ForwardRef(annotation), globalns, globalns)
        if annotation is type(None):
            return None
    return annotation


def _signature(call: Callable[..., Any]) -> inspect.Signature:
    try:
        return inspect.signature(call, eval_str=True)
    except NameError:  # names only imported under TYPE_CHECKING stay strings
        return inspect.signature(call)


def get_typed_signature(call: Callable[..., Any]) -> inspect.Signature:
    """``call``'s signature with string annotations resolved in its module."""
    globalns = getattr(inspect.unwrap(call), "__globals__", {})
    return inspect.Signature(
        [
            param.replace(annotation=get_typed_annotation(param.annotation, globalns))
            for param in _signature(call).parameters.values()
        ]
    )


def get_typed_return_annotation(call: Callable[..., Any]) -> Any:
    """``call``'s return annotation, resolved; None when it has none."""
    annotation = _signature(call).return_annotation
    if annotation is inspect.Signature.empty:
        return None
    return get_typed_annotation(annotation, getattr(inspect.unwrap(call), "__globals__", {}))


def get_dependant(
    *,
    path: str,
    call: Callable[..., Any],
    name: str | None = None,
    own_oauth_scopes: list[str] | None = None,
    parent_oauth_scopes: list[str] | None = None,
    use_cache: bool = True,
    scope: Literal["function", "request"] | None = None,
    concurrency: Any = None,
) -> Dependant:
    """``call`` analysed (parameters, sub-dependencies) as a ``Dependant``."""
    own = list(own_oauth_scopes or [])
    node = analysis.get_dependant(
        path=path,
        call=call,
        name=name,
        security_scopes=[*(parent_oauth_scopes or []), *own],
        use_cache=use_cache,
        scope=scope,
        own_scopes=own,
        is_security=bool(own),
    )
    node.concurrency = concurrency
    return view_of(node)


def get_parameterless_sub_dependant(*, depends: params.Depends, path: str) -> Dependant:
    """The dependency a ``Depends(...)``/``Security(...)`` in ``dependencies=[...]`` adds."""
    if not callable(depends.dependency):
        raise FastAPIError(
            f"A parameter-less dependency needs a callable: {depends!r} has none. "
            "Pass one, e.g. Depends(verify_token)."
        )
    return view_of(analysis.dependant_for(depends, call=depends.dependency, path=path))


def _get_flat_body_params(dependant: Dependant) -> list[ModelField]:
    """Every body field of the tree: a dependant's own, then its dependencies', depth first."""
    found: list[ModelField] = []
    pending = [dependant]
    while pending:
        current = pending.pop()
        found.extend(current.body_params)
        pending.extend(reversed(current.dependencies))
    return found


def get_flat_dependant(dependant: Dependant, *, skip_repeats: bool = False) -> Dependant:
    """One ``Dependant`` holding the parameters of the whole tree (each dependency once
    with ``skip_repeats``)."""
    flat = Dependant(call=dependant.call, name=dependant.name, path=dependant.path)
    seen: set[Any] = set()
    pending = [dependant]
    while pending:
        current = pending.pop()
        key = _get_cache_key(dependant=current)
        if skip_repeats and key in seen:
            continue
        seen.add(key)
        for attr in ("path_params", "query_params", "header_params", "cookie_params"):
            getattr(flat, attr).extend(getattr(current, attr))
        flat.body_params.extend(current.body_params)
        pending.extend(reversed(current.dependencies))
    flat.dependencies = list(dependant.dependencies)
    return flat


def get_flat_params(dependant: Dependant) -> list[ModelField]:
    """The path, query, header and cookie fields of the tree, each dependency once."""
    flat = get_flat_dependant(dependant, skip_repeats=True)
    return flat.path_params + flat.query_params + flat.header_params + flat.cookie_params


def _should_embed_body_fields(fields: list[ModelField]) -> bool:
    """Whether the body is an object keyed by field name rather than the one field itself."""
    if not fields:
        return False
    if len({field.name for field in fields}) > 1:
        return True
    first = fields[0].field_info
    if getattr(first, "embed", None):
        return True
    return isinstance(first, params.Form) and not _is_model_type(first.annotation)


def _is_model_type(annotation: Any) -> bool:
    from pydantic import BaseModel

    members = tt.non_none_members(annotation) or [annotation]
    return all(lenient_issubclass(m, BaseModel) for m in members)


def _get_body_field(
    *, body_params: list[ModelField], name: str, embed_body_fields: bool
) -> ModelField | None:
    """One field describing the whole request body of a route (its schema, its kind)."""
    if not body_params:
        return None
    if not embed_body_fields:
        return body_params[0]
    model = create_body_model(fields=body_params, model_name=f"Body_{name}")
    infos = [field.field_info for field in body_params]
    kind: type[params.Body] = params.Body
    if any(isinstance(info, params.File) for info in infos):
        kind = params.File
    elif any(isinstance(info, params.Form) for info in infos):
        kind = params.Form
    options: dict[str, Any] = {"alias": "body"}
    if not any(info.is_required() for info in infos):
        options["default"] = None
    media_types = {info.media_type for info in infos if isinstance(info, kind)}
    if kind is not params.File and len(media_types) == 1:
        options["media_type"] = media_types.pop()
    info = kind(**options)
    info.annotation = model
    return ModelField(field_info=info, name="body")
