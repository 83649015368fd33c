"""Operation ``requestBody``: a single JSON body, an embedded object, or a form.

A single body parameter is described by its own schema. Several body
parameters, an embedded one, or form fields are described by a generated
object model named ``Body_<operation unique id>``, with one property per
parameter under its wire name. A Pydantic model declared as the whole form is
described by that model; form models among other form parameters are
described with them (``_gen_form_models``).
"""

from __future__ import annotations

from typing import Any

from pydantic.fields import FieldInfo
from pydantic_core import CoreSchema, PydanticUndefined, core_schema, to_jsonable_python

from veloxapi import params
from veloxapi._engine.compile.analysis import ParamSpec
from veloxapi._engine.compile.plan import BodyMode, _body_mode
from veloxapi.openapi._gen_flat import FlatDependant
from veloxapi.openapi._gen_form_models import form_model_entry, is_form_model, is_nullable
from veloxapi.openapi._gen_params import wire_name
from veloxapi.openapi._gen_schemas import SchemaRegistry, title_from_name, titled

_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
_JSON = "application/json"


def request_body(
    flat: FlatDependant, unique_id: str, registry: SchemaRegistry
) -> dict[str, Any] | None:
    """The ``requestBody`` object for the flat body parameters, or None without any."""
    if any(is_form_model(s) for s in flat.every_body):
        return _form_with_models(flat, unique_id, registry)
    specs = flat.body
    visible = [s for s in specs if s.include_in_schema]
    if not visible:
        return None
    mode = _body_mode(specs)
    if mode is BodyMode.JSON_SINGLE:
        return _single(specs[0], flat.schema_annotation(specs[0]), registry)
    if flat.body_object is None:  # one object per route, shared by its methods
        fields = [(s, s.required) for s in visible]
        flat.body_object = _body_object(f"Body_{unique_id}", fields, flat, registry)
    schema = registry.request(flat.body_object, "validation")
    return _body(_media_type(specs, mode), schema, any(s.required for s in specs))


def _body(media_type: str, schema: dict[str, Any], required: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"content": {media_type: {"schema": schema}}}
    if required:
        body["required"] = True
    return body


def _form_with_models(
    flat: FlatDependant, unique_id: str, registry: SchemaRegistry
) -> dict[str, Any] | None:
    """A form with models among its parameters, described from every body parameter.

    One form model (met once, or met again with the same type) is the whole
    form. Otherwise the ``Body_...`` object has a property per form field and,
    in ``allOf``, each model in turn, and each field sent under a name another
    field already took.
    """
    every = flat.every_body
    visible = [s for s in every if s.include_in_schema]
    if not visible:
        return None
    if not _embedded(every):
        return _single(every[0], flat.schema_annotation(every[0]), registry)
    fields: dict[str, tuple[ParamSpec, bool]] = {}
    for spec in visible:
        if not is_form_model(spec):
            wire = _wire(spec)
            first, required = fields.get(wire, (spec, False))
            fields[wire] = (first, required or spec.required)
    if flat.body_object is None:  # one object per route, shared by its methods
        declared = list(fields.values())
        flat.body_object = _body_object(f"Body_{unique_id}", declared, flat, registry)
    schema = registry.request(flat.body_object, "validation")
    _add_conditions(schema, _conditions(visible, fields, flat, registry), registry)
    return _body(_media_type(every, BodyMode.FORM), schema, any(s.required for s in every))


def _embedded(specs: list[ParamSpec]) -> bool:
    """Whether the form is an object of its parameters rather than one model."""
    first = specs[0]
    if len({s.name for s in specs}) > 1 or not is_form_model(first):
        return True
    if any(not is_form_model(s) or s.type_ is not first.type_ for s in specs[1:]):
        return True  # dependencies' parameters of one name but different models
    return any(is_nullable(s) for s in specs)  # absent fields, not a null body


