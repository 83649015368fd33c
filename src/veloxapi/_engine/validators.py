"""Validators built once per dependant and parameter source.

All query parameters of a dependant are validated by one generated Pydantic
model in one call, likewise its headers, cookies and path parameters; a
Pydantic model used as a group of parameters validates the same way. Errors
come back shaped as FastAPI shows them: ``loc`` starts with the source, and a
missing top-level value reports ``input: None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Union

from pydantic import (
    AliasChoices,
    AliasPath,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    create_model,
)
from pydantic.fields import FieldInfo

from veloxapi._engine import typing_tools as tt
from veloxapi._engine.analysis import ParamSpec, Source

ErrorList = list[dict[str, Any]]


def shape_errors(
    exc: ValidationError, prefix: tuple[Any, ...], top_missing_none: bool
) -> ErrorList:
    """Pydantic errors as FastAPI reports them (no URLs; ``loc`` prefixed)."""
    shaped: ErrorList = []
    for err in exc.errors(include_url=False):
        loc = (*prefix, *err["loc"])
        item: dict[str, Any] = {"type": err["type"], "loc": loc, "msg": err["msg"]}
        item["input"] = (
            None
            if top_missing_none and err["type"] == "missing" and len(err["loc"]) == 1
            else err["input"]
        )
        if "ctx" in err:
            item["ctx"] = err["ctx"]
        shaped.append(item)
    return shaped


def missing_error(loc: tuple[Any, ...]) -> dict[str, Any]:
    return {"type": "missing", "loc": loc, "msg": "Field required", "input": None}


def lookup_names(spec: ParamSpec) -> tuple[str, ...]:
    """The wire names under which a parameter's value may arrive."""
    va = spec.field_info.validation_alias
    if spec.source is Source.PATH:
        return (spec.alias,)  # a path parameter is always the template's {name}
    choices = va.choices if isinstance(va, AliasChoices) else [va] if va is not None else []
    names = tuple(
        dict.fromkeys(
            c if isinstance(c, str) else str(c.path[0])
            for c in choices
            if isinstance(c, str) or (isinstance(c, AliasPath) and c.path)
        )
    ) or (spec.alias,)
    if spec.source is Source.HEADER:
        return tuple(n.lower() for n in names)
    return names


def _field_for(spec: ParamSpec, alias: str | None = None) -> tuple[Any, FieldInfo]:
    """The model field validating ``spec``: its declaration, wire alias and default."""
    info = spec.field_info
    alias = alias or spec.alias
    overrides: dict[str, Any] = {"alias": alias}
    if info.default_factory is not None:
        overrides["default_factory"] = info.default_factory
    else:
        overrides["default"] = info.default
    validation_alias = info.validation_alias
    if validation_alias is None or spec.source is Source.PATH:
        validation_alias = alias
    elif spec.source is Source.HEADER and isinstance(validation_alias, str):
        validation_alias = validation_alias.lower()
    elif spec.source is Source.HEADER and isinstance(validation_alias, AliasChoices):
        validation_alias = AliasChoices(
            *(c.lower() if isinstance(c, str) else c for c in validation_alias.choices)
        )
    overrides["validation_alias"] = validation_alias
    return spec.annotation, FieldInfo.merge_field_infos(*spec.earlier_infos, info, **overrides)


_KEY_SEPARATOR = "\x00"


def _keyed(source: Source, name: str) -> str:
    return f"{source.value}{_KEY_SEPARATOR}{name}"


