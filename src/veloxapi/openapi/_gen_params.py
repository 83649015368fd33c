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

from typing import Any

from pydantic import AliasChoices, BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from veloxapi._engine.compile import typing_tools as tt
from veloxapi._engine.compile.analysis import ParamSpec, Source
from veloxapi.openapi._gen_flat import FlatDependant
from veloxapi.openapi._gen_schemas import SchemaRegistry, title_from_name, titled


def wire_name(alias: str, info: FieldInfo, path_names: set[str]) -> str:
    """The name a parameter is documented under: its validation alias if it has one.

    Of several alias choices, a path parameter takes the one in the path.
    """
    chosen = info.validation_alias
    if isinstance(chosen, str):
        return chosen
    if isinstance(chosen, AliasChoices):
        names = [c for c in chosen.choices if isinstance(c, str)]
        in_path = [n for n in names if n in path_names]
        if in_path or names:
            return (in_path or names)[0]
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
    schema = registry.request_field(annotation, info, "validation", titled(title))
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


def _group_parameters(spec: ParamSpec, registry: SchemaRegistry) -> list[dict[str, Any]]:
    model: type[BaseModel] = tt.non_none_members(spec.type_)[0]
    convert = spec.source is Source.HEADER and getattr(spec.field_info, "convert_underscores", True)
    found = []
    for name, info in model.model_fields.items():
        if not getattr(info, "include_in_schema", True):
            continue
        alias = info.alias or (name.replace("_", "-") if convert else name)
        wire = wire_name(alias, info, set())
        titled_as = wire if isinstance(info.validation_alias, str) else info.alias or name
        declared = (info.annotation, info, title_from_name(titled_as))
        required = spec.required and info.is_required()
        found.append(_parameter(wire, spec.source, required, declared, registry))
    return found


def _deduplicate(parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for parameter in parameters:
        by_key[(parameter["in"], parameter["name"])] = parameter
    for parameter in parameters:
        if parameter["required"]:
            by_key[(parameter["in"], parameter["name"])] = parameter
    return list(by_key.values())
