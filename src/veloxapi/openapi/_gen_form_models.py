"""Pydantic models declared as form parameters, inside a ``Body_...`` object.

A form model (or a union of them) among other form fields is not a property
of the body object: its fields are form fields of their own, so the body
object is described as all of the models together (``allOf``). A model that
may be absent (``Profile | None = None``) is described as "either none of its
fields, or the model"; one that may be null but is required, as "some of its
fields, and the model".
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, BaseModel

from veloxapi import params
from veloxapi._engine.compile import typing_tools as tt
from veloxapi._engine.compile.analysis import ParamSpec
from veloxapi.openapi._gen_schemas import SchemaRegistry, chain, title_from_name, titled


def is_form_model(spec: ParamSpec) -> bool:
    """A form parameter whose type is a model or a union of models (maybe optional)."""
    if spec.is_file or not isinstance(spec.field_info, params.Form):
        return False
    members = tt.non_none_members(spec.type_)
    return bool(members) and all(tt.is_model_class(m) for m in members)


def is_nullable(spec: ParamSpec) -> bool:
    return len(tt.non_none_members(spec.type_)) < len(tt.union_members(spec.type_))


def form_model_entries(
    specs: list[ParamSpec], annotations: list[Any], registry: SchemaRegistry
) -> list[dict[str, Any]]:
    """The ``allOf`` entries describing ``specs`` (declared with ``annotations``)."""
    entries: list[dict[str, Any]] = []
    for spec, annotation in zip(specs, annotations, strict=True):
        title = titled(title_from_name(spec.alias))
        if not is_nullable(spec):
            entries.append(registry.request_field(annotation, spec.field_info, "validation", title))
            continue
        finish = chain(title, _without_null)
        present = registry.request_field(annotation, spec.field_info, "validation", finish)
        absent = _absent(tt.non_none_members(spec.type_))
        if spec.required:
            entries.extend([{"not": absent}, present])
        else:
            entries.append({"anyOf": [absent, present]})
    return entries


def _without_null(schema: dict[str, Any]) -> None:
    members = schema.get("anyOf")
    if isinstance(members, list):
        schema["anyOf"] = [m for m in members if m != {"type": "null"}]


def _absent(models: tuple[Any, ...]) -> dict[str, Any]:
    """A form carrying none of the models' fields."""
    if any(m.model_config.get("extra") in ("allow", "forbid") for m in models):
        return {"maxProperties": 0}
    names = sorted({name for model in models for name in _wire_names(model)})
    if not names:  # no declared field: every form carries none of them
        return {}
    return {"not": {"anyOf": [{"required": [name]} for name in names]}}


def _wire_names(model: type[BaseModel]) -> set[str]:
    names: set[str] = set()
    for name, info in model.model_fields.items():
        chosen = info.validation_alias
        if isinstance(chosen, str):
            names.add(chosen)
        elif isinstance(chosen, AliasChoices):
            names.update(c for c in chosen.choices if isinstance(c, str))
        else:
            names.add(info.alias or name)
    return names
