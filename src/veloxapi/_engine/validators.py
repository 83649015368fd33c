"""Validators built once per dependant and parameter source.

All query parameters of a dependant are validated by one generated Pydantic
model in one call, likewise its headers, cookies and path parameters; a
Pydantic model used as a group of parameters validates the same way. Errors
come back shaped as FastAPI shows them: ``loc`` starts with the source, and a
missing top-level value reports ``input: None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
    create_model,
)
from pydantic.fields import FieldInfo
from starlette.datastructures import FormData, UploadFile

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


def wire_alias(info: FieldInfo) -> str | AliasChoices | None:
    """The validation alias that names request keys: a name or a choice of names.

    A validation alias that reaches into nested data (``AliasPath``) does not
    name a request key, so such a parameter is read by its alias or name.
    """
    va = info.validation_alias
    if isinstance(va, str):
        return va
    if isinstance(va, AliasChoices) and all(isinstance(c, str) for c in va.choices):
        return va
    return None


def lookup_names(spec: ParamSpec) -> tuple[str, ...]:
    """The wire names under which a parameter's value may arrive, in order of preference
    (lower-cased for headers, which are matched without regard to case)."""
    names = declared_names(spec)
    if spec.source is Source.HEADER:
        return tuple(n.lower() for n in names)
    return names


def declared_names(spec: ParamSpec) -> tuple[str, ...]:
    """The parameter's wire names as declared: what errors name the value by."""
    va = wire_alias(spec.field_info)
    if va is None:
        names: tuple[str, ...] = (spec.alias,)
    elif isinstance(va, str):
        names = (va,)
    else:
        names = tuple(dict.fromkeys(str(c) for c in va.choices))
    if spec.source is Source.PATH and spec.alias not in names:
        names = (*names, spec.alias)  # a route whose template uses none of the choices
    return names


def _field_for(spec: ParamSpec, wire: str | None = None) -> tuple[Any, FieldInfo]:
    """The model field validating ``spec``: its declaration, wire names and default.

    With ``wire``, the field reads that one key (a whole body held under its name).
    """
    info = spec.field_info
    overrides: dict[str, Any] = {}
    if info.default_factory is not None:
        overrides["default_factory"] = info.default_factory
    else:
        overrides["default"] = info.default
    if wire is not None:
        overrides["alias"] = overrides["validation_alias"] = wire
    else:
        names = declared_names(spec)
        overrides["alias"] = names[0]
        overrides["validation_alias"] = names[0] if len(names) == 1 else AliasChoices(*names)
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
            annotation, info = _field_for(spec)
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
                [
                    (name, _keyed(spec.source, declared))
                    for name, declared in zip(lookup_names(spec), declared_names(spec), strict=True)
                ],
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


def _rekeyed(info: FieldInfo, source: Source) -> FieldInfo:
    """``info`` with its wire names keyed by source (see ``ParamGroupValidator``)."""
    va = info.validation_alias  # a name or a choice of names (see ``_field_for``)
    keyed: Any = (
        AliasChoices(*(_keyed(source, str(c)) for c in va.choices))
        if isinstance(va, AliasChoices)
        else _keyed(source, str(va))
    )
    alias = _keyed(source, info.alias) if info.alias else None
    return FieldInfo.merge_field_infos(info, alias=alias, validation_alias=keyed)


@dataclass(frozen=True)
class _GroupField:
    """One wire name of a model group: the key the model reads it under, and its shape."""

    key: str
    is_sequence: bool | None  # None: a list in some union members only, so repeated values
    keep_empty: bool  # a form's empty text still counts (the union's discriminator)
    wants_bytes: bool  # uploads read into bytes (forms)


