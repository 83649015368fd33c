"""JSON body validators: the whole body as one parameter, or an object keyed by parameter."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    create_model,
)

from veloxapi._engine.compile.analysis import ParamSpec
from veloxapi._engine.compile.validators.fields import (
    ErrorList,
    field_for,
    lookup_names,
    missing_error,
    shape_errors,
)


class SingleBodyValidator:
    """The whole request body is the value of one parameter.

    It validates as the only field of a generated model, so every declaration
    on the parameter applies exactly as it would on a model field.

    A body that is a plain Pydantic model (no declaration beyond ``Body()``, no strict
    or JSON-specific validation anywhere in it) may also be validated straight from
    the raw JSON bytes (:meth:`validate_raw`), skipping ``json.loads``; anything that
    fails there is done again the ordinary way, so errors stay FastAPI's.
    """

    def __init__(self, spec: ParamSpec, owner: str) -> None:
        self.spec = spec
        self.key = spec.name
        self.model: type[BaseModel] = create_model(  # type: ignore[call-overload]
            f"Body_{owner}",
            __config__=ConfigDict(arbitrary_types_allowed=True),
            **{spec.name: field_for(spec, wire=spec.name)},
        )
        self._validate = self.model.__pydantic_validator__.validate_python
        self.validate_raw = _raw_validator(spec)
        """``validate_json`` of the body's model, or ``None`` when it must not be used."""

    def validate(self, body: Any, present: bool) -> tuple[Any, ErrorList]:
        if not present and self.spec.required:
            return None, [missing_error(("body",))]
        try:  # an absent body takes the default (validated when the declaration asks)
            instance = self._validate({self.key: body} if present else {}, from_attributes=True)
        except ValidationError as exc:
            errors = shape_errors(exc, ("body",), top_missing_none=False)
            for err in errors:
                err["loc"] = (err["loc"][0], *err["loc"][2:])
            return None, errors
        return getattr(instance, self.spec.name), []


def _raw_validator(spec: ParamSpec) -> Callable[[bytes], Any] | None:
    """The model's JSON-mode validator when JSON mode and Python mode agree for it.

    They agree for a plain model: no declaration on the parameter (constraints, an
    alias, a discriminator), no strict validation and no JSON-or-Python schema
    (types that validate JSON input differently) anywhere in the model.
    """
    model = spec.annotation
    info = spec.field_info
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    if spec.earlier_infos or info.metadata or info.validation_alias or info.discriminator:
        return None
    if not model.__pydantic_complete__:
        return None
    schema = repr(model.__pydantic_core_schema__)
    if "'strict': True" in schema or "json-or-python" in schema:
        return None
    return model.__pydantic_validator__.validate_json


class EmbeddedBodyValidator:
    """Several body parameters (or ``embed=True``): the body is an object keyed by alias."""

    def __init__(self, specs: list[ParamSpec], owner: str) -> None:
        self.specs = specs
        fields = {spec.name: field_for(spec) for spec in specs}
        self.model: type[BaseModel] = create_model(  # type: ignore[call-overload]
            f"Body_{owner}",
            __config__=ConfigDict(arbitrary_types_allowed=True),
            **fields,
        )
        self._validate = self.model.__pydantic_validator__.validate_python
        self.not_an_object = [missing_error(("body", lookup_names(s)[0])) for s in specs]

    def validate(self, body: Any, present: bool) -> tuple[dict[str, Any], ErrorList]:
        if not present:
            body = {}
        elif not isinstance(body, Mapping):  # null, a list, a scalar: no field can be read
            return {}, [dict(err) for err in self.not_an_object]
        try:
            instance = self._validate(body, from_attributes=True)
        except ValidationError as exc:
            return {}, shape_errors(exc, ("body",), top_missing_none=True)
        return instance.__dict__, []