def _conditions(
    specs: list[ParamSpec],
    fields: dict[str, tuple[ParamSpec, bool]],
    flat: FlatDependant,
    registry: SchemaRegistry,
) -> list[dict[str, Any]]:
    """The ``allOf`` entries: the models, and the fields met again under a taken name."""
    conditions: list[dict[str, Any]] = []
    for spec in specs:
        annotation = flat.schema_annotation(spec)
        if is_form_model(spec):
            conditions.extend(form_model_entry(spec, annotation, registry))
        elif fields[wire := _wire(spec)][0] is not spec:
            title = titled(title_from_name(spec.name))
            schema = registry.request_field(annotation, spec.field_info, "validation", title)
            conditions.append({"properties": {wire: schema}})
    return conditions


def _wire(spec: ParamSpec) -> str:
    return wire_name(spec.alias, spec.field_info, set())


def _single(spec: ParamSpec, annotation: Any, registry: SchemaRegistry) -> dict[str, Any]:
    info = spec.field_info
    title = titled(title_from_name(spec.alias))
    schema = registry.request_field(annotation, info, "validation", title)
    media: dict[str, Any] = {"schema": schema}
    openapi_examples = getattr(info, "openapi_examples", None)
    if openapi_examples:
        media["examples"] = openapi_examples
    example = getattr(info, "example", PydanticUndefined)
    if example is not PydanticUndefined:
        media["example"] = example
    media_type = getattr(info, "media_type", _JSON)
    body: dict[str, Any] = {"content": {media_type: media}}
    if spec.required:
        body["required"] = True
    return body


def _add_conditions(
    body_ref: dict[str, Any], conditions: list[dict[str, Any]], registry: SchemaRegistry
) -> None:
    """The body object is its own fields and all of ``conditions`` together."""

    def patch(components: dict[str, Any]) -> None:
        name = str(body_ref.get("$ref", "")).rsplit("/", 1)[-1]
        if name in components:
            component = components[name]
            component["allOf"] = conditions
            if not component.get("properties"):
                component.pop("properties", None)

    registry.patch_components(patch)


def _media_type(specs: list[ParamSpec], mode: BodyMode) -> str:
    if mode is BodyMode.FORM:
        form_types = {getattr(s.field_info, "media_type", _FORM) for s in specs}
        if any(s.is_file for s in specs) or _MULTIPART in form_types:
            return _MULTIPART
        return form_types.pop() if len(form_types) == 1 else _FORM
    declared = {s.field_info.media_type for s in specs if isinstance(s.field_info, params.Body)}
    return declared.pop() if len(declared) == 1 else _JSON


def _body_object(
    name: str,
    specs: list[tuple[ParamSpec, bool]],
    flat: FlatDependant,
    registry: SchemaRegistry,
) -> CoreSchema:
    """An object schema with one property per body parameter, named ``name``.

    Built as a typed dict over the parameters' own schemas rather than as a
    model class: same JSON Schema, a fraction of the cost.
    """
    fields: dict[str, core_schema.TypedDictField] = {}
    for spec, required in specs:
        annotation = flat.schema_annotation(spec)
        field_schema = registry.field_core_schema(annotation, spec.field_info)
        fields[_wire(spec)] = core_schema.typed_dict_field(
            field_schema, required=required, metadata=_field_metadata(spec.field_info)
        )
    owner = type(name, (), {"__module__": __name__})
    return core_schema.typed_dict_schema(fields, cls=owner, ref=f"{__name__}.{name}:{id(owner)}")


def _field_metadata(info: FieldInfo) -> dict[str, Any]:
    """The declaration's documentation, applied over the field's own schema.

    Types with a fixed JSON Schema of their own (``UploadFile``) would
    otherwise drop a parameter's description or examples.
    """
    updates: dict[str, Any] = {}
    if info.title is not None:
        updates["title"] = info.title
    if info.description is not None:
        updates["description"] = info.description
    if info.deprecated or info.deprecated == "":
        updates["deprecated"] = True
    if info.examples is not None:
        updates["examples"] = to_jsonable_python(info.examples)
    metadata: dict[str, Any] = {"pydantic_js_updates": updates} if updates else {}
    if isinstance(info.json_schema_extra, dict):
        metadata["pydantic_js_extra"] = info.json_schema_extra
    return metadata
