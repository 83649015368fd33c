"""jsonable_encoder: every kind of value it accepts, and the options it honours."""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import re
import uuid
import warnings
from collections import deque
from decimal import Decimal
from enum import Enum, IntEnum
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Interface
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import pytest
from pydantic import AnyUrl, BaseModel, ConfigDict, Field, NameEmail, SecretStr, field_serializer
from pydantic_core import PydanticUndefined

from veloxapi.encoders import ENCODERS_BY_TYPE, jsonable_encoder, untyped_json
from veloxapi.exceptions import PydanticV1NotSupportedError


class Owner:
    def __init__(self, name: str) -> None:
        self.name = name


class Pet:
    def __init__(self, owner: Owner, name: str) -> None:
        self.owner = owner
        self.name = name


class PairsPet(Pet):
    """Iterates over (key, value) pairs, so ``dict(obj)`` works."""

    def __iter__(self) -> Any:
        return iter(vars(self).items())


class Opaque:
    __slots__ = ()

    def __iter__(self) -> Any:
        raise TypeError("not iterable")


@dataclasses.dataclass
class Point:
    x: int
    y: int
    label: str | None = None


class Color(Enum):
    red = "red"
    green = "green"


class Level(IntEnum):
    low = 1


class Person(BaseModel):
    name: str = Field(alias="Name")
    age: int = 30
    nickname: str | None = None


class WithEnumValues(BaseModel):
    model_config = ConfigDict(use_enum_values=True)
    color: Color | None = None


class Stamped(BaseModel):
    at: datetime.datetime

    @field_serializer("at")
    def _only_date(self, value: datetime.datetime) -> str:
        return value.date().isoformat()


class StampedChild(Stamped):
    pass


PET = {"name": "Rex", "owner": {"name": "Ann"}}


@pytest.mark.parametrize(
    "value",
    ["text", 0, 1.5, True, None, [1, "a"], {"a": [1, {"b": None}]}],
)
def test_json_values_come_back_equal(value: Any) -> None:
    assert jsonable_encoder(value) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.datetime(2024, 1, 2, 3, 4, 5), "2024-01-02T03:04:05"),
        (
            datetime.datetime(2024, 1, 2, tzinfo=datetime.UTC),
            "2024-01-02T00:00:00+00:00",
        ),
        (datetime.date(2024, 1, 2), "2024-01-02"),
        (datetime.time(15, 30), "15:30:00"),
        (datetime.timedelta(days=2, seconds=3), 172803.0),
        (Decimal("2"), 2),
        (Decimal("1E2"), 100),
        (Decimal("1.25"), 1.25),
        (b"bytes", "bytes"),
        (uuid.UUID("ff97dd87-a4a5-4a12-b412-cde99f33e00e"), "ff97dd87-a4a5-4a12-b412-cde99f33e00e"),
        (IPv4Address("10.0.0.1"), "10.0.0.1"),
        (IPv4Network("10.0.0.0/8"), "10.0.0.0/8"),
        (IPv6Address("::1"), "::1"),
        (IPv6Interface("::1/128"), "::1/128"),
        (PurePosixPath("/a", "b"), "/a/b"),
        (PureWindowsPath("/a", "b"), "\\a\\b"),
        (Path("rel/file.txt"), str(Path("rel/file.txt"))),
        (re.compile(r"^\d+$"), r"^\d+$"),
        (Color.green, "green"),
        (Level.low, 1),
        (PydanticUndefined, None),
        (NameEmail("Ann", "ann@example.com"), "Ann <ann@example.com>"),
        (AnyUrl("https://example.com/x"), "https://example.com/x"),
        (SecretStr("hunter2"), "**********"),
    ],
)
def test_scalar_encodings(value: Any, expected: Any) -> None:
    assert jsonable_encoder(value) == expected


def test_decimal_non_finite_become_floats() -> None:
    assert math.isnan(jsonable_encoder(Decimal("NaN")))
    assert jsonable_encoder(Decimal("Infinity")) == math.inf
    assert jsonable_encoder(Decimal("-Infinity")) == -math.inf


