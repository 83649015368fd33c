"""UploadFile as a Pydantic type, and Default placeholders."""

from __future__ import annotations

import io

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.datastructures import UploadFile as StarletteUploadFile

from veloxapi.datastructures import Default, DefaultPlaceholder, UploadFile


class Upload(BaseModel):
    file: UploadFile
    files: list[UploadFile] = []


def test_upload_file_field_accepts_starlette_upload_files() -> None:
    uploaded = StarletteUploadFile(io.BytesIO(b"data"), filename="a.txt")
    model = Upload(file=uploaded, files=[uploaded])
    assert model.file is uploaded
    assert model.files == [uploaded]


@pytest.mark.parametrize("value", ["a string", b"bytes", io.BytesIO(b"x"), None])
def test_upload_file_field_rejects_other_values(value: object) -> None:
    with pytest.raises(ValidationError, match="Expected an uploaded file"):
        Upload(file=value)


def test_upload_file_validate_raises_value_error() -> None:
    with pytest.raises(ValueError, match="str"):
        UploadFile._validate("not a file", {})


def test_upload_file_json_schema_is_a_binary_string() -> None:
    schema = TypeAdapter(UploadFile).json_schema()
    assert schema == {"type": "string", "contentMediaType": "application/octet-stream"}
    properties = Upload.model_json_schema()["properties"]
    assert properties["file"] == {
        "type": "string",
        "contentMediaType": "application/octet-stream",
        "title": "File",
    }
    assert properties["files"]["items"] == {
        "type": "string",
        "contentMediaType": "application/octet-stream",
    }


@pytest.mark.anyio
async def test_upload_file_keeps_starlette_file_behaviour() -> None:
    upload = UploadFile(io.BytesIO(b"data"), filename="f", size=4)
    assert await upload.read() == b"data"
    await upload.write(b" and more")
    assert upload.size == 13
    await upload.seek(0)
    assert await upload.read() == b"data and more"
    await upload.close()
    assert upload.file.closed


def test_default_placeholders_compare_and_test_by_value() -> None:
    first, second = Default("a"), Default("a")
    assert isinstance(first, DefaultPlaceholder)
    assert first == second
    assert first != Default("b")
    assert first != "a"
    assert first
    assert not Default("")
    assert not Default(None)
    assert repr(first) == "Default('a')"
