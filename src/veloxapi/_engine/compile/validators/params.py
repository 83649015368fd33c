"""One validator for every plain path, query, header and cookie parameter of a dependant."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from pydantic import (
    AliasChoices,
    AliasPath,
    BaseModel,
    ConfigDict,
    ValidationError,
    create_model,
)
from pydantic.fields import FieldInfo
from pydantic_core import SchemaValidator

from veloxapi._engine.compile.analysis import ParamSpec, Source
from veloxapi._engine.compile.validators.fields import (
    ErrorList,
    declared_names,
    field_for,
    lookup_names,
)


class ParamGroupValidator:
    """Validates every plain (non-model) path, query, header and cookie parameter of a
    dependant in one call.

    The data validated is the request's parsed sources as they stand, each under a key
    of its own (``{"\\0path": {...}, "\\0query": {"q": "b"}}``), and each field
    reaches its value through an ``AliasPath``: ``("\\0query", "q")`` is the (last)
    value of a query key, ``("\\0header", "x-token", 0)`` the first of a header,
    ``("\\0query[]", "q")`` all values of a list parameter. Pydantic-core does every
    lookup; names may repeat across sources; errors are reported back as
    ``(source, name, ...)``.
    PERF: benchmarks in-process path_query: no per-parameter lookup in Python, one
    validator call, no model instance.
    """

    def __init__(self, specs: list[ParamSpec], owner: str) -> None:
        self.specs = specs
        fields: dict[str, Any] = {}
        # the sources read: (key in the data, attribute of the request inputs)
        sources: dict[str, str] = {}
        # how an error's loc is given back: (key, wire name) -> source, declared name, and
        # whether an index follows the name (a single value picked from a list)
        self.wire: dict[tuple[str | int, str | int], tuple[str, str, bool]] = {}
        header_names: set[bytes] = set()  # the headers read, lower-case
        for spec in specs:
            key, attribute, index = _READ[(spec.source, spec.is_sequence)]
            sources[key] = attribute
            paths = []
            names = lookup_names(spec)
            if spec.source is Source.HEADER:
                header_names.update(_wire_bytes(names))
            for name, declared in zip(names, declared_names(spec), strict=True):
                paths.append(AliasPath(key, name) if index is None else AliasPath(key, name, index))
                self.wire.setdefault((key, name), (spec.source.value, declared, index is not None))
            annotation, info = field_for(spec)
            lookup: Any = paths[0] if len(paths) == 1 else AliasChoices(*paths)
            fields[spec.name] = (
                annotation,
                FieldInfo.merge_field_infos(info, validation_alias=lookup),
            )
        self.sources = tuple(sources.items())
        # the request's sources the parameters are read from, by their keys
        self.collect: Callable[[Any], dict[str, Any]] = _collector(
            tuple(
                (key, _reader(attribute, frozenset(header_names)))
                for key, attribute in self.sources
            )
        )
        self.model: type[BaseModel] = create_model(
            f"{owner}_params",
            __config__=ConfigDict(arbitrary_types_allowed=True),
            **fields,
        )
        self._validate = _fields_validator(self.model)
        self.by_name = {spec.name: (spec.source.value, spec.alias) for spec in specs}

    def validate(self, data: dict[str, Any]) -> tuple[dict[str, Any], ErrorList]:
        try:
            values: dict[str, Any] = self._validate(data, from_attributes=True)
        except ValidationError as exc:
            return {}, self._errors(exc)
        return values, []

    def _errors(self, exc: ValidationError) -> ErrorList:
        """The errors as FastAPI reports them: ``loc`` is the source, the declared name and
        the place inside the value; a missing value's ``input`` is None."""
        shaped: ErrorList = []
        for err in exc.errors(include_url=False):
            loc = err["loc"]
            found = self.wire.get((loc[0], loc[1])) if len(loc) > 1 else None
            if found is not None:
                source, name, indexed = found
                rest = loc[3:] if indexed else loc[2:]
                top = not rest
                loc = (source, name, *rest)
            else:  # a default that failed validation is reported under the field's name
                first = str(loc[0])
                source, name = self.by_name.get(first, ("", first))
                top = len(loc) == 1
                loc = (source, name, *loc[1:])
            item: dict[str, Any] = {"type": err["type"], "loc": loc, "msg": err["msg"]}
            item["input"] = None if top and err["type"] == "missing" else err["input"]
            if "ctx" in err:
                item["ctx"] = err["ctx"]
            shaped.append(item)
        return shaped