class ModelGroupValidator:
    """A Pydantic model (or a union of models) whose fields are read as separate
    parameters of one source.

    Every key of the source reaches the model: declared fields under the name
    the model reads, unknown keys as they are, for the model's ``extra`` setting
    to keep, refuse or ignore. A model that may be ``None`` takes its default
    when none of its fields were sent.
    """

    def __init__(self, spec: ParamSpec, prefix: tuple[str, ...] | None = None) -> None:
        self.spec = spec
        self.prefix = prefix or (spec.source.value,)
        models: tuple[type[BaseModel], ...] = tt.non_none_members(spec.type_)
        self.nullable = len(models) < len(tt.union_members(spec.type_))
        self.is_form = spec.source is Source.BODY
        self.pick = -1 if spec.source in (Source.QUERY, Source.BODY) else 0
        self.fields, self.loc_names, shapes = _index_fields(spec, models)
        # wires of one field in order of preference: only the first one sent is the
        # field's, the others are extra keys (as Pydantic reads alias choices)
        self.choices = [
            wires
            for model in models
            for name, field in model.model_fields.items()
            if len(wires := _wire_names(model, name, field, spec)) > 1
        ]
        self.hidden = set(self.loc_names) - set(self.fields)  # names only the model reads
        self.byte_keys = {f.key for f in self.fields.values() if f.wants_bytes}
        self.counts_extras = any(m.model_config.get("extra") in ("allow", "forbid") for m in models)
        self.loc_index = len(self.prefix) + (0 if len(models) == 1 else 1)
        self.map_locs = bool(self.loc_names) and all(
            m.model_config.get("loc_by_alias", True) for m in models
        )
        self.union = len(models) > 1
        keep = {f.key for f in self.fields.values() if f.keep_empty}
        self.adapter: TypeAdapter[Any] = TypeAdapter(
            _group_type(
                spec,
                {m: _MemberShape(shapes[m], keep, self.is_form, self.pick) for m in models},
            )
        )
        self.required = spec.required

    def collect(self, source: Mapping[str, list[Any]]) -> tuple[dict[str, Any], bool]:
        """The model's input from ``source`` and whether any of its fields was sent."""
        data: dict[str, Any] = {}
        sent = False
        drop_empty = self.is_form and not self.union  # a union's members each decide
        unused = self._unused_choices(source) if self.choices else ()
        for name, values in source.items():
            field = self.fields.get(name)
            if field is None or name in unused:
                if name in self.hidden:
                    continue
                value: Any = values[0] if len(values) == 1 else values
                if not (drop_empty and value == ""):
                    data[name] = value
                continue
            sent = True
            if field.is_sequence or (field.is_sequence is None and len(values) > 1):
                data[field.key] = values
            else:
                value = values[self.pick]
                if not (drop_empty and value == "" and not field.keep_empty):
                    data[field.key] = value
        return data, sent or (self.counts_extras and bool(data))

    def _unused_choices(self, source: Mapping[str, list[Any]]) -> set[str]:
        """Wires sent for a field that an earlier choice of the same field already gave."""
        used: set[str] = set()
        unused: set[str] = set()
        for wires in self.choices:
            present = [wire for wire in wires if wire in source]
            used.update(present[:1])
            unused.update(present[1:])
        return unused - used  # a wire another field reads first is still read

    def read(self, source: Mapping[str, list[Any]]) -> tuple[Any, ErrorList]:
        data, sent = self.collect(source)
        return self.validate(data, sent)

    def validate(self, data: dict[str, Any], sent: bool) -> tuple[Any, ErrorList]:
        if not sent:  # a required model that can't be None still validates what came
            if self.nullable and self.required:
                return None, [missing_error(self.prefix)]
            if self.nullable or not self.required:
                return self._default()
        try:
            return self.adapter.validate_python(data), []
        except ValidationError as exc:
            return None, self._errors(exc)

    def _default(self) -> tuple[Any, ErrorList]:
        default = self.spec.default
        if not self.spec.field_info.validate_default:
            return default, []
        try:
            return self.adapter.validate_python(default), []
        except ValidationError as exc:
            return None, self._errors(exc)

    def _errors(self, exc: ValidationError) -> ErrorList:
        errors = shape_errors(exc, self.prefix, top_missing_none=False)
        if self.map_locs:
            at = self.loc_index
            for err in errors:
                loc = err["loc"]
                if len(loc) > at and loc[at] in self.loc_names:
                    err["loc"] = (*loc[:at], self.loc_names[loc[at]], *loc[at + 1 :])
        return errors


