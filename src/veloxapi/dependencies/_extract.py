"""FastAPI's one-source extraction helpers, ``request_params_to_args`` and
``request_body_to_args``, run by veloxapi's own validators.

A route validates its parameters through a compiled plan; these functions
answer the same question for a list of fields and a received mapping outside a
route, with the validators the plan uses (one for the plain fields of the
source, one per parameter model, one for a body or a form), so values and
errors are what a request would give. The received data is read in one pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.datastructures import FormData

from veloxapi import params
from veloxapi._compat import ModelField
from veloxapi._engine.compile.analysis import ParamSpec, Source
from veloxapi._engine.compile.validators import (
    EmbeddedBodyValidator,
    ErrorList,
    FormValidator,
    ModelGroupValidator,
    ParamGroupValidator,
    SingleBodyValidator,
)
from veloxapi.dependencies._views import spec_of

_PARAM_SOURCES: dict[params.ParamTypes, Source] = {
    params.ParamTypes.path: Source.PATH,
    params.ParamTypes.query: Source.QUERY,
    params.ParamTypes.header: Source.HEADER,
    params.ParamTypes.cookie: Source.COOKIE,
}
_OWNER = "extracted"


class _Inputs:
    """One source's values by wire name, shaped as the plain-parameter validator reads them."""

    def __init__(self, source: Source, values: dict[str, list[Any]]) -> None:
        empty: dict[str, list[Any]] = {}
        self.path_values = {k: v[0] for k, v in values.items()} if source is Source.PATH else {}
        self.query = values if source is Source.QUERY else empty
        self.query_last = {k: v[-1] for k, v in self.query.items()}
        self.headers = values if source is Source.HEADER else empty
        self.cookies = values if source is Source.COOKIE else empty

    def headers_named(self, names: frozenset[bytes]) -> dict[str, list[Any]]:
        return self.headers


def request_params_to_args(
    fields: Sequence[ModelField], received_params: Mapping[str, Any]
) -> tuple[dict[str, Any], ErrorList]:
    """The values of path, query, header or cookie ``fields`` read from
    ``received_params``, and the errors (``loc`` starting with the source), as a request
    would give them; a field that fails is left out of the values."""
    if not fields:
        return {}, []
    specs = [_param_spec(field) for field in fields]
    source = specs[0].source
    received = _by_name(received_params, lower=source is Source.HEADER)
    values: dict[str, Any] = {}
    errors: ErrorList = []
    plain = [spec for spec in specs if not spec.model_group]
    if plain:
        group = ParamGroupValidator(plain, _OWNER)
        found, plain_errors = group.validate(group.collect(_Inputs(source, received)))
        values.update(found)
        errors.extend(plain_errors)
    for spec in specs:
        if spec.model_group:
            instance, model_errors = ModelGroupValidator(spec).read(received)
            if model_errors:
                errors.extend(model_errors)
            else:
                values[spec.name] = instance
    return values, errors


async def request_body_to_args(
    body_fields: list[ModelField],
    received_body: dict[str, Any] | FormData | None,
    embed_body_fields: bool,
) -> tuple[dict[str, Any], ErrorList]:
    """The values of body or form ``body_fields`` read from a received JSON body or form,
    and the errors (``loc`` starting with ``"body"``), as a request would give them."""
    if not body_fields:
        return {}, []
    specs = [spec_of(field, Source.BODY) for field in body_fields]
    if any(isinstance(spec.field_info, params.Form) for spec in specs):
        form = received_body if isinstance(received_body, FormData) else FormData()
        values, errors = await FormValidator(specs, _OWNER).run(form)
        return ({} if errors else values), errors
    present = received_body is not None
    if len(specs) == 1 and not embed_body_fields:
        value, errors = SingleBodyValidator(specs[0], _OWNER).validate(received_body, present)
        return ({} if errors else {specs[0].name: value}), errors
    return EmbeddedBodyValidator(specs, _OWNER).validate(received_body, present)


def _param_spec(field: ModelField) -> ParamSpec:
    spec = field._spec
    if isinstance(spec, ParamSpec):
        return spec_of(field, spec.source)
    kind = getattr(field.field_info, "in_", params.ParamTypes.query)
    return spec_of(field, _PARAM_SOURCES[kind])


def _by_name(received: Mapping[str, Any], *, lower: bool) -> dict[str, list[Any]]:
    """Every value of ``received`` by key, repeated keys kept in order (headers by their
    lower-cased name)."""
    items: Any = received.multi_items() if hasattr(received, "multi_items") else received.items()
    found: dict[str, list[Any]] = {}
    for key, value in items:
        found.setdefault(key.lower() if lower else key, []).append(value)
    return found
