"""An upload read as bytes by one parameter is left where it was for the others."""

from __future__ import annotations

from io import BytesIO
from typing import Annotated

import pytest

from veloxapi import Depends, FastAPI, File, UploadFile
from veloxapi.dependencies.utils import _read_file_bytes
from veloxapi.testclient import TestClient


def size(file: Annotated[bytes, File()]) -> int:
    return len(file)


def test_dependency_reading_bytes_leaves_the_upload_for_the_endpoint() -> None:
    app = FastAPI()

    @app.post("/")
    async def upload(
        length: Annotated[int, Depends(size)], file: Annotated[UploadFile, File()]
    ) -> dict[str, object]:
        return {"length": length, "content": (await file.read()).decode()}

    response = TestClient(app).post("/", files={"file": ("a.txt", b"hello")})
    assert response.json() == {"length": 5, "content": "hello"}


@pytest.mark.anyio
async def test_position_is_restored_even_when_reading_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = BytesIO(b"hello")
    upload = UploadFile(file=stream)
    stream.seek(2)
    assert await _read_file_bytes(upload) == b"llo"
    assert stream.tell() == 2

    async def failing_read(size: int = -1) -> bytes:
        stream.read(1)
        raise OSError("disk gone")

    monkeypatch.setattr(upload, "read", failing_read)
    with pytest.raises(OSError, match="disk gone"):
        await _read_file_bytes(upload)
    assert stream.tell() == 2
