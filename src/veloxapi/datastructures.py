"""Request data structures: Starlette's, plus a Pydantic-aware ``UploadFile``.

``Default(value)`` marks a parameter default that was not chosen by the user, so
that settings can be inherited (app -> router -> route) while still being
compared and tested for truth by their wrapped value.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema
from starlette.datastructures import URL as URL
from starlette.datastructures import Address as Address
from starlette.datastructures import FormData as FormData
from starlette.datastructures import Headers as Headers
from starlette.datastructures import QueryParams as QueryParams
from starlette.datastructures import State as State
from starlette.datastructures import UploadFile as StarletteUploadFile

_T = TypeVar("_T")


class UploadFile(StarletteUploadFile):
    """An uploaded file; usable as a parameter or model field type.

    Validation accepts any Starlette ``UploadFile`` (the multipart parser's
    output) and returns it unchanged. In OpenAPI it is a binary string.
    """

    @classmethod
    def _validate(cls, value: Any, info: Any) -> StarletteUploadFile:
        if not isinstance(value, StarletteUploadFile):
            raise ValueError(f"Expected an uploaded file, got {type(value).__name__}")
        return value

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.with_info_plain_validator_function(cls._validate)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "contentMediaType": "application/octet-stream"}


class DefaultPlaceholder:
    """A default value the user did not set explicitly.

    Truthiness and equality are those of the wrapped ``value``.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __bool__(self) -> bool:
        return bool(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DefaultPlaceholder) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"Default({self.value!r})"


def Default(value: _T) -> _T:
    """Wrap ``value`` as an implicit default (typed as the value for callers)."""
    return cast(_T, DefaultPlaceholder(value))


__all__ = [
    "URL",
    "Address",
    "Default",
    "DefaultPlaceholder",
    "FormData",
    "Headers",
    "QueryParams",
    "State",
    "UploadFile",
]
