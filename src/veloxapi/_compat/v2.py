"""FastAPI's ``ModelField`` and the Pydantic v2 helpers kept in ``fastapi._compat.v2``.

A ``ModelField`` is one declared parameter or body field as FastAPI's internals
pass it around: a name and the ``FieldInfo`` that carries its type, alias,
default and constraints. Here it is also what :mod:`veloxapi.dependencies`
hands out as the view of a parameter veloxapi's engine analysed.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model
from pydantic import PydanticSchemaGenerationError as PydanticSchemaGenerationError
from pydantic._internal import _typing_extra
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from pydantic_core import Url as Url
from pydantic_core.core_schema import (
    with_info_plain_validator_function as with_info_plain_validator_function,
)

from veloxapi._compat.shared import field_annotation_is_scalar, field_annotation_is_sequence
from veloxapi.types import IncEx

Undefined: Any = PydanticUndefined
"""The marker of "no value given" (Pydantic's ``PydanticUndefined``)."""

RequiredParam: Any = PydanticUndefined
"""The default of a required parameter."""

# FieldInfo attributes a type adapter is rebuilt from (the annotation and metadata aside)
_ATTRIBUTES = (
    "default",
    "default_factory",
    "alias",
    "alias_priority",
    "validation_alias",
    "serialization_alias",
    "title",
    "description",
    "examples",
    "discriminator",
    "deprecated",
    "json_schema_extra",
    "frozen",
    "validate_default",
)


def evaluate_forwardref(
    value: Any, globalns: dict[str, Any] | None = None, localns: dict[str, Any] | None = None
) -> Any:
    """``value`` (a ``ForwardRef`` or string) resolved in the namespaces, else unchanged."""
    return _typing_extra.try_eval_type(value, globalns, localns)[0]


@dataclass
class ModelField:
    """A named field: its ``FieldInfo`` holds the type (``annotation``) and everything declared."""

    field_info: FieldInfo
    name: str
    mode: Literal["validation", "serialization"] = "validation"
    config: ConfigDict | None = None
    # the engine's analysis of this parameter, when the field is a view of one
    _spec: Any = field(default=None, repr=False, compare=False)
    _adapter: TypeAdapter[Any] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def alias(self) -> str:
        alias = self.field_info.alias
        return alias if alias is not None else self.name

    @property
    def validation_alias(self) -> str | None:
        alias = self.field_info.validation_alias
        return alias if isinstance(alias, str) and alias else None

    @property
    def serialization_alias(self) -> str | None:
        return self.field_info.serialization_alias or None

    @property
    def required(self) -> bool:
        return self.field_info.is_required()

    @property
    def default(self) -> Any:
        return self.get_default()

    @property
    def type_(self) -> Any:
        return self.field_info.annotation

    def get_default(self) -> Any:
        if self.field_info.is_required():
            return Undefined
        return self.field_info.get_default(call_default_factory=True)

    @property
    def type_adapter(self) -> TypeAdapter[Any]:
        """The adapter validating and dumping this field's values (built once, on first use)."""
        if self._adapter is None:
            self._adapter = _adapter_for(self.field_info, self.config)
        return self._adapter

    def validate(
        self,
        value: Any,
        values: dict[str, Any] | None = None,
        *,
        loc: tuple[int | str, ...] = (),
    ) -> tuple[Any, list[dict[str, Any]]]:
        """``(validated value, [])`` or ``(None, errors)`` with ``loc`` before each error's."""
        try:
            return self.type_adapter.validate_python(value, from_attributes=True), []
        except ValidationError as exc:
            return None, [
                {**error, "loc": (*loc, *error["loc"])} for error in exc.errors(include_url=False)
            ]

    def serialize(
        self,
        value: Any,
        *,
        mode: Literal["json", "python"] = "json",
        include: IncEx | None = None,
        exclude: IncEx | None = None,
        by_alias: bool = True,
        exclude_unset: bool = False,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
    ) -> Any:
        """``value`` dumped as this field's type describes it."""
        return self.type_adapter.dump_python(
            value,
            mode=mode,
            include=include,
            exclude=exclude,
            by_alias=by_alias,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
        )

    def __deepcopy__(self, memo: dict[int, Any]) -> ModelField:
        """A copy with its own ``FieldInfo``; the engine's analysis it views is shared."""
        clone = ModelField(
            field_info=copy.deepcopy(self.field_info, memo),
            name=self.name,
            mode=self.mode,
            config=self.config,
            _spec=self._spec,
        )
        memo[id(self)] = clone
        return clone

    def __hash__(self) -> int:
        # one field per identity, as FastAPI hashes them (they key schema maps)
        return id(self)


def _adapter_for(info: FieldInfo, config: ConfigDict | None) -> TypeAdapter[Any]:
    attributes = {a: getattr(info, a) for a in _ATTRIBUTES if a in info._attributes_set}
    attributes.setdefault("default", info.default)
    with warnings.catch_warnings():
        # field-only settings such as an alias mean nothing to a bare type adapter
        warnings.simplefilter("ignore")
        annotated = cast(Any, Annotated)[(info.annotation, *info.metadata, Field(**attributes))]
        return TypeAdapter(annotated, config=config)


def is_scalar_field(field: ModelField) -> bool:
    """A field whose value is one scalar (not a model, sequence, mapping or upload)."""
    from veloxapi import params

    return field_annotation_is_scalar(field.field_info.annotation) and not isinstance(
        field.field_info, params.Body
    )


def copy_field_info(*, field_info: FieldInfo, annotation: Any) -> FieldInfo:
    """A copy of ``field_info`` declaring ``annotation`` as its type."""
    clone = copy.copy(field_info)
    clone.annotation = annotation
    clone.metadata = list(field_info.metadata)
    return clone


def serialize_sequence_value(*, field: ModelField, value: Any) -> Sequence[Any]:
    """``value`` as the container type the field declares (list, set, tuple, ...)."""
    annotation = field.field_info.annotation
    from typing import get_args, get_origin

    from veloxapi._compat.shared import sequence_types

    for candidate in (annotation, *get_args(annotation)):
        origin = get_origin(candidate) or candidate
        if isinstance(origin, type) and field_annotation_is_sequence(candidate):
            for kind in (list, tuple, set, frozenset):
                if issubclass(origin, kind):
                    return cast(Sequence[Any], kind(value))
            if issubclass(origin, sequence_types):
                return list(value)
    return list(value)


def get_missing_field_error(loc: tuple[int | str, ...]) -> dict[str, Any]:
    """The error FastAPI reports for a required value that was not sent."""
    return {"type": "missing", "loc": loc, "msg": "Field required", "input": None}


def create_body_model(*, fields: Sequence[ModelField], model_name: str) -> type[BaseModel]:
    """A model with one field per ``ModelField`` (how embedded bodies are described)."""
    definitions: dict[str, Any] = {f.name: (f.field_info.annotation, f.field_info) for f in fields}
    return create_model(model_name, **definitions)


def get_model_fields(model: type[BaseModel]) -> list[ModelField]:
    """The fields of ``model`` as ``ModelField`` objects, each with its type on its FieldInfo."""
    fields: list[ModelField] = []
    for name, info in model.model_fields.items():
        clone = copy_field_info(field_info=info, annotation=info.annotation)
        fields.append(ModelField(field_info=clone, name=name, config=model.model_config))
    return fields


@lru_cache
def get_cached_model_fields(model: type[BaseModel]) -> list[ModelField]:
    """``get_model_fields(model)``, computed once per model."""
    return get_model_fields(model)