class ParamGroupValidator:
    """Validates every plain (non-model) path, query, header and cookie parameter of a
    dependant in one call.

    Each value is keyed by its source and wire name, so names may repeat across
    sources; errors are reported back as ``(source, name, ...)``.
    PERF: benchmarks in-process path_query: one validator call instead of one per source.
    """

    def __init__(self, specs: list[ParamSpec], owner: str) -> None:
        self.specs = specs
        fields: dict[str, Any] = {}
        for spec in specs:
            alias = spec.alias.lower() if spec.source is Source.HEADER else spec.alias
            annotation, info = _field_for(spec, alias)
            fields[spec.name] = (annotation, _rekeyed(info, spec.source))
        self.model: type[BaseModel] = create_model(
            f"{owner}_params",
            __config__=ConfigDict(arbitrary_types_allowed=True),
            **fields,
        )
        self._validate = self.model.__pydantic_validator__.validate_python
        self.by_name = {spec.name: (spec.source.value, spec.alias) for spec in specs}
        self.lookups = [
            (
                spec.source,
                [(name, _keyed(spec.source, name)) for name in lookup_names(spec)],
                spec.is_sequence,
            )
            for spec in specs
        ]

    def collect(self, inputs: Any) -> dict[str, Any]:
        """The values present in the request (a repeated query key gives its last value,
        a repeated header its first)."""
        data: dict[str, Any] = {}
        for source, names, is_sequence in self.lookups:
            if source is Source.QUERY:
                mapping, pick = inputs.query, -1
            elif source is Source.PATH:
                mapping, pick = inputs.path_params, 0
            elif source is Source.HEADER:
                mapping, pick = inputs.headers, 0
            else:
                mapping, pick = inputs.cookies, 0
            for name, key in names:
                values = mapping.get(name)
                if values:
                    data[key] = values if is_sequence else values[pick]
                    break
        return data

    def validate(self, data: dict[str, Any]) -> tuple[dict[str, Any], ErrorList]:
        try:
            instance = self._validate(data, from_attributes=True)
        except ValidationError as exc:
            errors = shape_errors(exc, (), top_missing_none=True)
            for err in errors:
                first = str(err["loc"][0])
                if _KEY_SEPARATOR in first:
                    source, _, name = first.partition(_KEY_SEPARATOR)
                else:  # a default that failed validation is reported under the field's name
                    source, name = self.by_name.get(first, ("", first))
                err["loc"] = (source, name, *err["loc"][1:])
            return {}, errors
        return instance.__dict__, []


def _keyed_alias(source: Source, alias: Any) -> Any:
    if isinstance(alias, str):
        return _keyed(source, alias)
    if isinstance(alias, AliasPath) and alias.path and isinstance(alias.path[0], str):
        return AliasPath(_keyed(source, alias.path[0]), *alias.path[1:])
    return alias


def _rekeyed(info: FieldInfo, source: Source) -> FieldInfo:
    """``info`` with its aliases keyed by source (see ``ParamGroupValidator``)."""
    va = info.validation_alias
    if isinstance(va, AliasChoices):
        keyed: Any = AliasChoices(*(_keyed_alias(source, c) for c in va.choices))
    else:
        keyed = _keyed_alias(source, va)
    alias = _keyed(source, info.alias) if info.alias else None
    return FieldInfo.merge_field_infos(info, alias=alias, validation_alias=keyed)


class ModelGroupValidator:
    """A Pydantic model (or a union of models) whose fields are read as separate
    parameters of one source."""

    def __init__(self, spec: ParamSpec) -> None:
        self.spec = spec
        self.source = spec.source
        models: tuple[type[BaseModel], ...] = tt.non_none_members(spec.type_)
        self.prefix = (spec.source.value,)
        convert = spec.source is Source.HEADER and getattr(
            spec.field_info, "convert_underscores", True
        )
        self.fields: list[tuple[str, str, bool]] = []  # (wire name, key given to the model, seq)
        seen: set[str] = set()
        for model in models:
            for name, field in model.model_fields.items():
                key = field.alias or name
                wire = key.replace("_", "-") if convert and field.alias is None else key
                if spec.source is Source.HEADER:
                    wire = wire.lower()
                if wire not in seen:
                    seen.add(wire)
                    self.fields.append((wire, key, tt.is_sequence_type(field.annotation)))
        self.extra = next(
            (e for m in models if (e := m.model_config.get("extra")) in ("forbid", "allow")), None
        )
        self.adapter: TypeAdapter[Any] = TypeAdapter(_group_type(spec, models))
        self.required = spec.required

    def collect(self, source: Mapping[str, list[Any]], last: bool) -> dict[str, Any]:
        """The model's fields present in ``source`` (and, for models that keep or refuse
        unknown fields, every other key too)."""
        data: dict[str, Any] = {}
        pick = -1 if last else 0
        for wire, key, is_seq in self.fields:
            values = source.get(wire)
            if values:
                data[key] = values if is_seq else values[pick]
        if self.extra is not None:
            known = {wire for wire, _, _ in self.fields}
            for name, values in source.items():
                if name not in known and name not in data and values:
                    data[name] = values[pick]
        return data

    def validate(self, data: dict[str, Any]) -> tuple[Any, ErrorList]:
        if not data and not self.required:
            return self.spec.default, []
        try:
            return self.adapter.validate_python(data), []
        except ValidationError as exc:
            return None, shape_errors(exc, self.prefix, top_missing_none=False)


def _group_type(spec: ParamSpec, models: tuple[type[BaseModel], ...]) -> Any:
    """What a group's data validates as: the model, or the union (discriminated when asked)."""
    if len(models) == 1:
        return models[0]
    union: Any = Union[models]  # noqa: UP007 - built from a runtime tuple
    discriminator = spec.field_info.discriminator
    if discriminator is not None:
        union = Annotated[union, Field(discriminator=discriminator)]
    return union


