"""Operation ``parameters``: path, query, header and cookie parameters.

A parameter's schema is the JSON Schema of its type with its declaration
(constraints, default, description, ``examples``) applied, titled from its
wire name unless it is a bare reference. A Pydantic model declared as a group
of parameters contributes one parameter per field. The same parameter met
twice (by location and name) is listed once, where it first appeared, with
the last declaration winning and a required declaration winning over an
optional one.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import AliasChoices, AliasPath, BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from veloxapi import params
from veloxapi._engine.compile import typing_tools as tt
from veloxapi._engine.compile.analysis import ParamSpec, Source
from veloxapi.openapi._gen_flat import FlatDependant
from veloxapi.openapi._gen_schemas import Finisher, SchemaRegistry, title_from_name


def wire_name(alias: str, info: FieldInfo, path_names: set[str]) -> str:
    """The name a parameter is documented under: its validation alias if it has one.

    Of several alias choices, the first one is documented, except for a path
    parameter: the one in the path, else its alias or name.
    """
    chosen = info.validation_alias
    if isinstance(chosen, str) and chosen:
        return chosen
    if isinstance(chosen, AliasChoices) and all(isinstance(c, str) for c in chosen.choices):
        names = [str(c) for c in chosen.choices]
        if in_path := [n for n in names if n in path_names]:
            return in_path[0]
        if not isinstance(info, params.Path):
            return names[0]
    return alias


def operation_parameters(
    flat: FlatDependant, path_names: set[str], registry: SchemaRegistry
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for spec in flat.params():
        if not spec.include_in_schema:
            continue
        if spec.model_group:
            found.extend(_group_parameters(spec, registry))
            continue
        name = wire_name(spec.alias, spec.field_info, path_names)
        declared = (flat.schema_annotation(spec), spec.field_info, title_from_name(name))
        found.append(_parameter(name, spec.source, spec.required, declared, registry))
    return _deduplicate(found)


def _parameter(
    name: str,
    source: Source,
    required: bool,
    declared: tuple[Any, FieldInfo, str],
    registry: SchemaRegistry,
) -> dict[str, Any]:
    annotation, info, title = declared
    schema = registry.request_field(annotation, info, "validation", _titled(info, title))
    parameter: dict[str, Any] = {
        "name": name,
        "in": source.value,
        "required": True if source is Source.PATH else required,
        "schema": schema,
    }
    if info.description:
        parameter["description"] = info.description
    openapi_examples = getattr(info, "openapi_examples", None)
    if openapi_examples:
        parameter["examples"] = openapi_examples
    example = getattr(info, "example", PydanticUndefined)
    if example is not PydanticUndefined:
        parameter["example"] = example
    if info.deprecated:
        parameter["deprecated"] = True
    return parameter


def _titled(info: FieldInfo, title: str) -> Finisher:
    """A parameter's schema is titled by its declaration, else from the name it is read by."""

    def finish(schema: dict[str, Any]) -> None:
        if "$ref" not in schema:
            schema["title"] = info.title or title

    return finish


def _group_parameters(spec: ParamSpec, registry: SchemaRegistry) -> list[dict[str, Any]]:
    model: type[BaseModel] = tt.non_none_members(spec.type_)[0]
    convert = spec.source is Source.HEADER and getattr(spec.field_info, "convert_underscores", True)
    optional = len(tt.union_members(spec.type_)) > 1 and not spec.required
    found = []
    for name, info in model.model_fields.items():
        if not getattr(info, "include_in_schema", True):
            continue
        titled_as, wire = _group_field_names(model, name, info, convert)
        declared = (info.annotation, info, title_from_name(titled_as))
        required = info.is_required() and not optional
        found.append(_parameter(wire, spec.source, required, declared, registry))
    return found


def _group_field_names(
    model: type[BaseModel], name: str, info: FieldInfo, convert: bool
) -> tuple[str, str]:
    """(the name a model field is read by, the name it is documented under).

    Its validation alias, alias or name (a header's own name with dashes), the
    first of its alias choices, or its name where the model doesn't validate by
    alias.
    """
    chosen = info.validation_alias
    alias = chosen if isinstance(chosen, str) and chosen else info.alias or name
    wire = alias.replace("_", "-") if convert and alias == name else alias
    if isinstance(chosen, AliasChoices):
        if not all(isinstance(c, str) for c in chosen.choices):
            return alias, wire
        alias = wire = str(chosen.choices[0])
    elif isinstance(chosen, AliasPath):
        return alias, wire
    if _reads_names_only(model, info):
        return name, name.replace("_", "-") if convert else name
    return alias, wire


def _reads_names_only(model: type[BaseModel], info: FieldInfo) -> bool:
    """A model with ``validate_by_alias=False`` (which a nested model's field ignores)."""
    annotation = info.annotation
    nested = (
        isinstance(annotation, type) and issubclass(annotation, BaseModel | dict)
    ) or dataclasses.is_dataclass(annotation)
    return not nested and model.model_config.get("validate_by_alias") is False


def _deduplicate(parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for parameter in parameters:
        by_key[(parameter["in"], parameter["name"])] = parameter
    for parameter in parameters:
        if parameter["required"]:
            by_key[(parameter["in"], parameter["name"])] = parameter
    return list(by_key.values())
