"""A Pydantic model (or a union of models) read as separate parameters of one source."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
)
from pydantic.fields import FieldInfo

from veloxapi._engine.compile import typing_tools as tt
from veloxapi._engine.compile.analysis import ParamSpec, Source
from veloxapi._engine.compile.validators.fields import (
    ErrorList,
    missing_error,
    shape_errors,
    wire_alias,
)


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
                {
                    m: _MemberShape(shapes[m], keep, self.is_form, self.pick, _choices(m, spec))
                    for m in models
                },
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
                data[name] = values[0] if len(values) == 1 else values  # extras as sent
                continue
            sent = True
            if field.is_sequence or (field.is_sequence is None and len(values) > 1):
                data[field.key] = values
            else:
                value = values[self.pick]
                if not (drop_empty and value == "" and not field.keep_empty):
                    data[field.key] = value
        return data, sent or (self.counts_extras and bool(data))

    def reads_any(self, names: set[str]) -> bool:
        """Whether the model reads any of ``names``."""
        return not names.isdisjoint(self.fields)

    def _unused_choices(self, source: Mapping[str, list[Any]]) -> set[str]:
        """Wires sent for a field that an earlier choice of the same field already gave."""
        used: set[str] = set()
        unused: set[str] = set()
        for wires in self.choices:
            present = [wire for wire in wires if wire in source]
            start = next(
                (i for i, wire in enumerate(present) if not self._empty(wire, source[wire])),
                len(present),
            )
            used.update(present[start : start + 1])
            unused.update(present[start + 1 :])  # earlier empty choices are simply absent
        return unused - used

    def _empty(self, wire: str, values: list[Any]) -> bool:
        """Whether a form's value for ``wire`` counts as not sent (a lone empty text)."""
        field = self.fields[wire]
        if not self.is_form or self.union or field.is_sequence or field.keep_empty:
            return False
        return bool(values[self.pick] == "")  # a wire another field reads first is still read

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


def _choices(model: type[BaseModel], spec: ParamSpec) -> list[list[str]]:
    """The keys of each of the model's fields read under several, in order of preference."""
    convert = _converts(spec)
    found = []
    for name, field in model.model_fields.items():
        keys = [key for _, key in _field_wires(model, name, field, spec.source, convert)]
        if len(keys) > 1:
            found.append(keys)
    return found


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
    # the declaration's own union mode, else one a ``Field()`` beside it gives
    declared = [*info.metadata, *(m for e in reversed(spec.earlier_infos) for m in e.metadata)]
    union_mode = next((m.union_mode for m in declared if _union_mode(m)), None)
    if info.discriminator is not None:
        metadata.append(Field(discriminator=info.discriminator))
    elif union_mode is not None:
        metadata.append(Field(union_mode=union_mode))
    group: Any = Union[tuple(wrapped)]  # noqa: UP007
    return Annotated[(group, *metadata)] if metadata else group


class _MemberShape:
    """A union member's view of the common input: lists where the member reads lists,
    one value where it reads one, and (in forms) empty text dropped.

    Of a field's alias choices, the first one sent with a value is the field's; the
    ones after it stay as they were sent, extra keys for the member's ``extra``
    setting, as Pydantic reads alias choices.
    """

    def __init__(
        self,
        shape: dict[str, bool],
        keep: set[str],
        is_form: bool,
        pick: int,
        choices: list[list[str]],
    ) -> None:
        self.shape = shape
        self.keep = keep
        self.is_form = is_form
        self.pick = pick
        self.choices = choices if is_form else []

    def __call__(self, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        unused = self._unused_choices(data) if self.choices else ()
        shaped: dict[str, Any] = {}
        for key, value in data.items():
            is_seq = self.shape.get(key)
            if is_seq is None or key in unused:
                shaped[key] = value
            elif is_seq:
                shaped[key] = value if isinstance(value, list) else [value]
            else:
                one = value[self.pick] if isinstance(value, list) else value
                if not (self.is_form and one == "" and key not in self.keep):
                    shaped[key] = one
        return shaped

    def _unused_choices(self, data: dict[str, Any]) -> set[str]:
        unused: set[str] = set()
        for keys in self.choices:
            present = [key for key in keys if key in data]
            for index, key in enumerate(present):
                if not self._blank(key, data[key]):
                    unused.update(present[index + 1 :])
                    break
        return unused

    def _blank(self, key: str, value: Any) -> bool:
        """A lone empty text for a key read as one value: as if it wasn't sent."""
        if self.shape.get(key) or key in self.keep:
            return False
        one = value[self.pick] if isinstance(value, list) else value
        return bool(one == "")


def _union_mode(metadata: Any) -> bool:
    return getattr(metadata, "union_mode", None) is not None