def test_pydantic_color_is_its_name() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from pydantic.color import Color as PydanticColor

        assert jsonable_encoder({"c": PydanticColor("blue")}) == {"c": "blue"}


def test_subclass_of_known_type_uses_base_encoding() -> None:
    class MyDate(datetime.date):
        pass

    assert jsonable_encoder(MyDate(2020, 5, 6)) == "2020-05-06"


@pytest.mark.parametrize(
    "container",
    [
        [1, 2],
        (1, 2),
        deque([1, 2]),
        (n for n in (1, 2)),
    ],
)
def test_sequences_become_lists(container: Any) -> None:
    assert jsonable_encoder(container) == [1, 2]


def test_sets_become_lists() -> None:
    assert sorted(jsonable_encoder({3, 1})) == [1, 3]
    assert jsonable_encoder(frozenset({"a"})) == ["a"]


def test_nested_values_are_encoded() -> None:
    data = {"when": [datetime.date(2024, 1, 1)], "who": deque([Person(Name="Ann")])}
    assert jsonable_encoder(data) == {
        "when": ["2024-01-01"],
        "who": [{"Name": "Ann", "age": 30, "nickname": None}],
    }


def test_dict_keys_are_encoded() -> None:
    assert jsonable_encoder({Color.red: 1, datetime.date(2024, 1, 1): 2}) == {
        "red": 1,
        "2024-01-01": 2,
    }


@pytest.mark.parametrize(
    "value",
    [PET, Pet(Owner("Ann"), "Rex"), PairsPet(Owner("Ann"), "Rex")],
    ids=["dict", "object", "pairs"],
)
def test_include_and_exclude_on_mappings_and_objects(value: Any) -> None:
    assert jsonable_encoder(value) == {"name": "Rex", "owner": {"name": "Ann"}}
    assert jsonable_encoder(value, include={"name"}) == {"name": "Rex"}
    assert jsonable_encoder(value, exclude={"owner"}) == {"name": "Rex"}
    assert jsonable_encoder(value, include=set()) == {}
    assert jsonable_encoder(value, exclude=set()) == {"name": "Rex", "owner": {"name": "Ann"}}


def test_include_and_exclude_accept_lists() -> None:
    assert jsonable_encoder(PET, include=["name"]) == {"name": "Rex"}  # type: ignore[arg-type]
    assert jsonable_encoder(PET, exclude=["owner"]) == {"name": "Rex"}  # type: ignore[arg-type]
    assert jsonable_encoder(PET, include=[]) == {}  # type: ignore[arg-type]


def test_dataclass_fields_with_options() -> None:
    point = Point(1, 2)
    assert jsonable_encoder(point) == {"x": 1, "y": 2, "label": None}
    assert jsonable_encoder(point, include={"x"}) == {"x": 1}
    assert jsonable_encoder(point, exclude={"y", "label"}) == {"x": 1}
    assert jsonable_encoder(point, exclude_none=True) == {"x": 1, "y": 2}


def test_model_uses_aliases_by_default() -> None:
    person = Person(Name="Ann")
    assert jsonable_encoder(person) == {"Name": "Ann", "age": 30, "nickname": None}
    assert jsonable_encoder(person, by_alias=False) == {"name": "Ann", "age": 30, "nickname": None}


def test_model_dump_options() -> None:
    person = Person(Name="Ann", age=30)
    assert jsonable_encoder(person, exclude_unset=True) == {"Name": "Ann", "age": 30}
    assert jsonable_encoder(person, exclude_defaults=True) == {"Name": "Ann"}
    assert jsonable_encoder(person, exclude_none=True) == {"Name": "Ann", "age": 30}
    assert jsonable_encoder(person, include={"name"}) == {"Name": "Ann"}
    assert jsonable_encoder(person, exclude={"age", "nickname"}) == {"Name": "Ann"}
    assert jsonable_encoder(person, include=set()) == {}