def _index_fields(
    spec: ParamSpec, models: tuple[type[BaseModel], ...]
) -> tuple[dict[str, _GroupField], dict[str, str], dict[type[BaseModel], dict[str, bool]]]:
    """A group's wire names, the keys whose wire name differs (for error locations), and
    for each member model whether each key it reads is a list."""
    convert = _converts(spec)
    discriminator = spec.field_info.discriminator
    fields: dict[str, _GroupField] = {}
    loc_names: dict[str, str] = {}
    shapes: dict[type[BaseModel], dict[str, bool]] = {}
    for model in models:
        shape = shapes.setdefault(model, {})
        for name, field in model.model_fields.items():
            is_seq = tt.is_sequence_type(field.annotation)
            wants_bytes = tt.is_bytes_like(field.annotation) or tt.is_bytes_sequence(
                field.annotation
            )
            for wire, key in _field_wires(model, name, field, spec.source, convert):
                shape[key] = is_seq
                known = fields.get(wire)
                fields[wire] = (
                    _GroupField(key, is_seq, name == discriminator, wants_bytes)
                    if known is None
                    else _GroupField(
                        known.key,
                        is_seq if known.is_sequence == is_seq else None,
                        known.keep_empty or name == discriminator,
                        known.wants_bytes or wants_bytes,
                    )
                )
                if key.lower() != wire.lower():  # a header name is reported as declared
                    loc_names.setdefault(key, wire)
    return fields, loc_names, shapes


def _wire_names(model: type[BaseModel], name: str, field: FieldInfo, spec: ParamSpec) -> list[str]:
    return [wire for wire, _ in _field_wires(model, name, field, spec.source, _converts(spec))]


def _converts(spec: ParamSpec) -> bool:
    return spec.source is Source.HEADER and getattr(spec.field_info, "convert_underscores", True)


def _field_wires(
    model: type[BaseModel], name: str, field: FieldInfo, source: Source, convert: bool
) -> list[tuple[str, str]]:
    """(wire name, key the model reads) for each name a model field may be sent under.

    The model's ``validate_by_alias`` / ``validate_by_name`` settings decide whether
    its aliases, its field name or both are read; a header sent under the field's
    name follows the parameter's ``convert_underscores``.
    """
    va = wire_alias(field)
    aliases: list[str] = (
        [va]
        if isinstance(va, str)
        else [str(c) for c in va.choices]
        if va
        else [field.alias]
        if field.alias
        else []
    )
    config = model.model_config
    by_alias = config.get("validate_by_alias", True) is not False
    by_name = bool(config.get("validate_by_name") or config.get("populate_by_name"))
    keys = aliases if by_alias and aliases else []
    if not aliases or by_name or not by_alias:
        keys = [*keys, name] if name not in keys else keys
    if source is not Source.HEADER:
        return [(key, key) for key in keys]
    wires = []
    for key in keys:
        own_name = key == name and key not in aliases
        wire = name.replace("_", "-") if own_name and convert else key
        wires.append((wire.lower(), key))
    return wires


