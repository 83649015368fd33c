"""Pydantic models declared as form parameters, inside a ``Body_...`` object.

A form model (or a union of them) among other form fields is not a property
of the body object: its fields are form fields of their own, so the body
object is described as all of the models together (``allOf``). A model that
may be absent (``Profile | None = None``) is described as "either none of its
fields, or the model"; one that may be null but is required, as "some of its
fields, and the model".

A model read under other names than its schema shows (a field also read by
its name, alias choices) is described inline, for that form only: its
properties under the first name a field is read by, and "one of these names"
for a required field read under several.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import AliasChoices, AliasPath, BaseModel
from pydantic.fields import FieldInfo

from veloxapi import params
from veloxapi._engine.compile import typing_tools as tt
from veloxapi._engine.compile.analysis import ParamSpec
from veloxapi.openapi._gen_schemas import (
    Finisher,
    SchemaRegistry,
    chain,
    title_from_name,
    titled,
)


def is_form_model(spec: ParamSpec) -> bool:
    """A form parameter whose type is a model or a union of models (maybe optional)."""
    if spec.is_file or not isinstance(spec.field_info, params.Form):
        return False
    if not spec.model_group:  # read as one JSON text
        return False
    members = tt.non_none_members(spec.type_)
    return bool(members) and all(tt.is_model_class(m) for m in members)


def is_nullable(spec: ParamSpec) -> bool:
    return len(tt.non_none_members(spec.type_)) < len(tt.union_members(spec.type_))


def form_model_entry(
    spec: ParamSpec, annotation: Any, registry: SchemaRegistry
) -> list[dict[str, Any]]:
    """The ``allOf`` entries describing ``spec`` (declared with ``annotation``)."""
    title = titled(title_from_name(spec.name))
    models = tt.non_none_members(spec.type_)
    if len(models) == 1:  # a union's members keep their own schemas
        title = chain(title, _read_names_finisher(models[0], registry))
    if not is_nullable(spec):
        return [registry.request_field(annotation, spec.field_info, "validation", title)]
    finish = chain(title, _without_null)
    present = registry.request_field(annotation, spec.field_info, "validation", finish)
    absent = _absent(models)
    if spec.required:
        return [{"not": absent}, present]
    return [{"anyOf": [absent, present]}]


def _without_null(schema: dict[str, Any]) -> None:
    members = schema.get("anyOf")
    if isinstance(members, list):
        schema["anyOf"] = [m for m in members if m != {"type": "null"}]


def _absent(models: tuple[Any, ...]) -> dict[str, Any]:
    """A form carrying none of the models' fields."""
    if any(m.model_config.get("extra") in ("allow", "forbid") for m in models):
        return {"maxProperties": 0}
    names = sorted(
        {
            name
            for model in models
            for key, info in model.model_fields.items()
            for name in read_names(model, key, info)
        }
    )
    if not names:  # no declared field: every form carries none of them
        return {}
    return {"not": {"anyOf": [{"required": [name]} for name in names]}}


def read_names(model: type[BaseModel], name: str, info: FieldInfo) -> list[str]:
    """The form keys a model field is read from, in order of preference.

    Its validation alias, or alias, or name; all of its alias choices (unless one
    reaches into nested data); and its own name too where the model validates by
    name — or only its name where the model doesn't validate by alias.
    """
    chosen = info.validation_alias
    first = _validation_name(name, info)
    if isinstance(chosen, AliasPath):
        return [first]
    names = [first]
    if isinstance(chosen, AliasChoices):
        if not all(isinstance(c, str) for c in chosen.choices):
            return names
        names = [str(c) for c in chosen.choices]
    config = _field_config(model, info)
    if config.get("validate_by_alias") is False:
        return [name]
    if config.get("validate_by_name", config.get("populate_by_name", False)) and (
        name not in names
    ):
        names.append(name)
    return names


def _validation_name(name: str, info: FieldInfo) -> str:
    """A field's validation alias if it is a name, else its alias or name."""
    chosen = info.validation_alias
    if isinstance(chosen, str) and chosen:
        return chosen
    return info.alias if info.alias is not None else name


def _schema_name(name: str, info: FieldInfo) -> str | AliasPath:
    """The name a field's validation schema shows it under."""
    chosen = info.validation_alias
    if isinstance(chosen, AliasChoices):
        first: str | AliasPath = chosen.choices[0]
        return first
    return _validation_name(name, info)


def _field_config(model: type[BaseModel], info: FieldInfo) -> dict[str, Any]:
    """The model's settings as they apply to one field: none for a nested model or dict."""
    annotation = info.annotation
    if (
        isinstance(annotation, type) and issubclass(annotation, BaseModel | dict)
    ) or dataclasses.is_dataclass(annotation):
        return {}
    return dict(model.model_config)


def _read_names_finisher(model: type[BaseModel], registry: SchemaRegistry) -> Finisher:
    """Inline the model's schema (or the non-null member's) wherever its names differ."""

    def finish(schema: dict[str, Any]) -> None:
        members = schema.get("anyOf")
        for target in [schema, *(members if isinstance(members, list) else [])]:
            resolved = registry.resolve(target) if isinstance(target, dict) else None
            renamed = None if resolved is None else _renamed(model, resolved)
            if renamed is not None:
                siblings = {k: v for k, v in target.items() if k != "$ref"}
                target.clear()
                target.update({**renamed, **siblings})

    return finish


def _renamed(model: type[BaseModel], schema: dict[str, Any]) -> dict[str, Any] | None:
    """``schema`` with properties under the names they are read by, or None if they are."""
    properties: dict[str, Any] = schema.get("properties", {})
    required: list[str] = schema.get("required", [])
    names_of: dict[str, list[str]] = {}
    for key, info in model.model_fields.items():
        shown = _schema_name(key, info)
        names = read_names(model, key, info)
        if (
            isinstance(shown, str)
            and shown in properties
            and (names[0] != shown or (len(names) > 1 and shown in required))
        ):
            names_of[shown] = names
    if not names_of:
        return None
    renamed = dict(schema)
    renamed["properties"] = {names_of.get(k, [k])[0]: v for k, v in properties.items()}
    renamed["required"] = []
    for key in required:
        names = names_of.get(key, [key])
        if len(names) == 1:
            renamed["required"].append(names[0])
        else:
            one_of_them = {"anyOf": [{"required": [n]} for n in names]}
            renamed["allOf"] = [*renamed.get("allOf", []), one_of_them]
    return renamed