class SingleBodyValidator:
    """The whole request body is the value of one parameter.

    It validates as the only field of a generated model, so every declaration
    on the parameter applies exactly as it would on a model field.
    """

    def __init__(self, spec: ParamSpec, owner: str) -> None:
        self.spec = spec
        self.key = spec.alias
        self.model: type[BaseModel] = create_model(  # type: ignore[call-overload]
            f"Body_{owner}",
            __config__=ConfigDict(arbitrary_types_allowed=True),
            **{spec.name: _field_for(spec)},
        )
        self._validate = self.model.__pydantic_validator__.validate_python

    def validate(self, body: Any, present: bool) -> tuple[Any, ErrorList]:
        if not present:
            if self.spec.required:
                return None, [missing_error(("body",))]
            return self.spec.default, []
        try:
            instance = self._validate({self.key: body}, from_attributes=True)
        except ValidationError as exc:
            errors = shape_errors(exc, ("body",), top_missing_none=False)
            for err in errors:
                err["loc"] = (err["loc"][0], *err["loc"][2:])
            return None, errors
        return getattr(instance, self.spec.name), []


class EmbeddedBodyValidator:
    """Several body parameters (or ``embed=True``): the body is an object keyed by alias."""

    def __init__(self, specs: list[ParamSpec], owner: str) -> None:
        self.specs = specs
        fields = {spec.name: _field_for(spec) for spec in specs}
        self.model: type[BaseModel] = create_model(  # type: ignore[call-overload]
            f"Body_{owner}",
            __config__=ConfigDict(arbitrary_types_allowed=True),
            **fields,
        )
        self._validate = self.model.__pydantic_validator__.validate_python

    def validate(self, body: Any, present: bool) -> tuple[dict[str, Any], ErrorList]:
        if not isinstance(body, Mapping):
            if not present or body is None:
                body = {}
            else:
                return {}, [
                    missing_error(("body", s.alias)) for s in self.specs if s.required
                ] or []
        try:
            instance = self._validate(dict(body), from_attributes=True)
        except ValidationError as exc:
            return {}, shape_errors(exc, ("body",), top_missing_none=True)
        return instance.__dict__, []


class FormValidator:
    """Form and file parameters of one dependant, read from url-encoded or multipart data.

    Plain fields validate together as one model; each Pydantic model declared
    with ``Form()`` reads its own fields straight from the form.
    """

    def __init__(self, specs: list[ParamSpec], owner: str) -> None:
        plain = [s for s in specs if not s.model_group]
        self.group = EmbeddedBodyValidator(plain, owner) if plain else None
        self.entries = [
            (lookup_names(spec)[0], spec.is_sequence, _wants_bytes(spec)) for spec in plain
        ]
        self.models: list[ModelGroupValidator] = []
        for spec in specs:
            if spec.model_group:
                validator = ModelGroupValidator(spec)
                validator.prefix = ("body",)
                self.models.append(validator)

    async def run(self, form: Any) -> tuple[dict[str, Any], ErrorList]:
        values: dict[str, Any] = {}
        errors: ErrorList = []
        if self.group is not None:
            data: dict[str, Any] = {}
            for wire, is_seq, wants_bytes in self.entries:
                value = _form_value(form, wire, is_seq)
                if value is not None:
                    data[wire] = await _read_uploads(value) if wants_bytes else value
            found, group_errors = self.group.validate(data, present=True)
            errors.extend(group_errors)
            values.update(found)
        for model in self.models:
            fields = {
                key: value
                for wire, key, is_seq in model.fields
                if (value := _form_value(form, wire, is_seq)) is not None
            }
            instance, model_errors = model.validate(fields)
            errors.extend(model_errors)
            values[model.spec.name] = instance
        return values, errors


def _form_value(form: Any, wire: str, is_seq: bool) -> Any:
    """A field's value, or None when absent (an empty text field counts as absent)."""
    if is_seq:
        items = [v for v in form.getlist(wire) if v != ""]
        return items or None
    value = form.get(wire)
    return None if value is None or value == "" else value


def _wants_bytes(spec: ParamSpec) -> bool:
    return tt.is_bytes_like(spec.type_) or tt.is_bytes_sequence(spec.type_)


async def _read_uploads(value: Any) -> Any:
    from starlette.datastructures import UploadFile

    if isinstance(value, list):
        return [await v.read() if isinstance(v, UploadFile) else v for v in value]
    if isinstance(value, UploadFile):
        return await value.read()
    return value