def _group_type(spec: ParamSpec, shapes: dict[type[BaseModel], _MemberShape]) -> Any:
    """What a group's data validates as: the model, or the union of its members (each
    reshaping the common input for itself) with the declaration's discriminator and union
    mode, under the annotation's own validators."""
    annotation = spec.annotation
    metadata: list[Any] = []
    if get_origin(annotation) is Annotated:
        annotation, *metadata = get_args(annotation)
    members = [
        m
        for m in (get_args(annotation) if tt.is_union(annotation) else (annotation,))
        if m is not type(None)
    ]
    if len(members) == 1:
        return Annotated[(members[0], *metadata)] if metadata else members[0]
    info = spec.field_info
    wrapped = []
    for member in members:
        model = tt.strip_annotated(member)
        own = list(get_args(member)[1:]) if get_origin(member) is Annotated else []
        tags = [m for m in own if isinstance(m, Tag)]
        if not tags and info.discriminator is None:
            tags = [Tag(model.__name__)]  # errors still name the member by its class
        others = [m for m in own if not isinstance(m, Tag)]
        # the tag goes last: it labels the member as a whole, reshaping included
        wrapped.append(Annotated[(model, *others, BeforeValidator(shapes[model]), *tags)])
    union_mode = next((m.union_mode for m in info.metadata if _union_mode(m)), None)
    if info.discriminator is not None:
        metadata.append(Field(discriminator=info.discriminator))
    elif union_mode is not None:
        metadata.append(Field(union_mode=union_mode))
    group: Any = Union[tuple(wrapped)]  # noqa: UP007
    return Annotated[(group, *metadata)] if metadata else group


