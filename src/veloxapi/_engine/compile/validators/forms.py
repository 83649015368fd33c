"""Form and file parameters, read from url-encoded or multipart data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    ValidationError,
    create_model,
)
from pydantic.fields import FieldInfo
from starlette.datastructures import FormData, UploadFile

from veloxapi._engine.compile import typing_tools as tt
from veloxapi._engine.compile.analysis import ParamSpec
from veloxapi._engine.compile.validators.fields import (
    KEY_SEPARATOR,
    ErrorList,
    field_for,
    lookup_names,
    shape_errors,
)
from veloxapi._engine.compile.validators.model_groups import ModelGroupValidator


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
            keyed = [f"{index}{KEY_SEPARATOR}{name}" for name in names]
            annotation, info = field_for(spec)
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
                name = first.partition(KEY_SEPARATOR)[2] or self.by_name.get(first, first)
                err["loc"] = ("body", name, *err["loc"][2:])
            return {}, errors
        return instance.__dict__, []


class FormValidator:
    """Form and file parameters of one dependant, read from url-encoded or multipart data.

    Plain fields validate together as one model; each Pydantic model declared
    with ``Form()`` reads its fields (and every other key) from the whole form.
    An empty text field, or a file input with nothing selected, counts as absent;
    but either one, sent for a model that may be absent, still means the model was.
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
            if not sent and model.nullable:
                sent = model.reads_any(_empty_uploads(form))
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


def _empty_uploads(form: FormData) -> set[str]:
    """Names of the file inputs sent with nothing selected."""
    return {
        name
        for name, value in form.multi_items()
        if isinstance(value, UploadFile) and not value.filename and not value.size
    }


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
