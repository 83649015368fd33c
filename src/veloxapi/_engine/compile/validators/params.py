"""One validator for every plain path, query, header and cookie parameter of a dependant."""

from __future__ import annotations

from typing import Any

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    ValidationError,
    create_model,
)
from pydantic.fields import FieldInfo

from veloxapi._engine.compile.analysis import ParamSpec, Source
from veloxapi._engine.compile.validators.fields import (
    KEY_SEPARATOR,
    ErrorList,
    declared_names,
    field_for,
    lookup_names,
    shape_errors,
    source_key,
)


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
            annotation, info = field_for(spec)
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
                    (name, source_key(spec.source, declared))
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
                if KEY_SEPARATOR in first:
                    source, _, name = first.partition(KEY_SEPARATOR)
                else:  # a default that failed validation is reported under the field's name
                    source, name = self.by_name.get(first, ("", first))
                err["loc"] = (source, name, *err["loc"][1:])
            return {}, errors
        return instance.__dict__, []


def _rekeyed(info: FieldInfo, source: Source) -> FieldInfo:
    """``info`` with its wire names keyed by source (see ``ParamGroupValidator``)."""
    va = info.validation_alias  # a name or a choice of names (see ``field_for``)
    keyed: Any = (
        AliasChoices(*(source_key(source, str(c)) for c in va.choices))
        if isinstance(va, AliasChoices)
        else source_key(source, str(va))
    )
    alias = source_key(source, info.alias) if info.alias else None
    return FieldInfo.merge_field_infos(info, alias=alias, validation_alias=keyed)
