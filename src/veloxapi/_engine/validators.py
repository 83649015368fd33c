"""Validators built once per dependant and parameter source.

All query parameters of a dependant are validated by one generated Pydantic
model in one call, likewise its headers, cookies and path parameters; a
Pydantic model used as a group of parameters validates the same way. Errors
come back shaped as FastAPI shows them: ``loc`` starts with the source, and a
missing top-level value reports ``input: None``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, create_model
from pydantic.fields import AliasChoices, FieldInfo

from veloxapi._engine import typing_tools as tt
from veloxapi._engine.analysis import ParamSpec, Source

ErrorList = list[dict[str, Any]]
Getter = Callable[[str], Any]


def shape_errors(exc: ValidationError, prefix: tuple[Any, ...], top_missing_none: bool) -> ErrorList:
    """Pydantic errors as FastAPI reports them (no URLs; ``loc`` prefixed)."""
    shaped: ErrorList = []
    for err in exc.errors(include_url=False):
        loc = (*prefix, *err["loc"])
        item: dict[str, Any] = {"type": err["type"], "loc": loc, "msg": err["msg"]}
        item["input"] = (
            None if top_missing_none and err["type"] == "missing" and len(err["loc"]) == 1
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
    if isinstance(va, str):
        names: tuple[str, ...] = (va,)
    elif isinstance(va, AliasChoices):
        names = tuple(c for c in va.choices if isinstance(c, str))
    else:
        names = (spec.alias,)
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
    if validation_alias is None:
        validation_alias = alias
    elif spec.source is Source.HEADER and isinstance(validation_alias, str):
        validation_alias = validation_alias.lower()
    elif spec.source is Source.HEADER and isinstance(validation_alias, AliasChoices):
        validation_alias = AliasChoices(
            *(c.lower() if isinstance(c, str) else c for c in validation_alias.choices)
        )
    overrides["validation_alias"] = validation_alias
    return spec.annotation, FieldInfo.merge_field_infos(*spec.earlier_infos, info, **overrides)


class ParamGroupValidator:
    """Validates every plain (non-model) parameter of one source in one call."""

    def __init__(self, source: Source, specs: list[ParamSpec], owner: str) -> None:
        self.source = source
        self.specs = specs
        self.prefix = (source.value,)
        fields: dict[str, Any] = {}
        for spec in specs:
            alias = spec.alias.lower() if source is Source.HEADER else spec.alias
            fields[spec.name] = _field_for(spec, alias)
        self.model: type[BaseModel] = create_model(  # type: ignore[call-overload]
            f"{owner}_{source.value}",
            __config__=ConfigDict(arbitrary_types_allowed=True),
            **fields,
        )
        self._validate = self.model.__pydantic_validator__.validate_python
        self.lookups = [(spec, lookup_names(spec)) for spec in specs]

    def collect(self, get_one: Getter, get_list: Getter) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for spec, names in self.lookups:
            for name in names:
                value = get_list(name) if spec.is_sequence else get_one(name)
                if value is None or (spec.is_sequence and not value):
                    continue
                data[name] = value
                break
        return data

    def validate(self, data: dict[str, Any]) -> tuple[dict[str, Any], ErrorList]:
        try:
            instance = self._validate(data, from_attributes=True)
        except ValidationError as exc:
            return {}, shape_errors(exc, self.prefix, top_missing_none=True)
        return instance.__dict__, []


class ModelGroupValidator:
    """A Pydantic model whose fields are read as separate parameters of one source."""

    def __init__(self, spec: ParamSpec) -> None:
        self.spec = spec
        self.source = spec.source
        model = tt.non_none_members(spec.type_)[0]
        self.model: type[BaseModel] = model
        self.prefix = (spec.source.value,)
        convert = spec.source is Source.HEADER and getattr(
            spec.field_info, "convert_underscores", True
        )
        self.fields: list[tuple[str, str, bool]] = []  # (wire name, key given to the model, seq)
        for name, field in model.model_fields.items():
            key = field.alias or name
            wire = key.replace("_", "-") if convert and field.alias is None else key
            if spec.source is Source.HEADER:
                wire = wire.lower()
            self.fields.append((wire, key, tt.is_sequence_type(field.annotation)))
        self.adapter = TypeAdapter(spec.annotation)
        self.required = spec.required

    def collect(self, get_one: Getter, get_list: Getter, all_items: Any = None) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for wire, key, is_seq in self.fields:
            value = get_list(wire) if is_seq else get_one(wire)
            if value is None or (is_seq and not value):
                continue
            data[key] = value
        if all_items is not None:
            known = {wire for wire, _, _ in self.fields}
            for k, v in all_items:
                if k not in known and k not in data:
                    data[k] = v
        return data

    def validate(self, data: dict[str, Any]) -> tuple[Any, ErrorList]:
        if not data and not self.required:
            return self.spec.default, []
        try:
            return self.adapter.validate_python(data), []
        except ValidationError as exc:
            return None, shape_errors(exc, self.prefix, top_missing_none=False)


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
    """Form and file parameters of one dependant, read from url-encoded or multipart data."""

    def __init__(self, specs: list[ParamSpec], owner: str, single_model: bool) -> None:
        self.specs = specs
        self.single_model = single_model
        if single_model:
            self.group: ModelGroupValidator | EmbeddedBodyValidator = ModelGroupValidator(specs[0])
            self.group.prefix = ("body",)
            self.entries = [(wire, key, seq, False, False) for wire, key, seq in self.group.fields]
        else:
            self.group = EmbeddedBodyValidator(specs, owner)
            self.entries = [
                (name, name, spec.is_sequence, spec.is_file, _wants_bytes(spec))
                for spec in specs
                for name in lookup_names(spec)[:1]
            ]

    async def collect(self, form: Any) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for wire, key, is_seq, is_file, wants_bytes in self.entries:
            values = [v for v in form.getlist(wire) if v != ""] if is_seq else None
            if is_seq:
                if not values:
                    continue
                value: Any = values
            else:
                value = form.get(wire)
                if value is None or value == "":
                    continue
            if wants_bytes:
                value = await _read_uploads(value)
            data[key] = value
        return data

    def validate(self, data: dict[str, Any]) -> tuple[Any, ErrorList]:
        if self.single_model:
            assert isinstance(self.group, ModelGroupValidator)
            try:
                return self.group.adapter.validate_python(data), []
            except ValidationError as exc:
                return None, shape_errors(exc, ("body",), top_missing_none=False)
        return self.group.validate(data, present=True)


def _wants_bytes(spec: ParamSpec) -> bool:
    return tt.is_bytes_like(spec.type_) or tt.is_bytes_sequence(spec.type_)


async def _read_uploads(value: Any) -> Any:
    from starlette.datastructures import UploadFile

    if isinstance(value, list):
        return [await v.read() if isinstance(v, UploadFile) else v for v in value]
    if isinstance(value, UploadFile):
        return await value.read()
    return value