class _MemberShape:
    """A union member's view of the common input: lists where the member reads lists,
    one value where it reads one, and (in forms) empty text dropped."""

    def __init__(self, shape: dict[str, bool], keep: set[str], is_form: bool, pick: int) -> None:
        self.shape = shape
        self.keep = keep
        self.is_form = is_form
        self.pick = pick

    def __call__(self, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        shaped: dict[str, Any] = {}
        for key, value in data.items():
            is_seq = self.shape.get(key)
            if is_seq is None:
                shaped[key] = value
            elif is_seq:
                shaped[key] = value if isinstance(value, list) else [value]
            else:
                one = value[self.pick] if isinstance(value, list) else value
                if not (self.is_form and one == "" and key not in self.keep):
                    shaped[key] = one
        return shaped


def _union_mode(metadata: Any) -> bool:
    return getattr(metadata, "union_mode", None) is not None


class SingleBodyValidator:
    """The whole request body is the value of one parameter.

    It validates as the only field of a generated model, so every declaration
    on the parameter applies exactly as it would on a model field.
    """

    def __init__(self, spec: ParamSpec, owner: str) -> None:
        self.spec = spec
        self.key = spec.name
        self.model: type[BaseModel] = create_model(  # type: ignore[call-overload]
            f"Body_{owner}",
            __config__=ConfigDict(arbitrary_types_allowed=True),
            **{spec.name: _field_for(spec, wire=spec.name)},
        )
        self._validate = self.model.__pydantic_validator__.validate_python

    def validate(self, body: Any, present: bool) -> tuple[Any, ErrorList]:
        if not present and self.spec.required:
            return None, [missing_error(("body",))]
        try:  # an absent body takes the default (validated when the declaration asks)
            instance = self._validate({self.key: body} if present else {}, from_attributes=True)
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
        self.not_an_object = [missing_error(("body", lookup_names(s)[0])) for s in specs]

    def validate(self, body: Any, present: bool) -> tuple[dict[str, Any], ErrorList]:
        if not present:
            body = {}
        elif not isinstance(body, Mapping):  # null, a list, a scalar: no field can be read
            return {}, [dict(err) for err in self.not_an_object]
        try:
            instance = self._validate(body, from_attributes=True)
        except ValidationError as exc:
            return {}, shape_errors(exc, ("body",), top_missing_none=True)
        return instance.__dict__, []


class _FormFieldsValidator:
    """The plain form and file fields of a dependant, validated together.

    Each value is keyed by its parameter's position and wire name, so two
    parameters may read the same form key (say as a list of uploads and as the
    last one's bytes); errors name the wire key only.
    """

    def __init__(self, specs: list[ParamSpec], owner: str) -> None:
        fields: dict[str, Any] = {}
        self.entries: list[tuple[list[tuple[str, str]], bool, bool]] = []
        self.by_name: dict[str, str] = {}
        for index, spec in enumerate(specs):
            names = lookup_names(spec)
            keyed = [f"{index}{_KEY_SEPARATOR}{name}" for name in names]
            annotation, info = _field_for(spec)
            alias: Any = keyed[0] if len(keyed) == 1 else AliasChoices(*keyed)
            fields[spec.name] = (
                annotation,
                FieldInfo.merge_field_infos(info, alias=keyed[0], validation_alias=alias),
            )
            self.entries.append(
                (list(zip(names, keyed, strict=True)), spec.is_sequence, _wants_bytes(spec))
            )
            self.by_name[spec.name] = names[0]
        self.model: type[BaseModel] = create_model(
            f"Body_{owner}", __config__=ConfigDict(arbitrary_types_allowed=True), **fields
        )
        self._validate = self.model.__pydantic_validator__.validate_python

    async def run(self, fields: Mapping[str, list[Any]]) -> tuple[dict[str, Any], ErrorList]:
        data: dict[str, Any] = {}
        for names, is_seq, wants_bytes in self.entries:
            for name, key in names:
                value = _form_value(fields, name, is_seq)
                if value is not None:
                    data[key] = await _read_uploads(value) if wants_bytes else value
                    break
        try:
            instance = self._validate(data, from_attributes=True)
        except ValidationError as exc:
            errors = shape_errors(exc, ("body",), top_missing_none=True)
            for err in errors:
                first = str(err["loc"][1])
                name = first.partition(_KEY_SEPARATOR)[2] or self.by_name.get(first, first)
                err["loc"] = ("body", name, *err["loc"][2:])
            return {}, errors
        return instance.__dict__, []


class FormValidator:
    """Form and file parameters of one dependant, read from url-encoded or multipart data.

    Plain fields validate together as one model; each Pydantic model declared
    with ``Form()`` reads its fields (and every other key) from the whole form.
    An empty text field, or a file input with nothing selected, counts as absent.
    """

    def __init__(self, specs: list[ParamSpec], owner: str) -> None:
        plain = [s for s in specs if not s.model_group]
        self.plain = _FormFieldsValidator(plain, owner) if plain else None
        self.models = [ModelGroupValidator(s, ("body",)) for s in specs if s.model_group]

    async def run(self, form: FormData) -> tuple[dict[str, Any], ErrorList]:
        fields = form_fields(form)
        values: dict[str, Any] = {}
        errors: ErrorList = []
        if self.plain is not None:
            found, plain_errors = await self.plain.run(fields)
            errors.extend(plain_errors)
            values.update(found)
        for model in self.models:
            model_data, sent = model.collect(fields)
            for key in model.byte_keys & model_data.keys():
                model_data[key] = await _read_uploads(model_data[key])
            instance, model_errors = model.validate(model_data, sent)
            errors.extend(model_errors)
            values[model.spec.name] = instance
        return values, errors


def form_fields(form: FormData) -> dict[str, list[Any]]:
    """The form's values by name, without file inputs that had nothing selected."""
    fields: dict[str, list[Any]] = {}
    for name, value in form.multi_items():
        if isinstance(value, UploadFile) and not value.filename and not value.size:
            continue
        fields.setdefault(name, []).append(value)
    return fields


def _form_value(fields: Mapping[str, list[Any]], name: str, is_seq: bool) -> Any:
    """A field's value, or None when absent (a lone empty text field counts as absent)."""
    values = fields.get(name)
    if not values:
        return None
    if is_seq:
        return values
    value = values[-1]
    return None if value == "" else value


def _wants_bytes(spec: ParamSpec) -> bool:
    return tt.is_bytes_like(spec.type_) or tt.is_bytes_sequence(spec.type_)


async def _read_uploads(value: Any) -> Any:
    """Uploads as their bytes, each left rewound for anything else that reads it."""
    if isinstance(value, list):
        return [await _read_one(v) for v in value]
    return await _read_one(value)


async def _read_one(value: Any) -> Any:
    if not isinstance(value, UploadFile):
        return value
    return await read_upload_bytes(value)


async def read_upload_bytes(file: UploadFile) -> bytes:
    """The upload's content from where it stands; its position is put back afterwards, even
    when reading fails, so another parameter (or the endpoint) reading it sees it unchanged."""
    position = file.file.tell()
    try:
        return await file.read()
    finally:
        await file.seek(position)