# (source, is a list) -> key in the data, attribute of the request inputs, index of the
# value in the source's list of values (None: the whole list, or a path's one value)
_READ: dict[tuple[Source, bool], tuple[str, str, int | None]] = {
    (Source.PATH, False): ("\0path", "path_values", None),
    (Source.PATH, True): ("\0path", "path_values", None),
    (Source.QUERY, False): ("\0query", "query_last", None),
    (Source.QUERY, True): ("\0query[]", "query", None),
    (Source.HEADER, False): ("\0header", "headers", 0),
    (Source.HEADER, True): ("\0header[]", "headers", None),
    (Source.COOKIE, False): ("\0cookie", "cookies", 0),
    (Source.COOKIE, True): ("\0cookie[]", "cookies", None),
}


def _wire_bytes(names: tuple[str, ...]) -> list[bytes]:
    """Header names as they arrive (latin-1); a name latin-1 can't spell never arrives."""
    found = []
    for name in names:
        try:
            found.append(name.encode("latin-1"))
        except UnicodeEncodeError:
            continue
    return found


def _reader(attribute: str, header_names: frozenset[bytes]) -> Callable[[Any], Any]:
    """What reads one source of the request inputs: ``attribute``, or for headers only
    the ``header_names`` the parameters read.

    PERF: benchmarks in-process dependencies: the other headers are not decoded.
    """
    if attribute == "headers":
        return lambda inputs: inputs.headers_named(header_names)
    return attrgetter(attribute)


def _collector(
    sources: tuple[tuple[str, Callable[[Any], Any]], ...],
) -> Callable[[Any], dict[str, Any]]:
    """A function reading ``sources`` (key, reader) of the request inputs into a dict.

    PERF: benchmarks in-process path_query: one or two sources (nearly every dependant)
    are read with no loop.
    """
    if len(sources) == 1:
        ((key, read),) = sources
        return lambda inputs: {key: read(inputs)}
    if len(sources) == 2:
        (key, read), (key2, read2) = sources
        return lambda inputs: {key: read(inputs), key2: read2(inputs)}
    return lambda inputs: {key: read(inputs) for key, read in sources}


def _fields_validator(model: type[BaseModel]) -> Callable[..., dict[str, Any]]:
    """Validation of the model's fields alone: their values as a dict, no model instance.

    PERF: benchmarks in-process path_query: the fields as a typed dict, which validates
    as a model's fields do without collecting the set of fields given.
    """
    schema: Any = model.__pydantic_core_schema__
    wrapper = None
    if schema["type"] == "definitions":
        wrapper, schema = schema, schema["schema"]
    if schema["type"] != "model" or schema["schema"]["type"] != "model-fields":
        validate = model.__pydantic_validator__.validate_python
        return lambda data, **kwargs: validate(data, **kwargs).__dict__
    typed: dict[str, Any] = {"type": "typed-dict", "fields": {}}
    for name, field in schema["schema"]["fields"].items():
        typed["fields"][name] = {
            **{key: field[key] for key in _TYPED_DICT_FIELD_KEYS if key in field},
            "type": "typed-dict-field",
            "required": field["schema"]["type"] != "default",
        }
    if wrapper is not None:
        typed = {**wrapper, "schema": typed}
    fields_validate: Callable[..., dict[str, Any]] = SchemaValidator(
        typed, schema.get("config")
    ).validate_python
    return fields_validate


_TYPED_DICT_FIELD_KEYS = ("schema", "validation_alias", "serialization_alias", "metadata")
