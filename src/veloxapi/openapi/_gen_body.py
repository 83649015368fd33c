"""Operation ``requestBody``: a single JSON body, an embedded object, or a form.

A single body parameter is described by its own schema. Several body
parameters, an embedded one, or form fields are described by a generated
object model named ``Body_<operation unique id>``, with one property per
parameter under its wire name. A Pydantic model declared as the whole form is
described by that model.
"""

from __future__ import annotations

from typing import Any

from pydantic.fields import FieldInfo
from pydantic_core import CoreSchema, PydanticUndefined, core_schema, to_jsonable_python

from veloxapi import params
from veloxapi._engine.compile.analysis import ParamSpec
from veloxapi._engine.compile.plan import BodyMode, _body_mode
from veloxapi.openapi._gen_flat import FlatDependant
from veloxapi.openapi._gen_form_models import form_model_entries, is_form_model, is_nullable
from veloxapi.openapi._gen_params import wire_name
from veloxapi.openapi._gen_schemas import SchemaRegistry, title_from_name, titled

_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
_JSON = "application/json"


def request_body(
    flat: FlatDependant, unique_id: str, registry: SchemaRegistry
) -> dict[str, Any] | None:
    """The ``requestBody`` object for the flat body parameters, or None without any."""
    specs = flat.body
    visible = [s for s in specs if s.include_in_schema]
    if not visible:
        return None
    mode = _body_mode(specs)
    if mode is BodyMode.JSON_SINGLE or (mode is BodyMode.FORM and _single_model(specs)):
        return _single(specs[0], flat.schema_annotation(specs[0]), registry)
    media_type = _media_type(specs, mode)
    groups = [s for s in visible if is_form_model(s)]
    fields = [s for s in visible if s not in groups]
    if flat.body_object is None:  # one object per route, shared by its methods
        flat.body_object = _body_object(f"Body_{unique_id}", fields, flat, registry)
    schema = registry.request(flat.body_object, "validation")
    if groups:
        annotations = [flat.schema_annotation(g) for g in groups]
        _add_groups(schema, form_model_entries(groups, annotations, registry), registry)
    body: dict[str, Any] = {"content": {media_type: {"schema": schema}}}
    if any(s.required for s in specs):
        body["required"] = True
    return body


def _single_model(specs: list[ParamSpec]) -> bool:
    """One required form model, or union of models, stands for the whole form."""
    if len(specs) != 1:
        return False
    spec = specs[0]
    return is_form_model(spec) and spec.required and not is_nullable(spec)


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


def _add_groups(
    body_ref: dict[str, Any], entries: list[dict[str, Any]], registry: SchemaRegistry
) -> None:
    """Form models among the form fields: the body object is all of them together."""

    def patch(components: dict[str, Any]) -> None:
        name = str(body_ref.get("$ref", "")).rsplit("/", 1)[-1]
        if name in components:
            component = components[name]
            component["allOf"] = entries
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
    name: str, specs: list[ParamSpec], flat: FlatDependant, registry: SchemaRegistry
) -> CoreSchema:
    """An object schema with one property per body parameter, named ``name``.

    Built as a typed dict over the parameters' own schemas rather than as a
    model class: same JSON Schema, a fraction of the cost.
    """
    fields: dict[str, core_schema.TypedDictField] = {}
    for spec in specs:
        annotation = flat.schema_annotation(spec)
        field_schema = registry.field_core_schema(annotation, spec.field_info)
        wire = wire_name(spec.alias, spec.field_info, set())
        fields[wire] = core_schema.typed_dict_field(
            field_schema, required=spec.required, metadata=_field_metadata(spec.field_info)
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
