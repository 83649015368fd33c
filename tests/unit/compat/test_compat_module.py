"""``veloxapi._compat``: ModelField and the annotation predicates FastAPI's internals use."""

from __future__ import annotations

from typing import Annotated, Any, Union, cast

from pydantic import Field
from pydantic.fields import FieldInfo

from veloxapi import UploadFile
from veloxapi._compat import (
    PYDANTIC_VERSION_MINOR_TUPLE,
    ModelField,
    Undefined,
    field_annotation_is_scalar,
    field_annotation_is_sequence,
    is_bytes_sequence_annotation,
    is_uploadfile_sequence_annotation,
    lenient_issubclass,
    serialize_sequence_value,
)


def test_required_field_has_no_default() -> None:
    field = ModelField(name="foo", field_info=FieldInfo(annotation=str))
    assert field.default is Undefined and field.required
    optional = ModelField(name="bar", field_info=FieldInfo(annotation=int, default=3))
    assert optional.default == 3 and not optional.required


def test_alias_falls_back_to_the_name() -> None:
    aliased = ModelField(name="item_id", field_info=FieldInfo(annotation=int, alias="item-id"))
    assert aliased.alias == "item-id"
    assert ModelField(name="q", field_info=FieldInfo(annotation=str)).alias == "q"


def test_validate_reports_errors_under_the_given_location() -> None:
    info = FieldInfo.merge_field_infos(Field(gt=0), annotation=int)
    field = ModelField(name="n", field_info=info)
    assert field.validate("5") == (5, [])
    value, errors = field.validate(-1, loc=("query", "n"))
    assert value is None
    assert [(e["type"], e["loc"]) for e in errors] == [("greater_than", ("query", "n"))]


def test_serialize_sequence_keeps_the_declared_container() -> None:
    cases: list[tuple[Any, type]] = [
        (list[str] | None, list),
        (Union[None, list[str]], list),  # noqa: UP007
        (set[str], set),
        (tuple[str, ...], tuple),
    ]
    for annotation, container in cases:
        field = ModelField(name="items", field_info=FieldInfo(annotation=cast(Any, annotation)))
        result = serialize_sequence_value(field=field, value=["a", "b"])
        assert sorted(result) == ["a", "b"]
        assert type(result) is container


def test_annotation_predicates() -> None:
    assert is_bytes_sequence_annotation(list[str] | list[bytes])
    assert is_uploadfile_sequence_annotation(list[str] | list[UploadFile])
    assert not is_bytes_sequence_annotation(list[str])
    assert field_annotation_is_sequence(Annotated[list[int], "meta"])
    assert field_annotation_is_scalar(int) and not field_annotation_is_scalar(list[int])
    assert lenient_issubclass(bool, int) and not lenient_issubclass(list[int], list)
    assert PYDANTIC_VERSION_MINOR_TUPLE >= (2, 0)