def test_model_options_reach_models_inside_containers() -> None:
    person = Person(Name="Ann")
    assert jsonable_encoder([person], exclude_defaults=True) == [{"Name": "Ann"}]
    assert jsonable_encoder({"k": [person]}, exclude_defaults=True) == {"k": [{"Name": "Ann"}]}


def test_model_config_and_serializers_are_honoured() -> None:
    assert jsonable_encoder(WithEnumValues(color=Color.red)) == {"color": "red"}
    moment = datetime.datetime(2019, 1, 1, 8)
    assert jsonable_encoder(Stamped(at=moment)) == {"at": "2019-01-01"}
    assert jsonable_encoder(StampedChild(at=moment)) == {"at": "2019-01-01"}


def test_exclude_none_drops_none_values_of_mappings() -> None:
    assert jsonable_encoder({"a": None, "b": {"c": None, "d": 1}}, exclude_none=True) == {
        "b": {"d": 1}
    }


def test_sqlalchemy_state_keys_are_dropped_unless_disabled() -> None:
    row = {"_sa_instance_state": object(), "id": 1}
    assert jsonable_encoder(row) == {"id": 1}
    assert jsonable_encoder({"_sa_x": 1}, sqlalchemy_safe=False) == {"_sa_x": 1}


def test_custom_encoder_by_exact_type_and_by_base_class() -> None:
    class MyMoment(datetime.datetime):
        pass

    moment = MyMoment(2024, 1, 2, 13, 14, 15)
    by_type = {MyMoment: lambda value: value.strftime("%H:%M")}
    by_base = {datetime.datetime: lambda value: value.strftime("%H:%M")}
    assert jsonable_encoder({"at": moment}, custom_encoder=by_type) == {"at": "13:14"}
    assert jsonable_encoder({"at": moment}, custom_encoder=by_base) == {"at": "13:14"}
    assert jsonable_encoder({"at": moment}) == {"at": "2024-01-02T13:14:15"}


def test_custom_encoder_overrides_enum_encoding() -> None:
    encoded = jsonable_encoder(Color.red, custom_encoder={Color: lambda c: c.value.upper()})
    assert encoded == "RED"


def test_exceptions_encode_as_their_attributes() -> None:
    assert jsonable_encoder({"error": ValueError("boom")}) == {"error": {}}


def test_unencodable_object_raises_value_error_naming_the_type() -> None:
    with pytest.raises(ValueError, match="Opaque"):
        jsonable_encoder(Opaque())


def test_pydantic_v1_model_is_refused() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pydantic import v1

    class Legacy(v1.BaseModel):
        name: str

    with pytest.raises(PydanticV1NotSupportedError, match="Legacy"):
        jsonable_encoder(Legacy(name="x"))


def test_untyped_json_writes_non_finite_floats_as_null() -> None:
    text = untyped_json({"v": [math.nan, {"w": math.inf}], "keys": {None: 1, math.inf: 2}})
    assert json.loads(text) == {"v": [None, {"w": None}], "keys": {"null": 1, "Infinity": 2}}


def test_untyped_json_keeps_model_serialization_settings() -> None:
    class Reading(BaseModel):
        model_config = ConfigDict(ser_json_inf_nan="strings")
        value: float

    assert untyped_json(Reading(value=math.nan)) == '{"value":"NaN"}'
    assert untyped_json("text") == '"text"'


def test_custom_encoder_applies_to_json_scalars_too() -> None:
    assert jsonable_encoder({"a": "x", "b": ["y"]}, custom_encoder={str: str.upper}) == {
        "A": "X",
        "B": ["Y"],
    }


def test_registered_type_encoders_may_return_containers() -> None:
    class Money:
        def __init__(self, cents: int) -> None:
            self.cents = cents

    ENCODERS_BY_TYPE[Money] = lambda money: {"cents": money.cents, "at": datetime.date(2024, 1, 1)}
    try:
        assert jsonable_encoder([Money(5)]) == [{"cents": 5, "at": "2024-01-01"}]
    finally:
        del ENCODERS_BY_TYPE[Money]
